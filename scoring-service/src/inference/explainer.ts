/**
 * Builds the explainer of one model version inside a worker, once at load: exact TreeSHAP
 * when the ONNX graph is a tree ensemble (covers from nodes_hitrates, or from the background
 * sample when the file has none); otherwise permutation sampling against the background sample,
 * batched through the same ONNX Runtime session.
 */
import type * as ort from 'onnxruntime-node';
import { coversFromBackground } from '../explain/covers';
import { explainBySampling } from '../explain/sampling';
import { createTreeExplainer } from '../explain/treeshap';
import { treeEnsembleFromOnnx } from '../trees/from-onnx';
import type { ModelSpec } from './protocol';
import { predictRows } from './session';

export interface Explained {
  /** rows x (width + 1), margin units; the last value of each row is the base value. */
  contributions: Float64Array;
  base: number;
  /** Sampling only: rows x width standard errors. */
  stderr?: Float64Array;
}

export interface Explainer {
  method: 'treeshap' | 'sampling';
  /** What was built, for GET /v1/models. */
  description: string;
  explain(features: Float32Array, rows: number): Promise<Explained>;
}

const toMargin: Record<ModelSpec['link'], (p: number) => number> = {
  logit: (p) => Math.log(p / (1 - p)),
  log: (q) => Math.log(q),
  identity: (v) => v,
};

function treeExplainer(spec: ModelSpec): Explainer | undefined {
  let read;
  try {
    read = treeEnsembleFromOnnx(spec.onnxBytes, { nFeatures: spec.columns });
  } catch {
    return undefined; // not a tree ensemble: use the fallback
  }
  let ensemble = read.ensemble;
  if (read.covers !== 'onnx') {
    if (!spec.background) throw new Error('the tree ensemble carries no covers (nodes_hitrates) and the package has no background sample');
    ensemble = coversFromBackground(ensemble, spec.background.values, spec.background.rows);
  }
  const tree = createTreeExplainer(ensemble);
  return {
    method: 'treeshap',
    description: read.covers === 'onnx' ? 'tree-shap' : 'tree-shap (covers from the background sample)',
    async explain(features, rows) {
      const contributions = tree.explain(features, rows);
      return { contributions: ownBuffer(contributions), base: tree.expectedValue };
    },
  };
}

function samplingExplainer(spec: ModelSpec, session: ort.InferenceSession, groups: number[][]): Explainer {
  const background = spec.background;
  if (!background) throw new Error('the model is not a tree ensemble and the package has no background sample for the sampling explainer');
  const margin = toMargin[spec.link];
  return {
    method: 'sampling',
    description: `sampling (permutation SHAP against ${background.rows} background rows)`,
    async explain(features, rows) {
      const out = await explainBySampling(features, rows, {
        nFeatures: spec.columns,
        background: background.values,
        nBackground: background.rows,
        groups,
        predictMargin: async (batch, n) => (await predictRows(session, spec, batch, n)).map(margin),
      });
      const width = out.values.length / Math.max(rows, 1);
      return { contributions: ownBuffer(out.values), base: out.values[width - 1] ?? 0, stderr: ownBuffer(out.standardError) };
    },
  };
}

/** `groups`: the columns of each reason, the players when sampling (one-hot columns move together). */
export async function buildExplainer(spec: ModelSpec, session: ort.InferenceSession, groups: number[][]): Promise<Explainer> {
  return treeExplainer(spec) ?? samplingExplainer(spec, session, groups);
}

/** A typed array whose buffer it alone spans, so transferring it detaches nothing else. */
function ownBuffer(values: Float64Array): Float64Array {
  return values.byteOffset === 0 && values.buffer.byteLength === values.byteLength ? values : values.slice();
}
