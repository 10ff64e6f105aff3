/**
 * The explainer of one model version inside a worker, built once at load. The explain module
 * picks the method (explainerForPackage: exact TreeSHAP, with covers from the file or the
 * background sample, or permutation sampling for other graphs); sampling runs its batches
 * through this worker's ONNX Runtime session.
 */
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import type * as ort from 'onnxruntime-node';
import type { PrebuiltTreeShap } from '../explain/for-package';
import { explainBySampling } from '../explain/sampling';
import type { Manifest } from '../manifest/schema';
import type { ModelSpec } from './protocol';
import { predictRows } from './session';

export interface Explained {
  /** rows x (width + 1), margin units; the last value of each row is the base value. */
  contributions: Float64Array;
  /** Sampling only: rows x width standard errors. */
  stderr?: Float64Array;
}

export interface Explainer {
  method: 'treeshap' | 'sampling';
  /** What was built, for GET /v1/models. */
  description: string;
  explain(features: Float32Array, rows: number): Promise<Explained>;
  /** TreeSHAP only: its tables, in shared memory, for the other workers. */
  shared?: PrebuiltTreeShap;
}

const toMargin: Record<Manifest['model']['link'], (p: number) => number> = {
  logit: (p) => Math.log(p / (1 - p)),
  log: (q) => Math.log(q),
  identity: (v) => v,
};

type ForPackage = typeof import('../explain/for-package');

/** A CommonJS module object; `load` (stable in every Node version, untyped) compiles a file into it. */
type LoadableModule = NodeJS.Module & { load(filename: string): void };

const explainDir = path.resolve(__dirname, '../explain') + path.sep;

/**
 * A private copy of the explain modules for each model version. TreeSHAP's hot loop is a closure
 * over one model's tables; once a second model's explainer exists, V8 shares one optimized
 * version between them and can no longer specialise it to either model's tables. Measured on
 * lead-scoring 4.1.0, 200 rows, in a worker also holding 4.0.0 and gift-demand: 27-29 ms with
 * shared modules, 17-18 ms with a copy per model (the same as a worker holding only 4.1.0).
 * The copies are compiled into module objects of their own, outside require.cache: every other
 * module (trees/, manifest/, ...) is the process's shared instance, as anywhere else.
 */
function explainModulesForOneModel(): ForPackage {
  const copies = new Map<string, LoadableModule>();
  const load = (filename: string): unknown => {
    const existing = copies.get(filename);
    if (existing) return existing.exports;
    // No parent: a parent's `children` keeps every module made under it, so the copies of each
    // version ever loaded would stay reachable after its unload.
    const copy = new Module(filename) as LoadableModule;
    const shared = createRequire(filename);
    // Module.prototype._compile gives the file a require that calls this one.
    copy.require = ((id: string) => {
      const resolved = shared.resolve(id);
      return resolved.startsWith(explainDir) ? load(resolved) : shared(id);
    }) as NodeJS.Require;
    copies.set(filename, copy);
    copy.load(filename);
    return copy.exports;
  };
  return load(require.resolve('../explain/for-package')) as ForPackage;
}

/** `groups`: the columns of each reason, the players when sampling (one-hot columns move together). */
export async function buildExplainer(
  spec: ModelSpec,
  session: ort.InferenceSession,
  groups: number[][],
): Promise<Explainer> {
  const chosen = explainModulesForOneModel().explainerForPackage(spec);
  const model = spec.manifest.model;
  switch (chosen.method) {
    case 'treeshap': {
      const tree = chosen.explainer;
      return {
        method: 'treeshap',
        description: chosen.covers === 'onnx' ? 'tree-shap' : 'tree-shap (covers from the background sample)',
        shared: { covers: chosen.covers, tables: tree.tables },
        async explain(features, rows) {
          return { contributions: ownBuffer(tree.explain(features, rows)) };
        },
      };
    }
    case 'sampling': {
      const background = chosen.background;
      const margin = toMargin[model.link];
      return {
        method: 'sampling',
        description: `sampling (permutation SHAP against ${background.rows} background rows): ${chosen.why}`,
        async explain(features, rows) {
          const out = await explainBySampling(features, rows, {
            nFeatures: model.columns,
            background: background.values,
            nBackground: background.rows,
            groups,
            predictMargin: async (batch, n) => (await predictRows(session, model, batch, n)).map(margin),
          });
          return { contributions: ownBuffer(out.values), stderr: ownBuffer(out.standardError) };
        },
      };
    }
    case 'none':
      throw new Error(chosen.why);
  }
}

/** A typed array whose buffer it alone spans: posting a view copies its whole buffer. */
function ownBuffer(values: Float64Array): Float64Array {
  return values.byteOffset === 0 && values.buffer.byteLength === values.byteLength ? values : values.slice();
}
