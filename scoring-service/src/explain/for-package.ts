/**
 * Picks how a model package is explained, once per model version at load:
 *  - a tree ensemble with covers in nodes_hitrates: exact TreeSHAP;
 *  - a tree ensemble without covers (manifest `model.covers: "background"`): covers counted
 *    from background.json, then exact TreeSHAP for those covers;
 *  - any other ONNX graph: the sampling fallback (explainBySampling) against background.json,
 *    fed by the caller's onnxruntime session.
 */
import type { Manifest } from '../manifest/schema';
import { PackageError } from '../package/errors';
import { treeEnsembleFromOnnx } from '../trees/from-onnx';
import { coversFromBackground } from './covers';
import {
  createTreeExplainer,
  treeExplainerFromTables,
  type TreeExplainer,
  type TreeExplainerOptions,
  type TreeShapTables,
} from './treeshap';

export interface BackgroundRows {
  rows: number;
  values: Float32Array;
}

/** TreeSHAP tables another thread already built for this package (shared memory, see treeshap.ts). */
export interface PrebuiltTreeShap {
  covers: 'onnx' | 'background';
  tables: TreeShapTables;
}

export type PackageExplainer =
  | { method: 'treeshap'; covers: 'onnx' | 'background'; explainer: TreeExplainer }
  | { method: 'sampling'; why: string; background: BackgroundRows }
  | { method: 'none'; why: string };

export function explainerForPackage(
  pkg: {
    onnxBytes: Uint8Array;
    manifest: Pick<Manifest, 'model'>;
    background?: BackgroundRows;
    prebuilt?: PrebuiltTreeShap;
  },
  options: TreeExplainerOptions = {},
): PackageExplainer {
  if (pkg.prebuilt) {
    return { method: 'treeshap', covers: pkg.prebuilt.covers, explainer: treeExplainerFromTables(pkg.prebuilt.tables) };
  }
  let read;
  try {
    read = treeEnsembleFromOnnx(pkg.onnxBytes, { nFeatures: pkg.manifest.model.columns });
  } catch (err) {
    if (!(err instanceof PackageError && err.code === 'onnx-unsupported')) throw err;
    const why = `not a tree ensemble TreeSHAP can read (${err.message})`;
    return pkg.background
      ? { method: 'sampling', why, background: pkg.background }
      : { method: 'none', why: `${why}, and the package has no background.json to sample against` };
  }
  const declared = pkg.manifest.model.covers;
  if (read.covers === 'onnx' && declared !== 'background') {
    return { method: 'treeshap', covers: 'onnx', explainer: createTreeExplainer(read.ensemble, options) };
  }
  if (declared === 'onnx') {
    throw new Error(
      'manifest model.covers is "onnx" but model.onnx carries no positive covers in nodes_hitrates; re-import it, or declare covers "background" and ship background.json',
    );
  }
  if (!pkg.background) {
    throw new Error('the tree model has no covers and the package has no background.json to compute them from');
  }
  const counted = coversFromBackground(read.ensemble, pkg.background.values, pkg.background.rows);
  return { method: 'treeshap', covers: 'background', explainer: createTreeExplainer(counted, options) };
}
