/**
 * Builds the explainer of one model version inside a worker: exact TreeSHAP when the ONNX
 * graph is a tree ensemble with covers, otherwise the explain module's fallback.
 */
import type * as ort from 'onnxruntime-node';
import { coversFromBackground } from '../explain/covers';
import { createTreeExplainer } from '../explain/treeshap';
import { treeEnsembleFromOnnx } from '../trees/from-onnx';
import type { ModelSpec } from './protocol';

export interface Explained {
  /** rows x (columns + 1), margin units; the last value of each row is the base value. */
  contributions: Float64Array;
  base: number;
  /** Standard error per value when the method samples. */
  stderr?: Float64Array;
}

export interface Explainer {
  method: string;
  explain(features: Float32Array, rows: number): Promise<Explained>;
}

export async function buildExplainer(spec: ModelSpec, _session: ort.InferenceSession): Promise<Explainer> {
  const read = treeEnsembleFromOnnx(spec.onnxBytes, { nFeatures: spec.columns });
  let ensemble = read.ensemble;
  if (read.covers !== 'onnx') {
    if (!spec.background) throw new Error('the tree ensemble carries no covers (nodes_hitrates) and the package has no background sample');
    ensemble = coversFromBackground(ensemble, spec.background.values, spec.background.rows);
  }
  const tree = createTreeExplainer(ensemble);
  return {
    method: read.covers === 'onnx' ? 'tree-shap' : 'tree-shap (covers from the background sample)',
    async explain(features, rows) {
      const contributions = tree.explain(features, rows);
      return { contributions: ownBuffer(contributions), base: tree.expectedValue };
    },
  };
}

/** A typed array whose buffer it alone spans, so transferring it detaches nothing else. */
function ownBuffer(values: Float64Array): Float64Array {
  return values.byteOffset === 0 && values.buffer.byteLength === values.byteLength ? values : values.slice();
}
