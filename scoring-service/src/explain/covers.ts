/**
 * Node covers from background rows, for tree models whose file carries none (ONNX made by
 * tools that drop nodes_hitrates). Path-dependent TreeSHAP weighs the branches a feature
 * could have taken by their covers; with no training statistics, the share of the
 * package's background rows that went each way is the honest stand-in. The manifest then
 * says `model.covers: "background"`, and the values are exact Shapley values for those
 * covers (not XGBoost's, which used hessian sums).
 */
import type { TreeEnsemble } from '../trees/ensemble';
import { childFor } from '../trees/split';

/**
 * A copy of the ensemble whose covers are the number of background rows reaching each node
 * (routed by the split rule, trees/split.ts). A node no row reaches
 * gets cover 0; the explainer then splits evenly below it, and such branches weigh nothing
 * in the expected value.
 */
export function coversFromBackground(ensemble: TreeEnsemble, rows: Float32Array, nRows: number): TreeEnsemble {
  const width = ensemble.nFeatures;
  if (!Number.isInteger(nRows) || nRows < 1)
    throw new RangeError(`covers need at least one background row, got ${nRows}`);
  if (rows.length < nRows * width)
    throw new RangeError(
      `background holds ${rows.length} values; ${nRows} rows of ${width} columns need ${nRows * width}`,
    );
  const trees = ensemble.trees.map((tree) => {
    const cover = new Float64Array(tree.feature.length);
    for (let r = 0; r < nRows; r++) {
      const base = r * width;
      let node = 0;
      cover[0]++;
      while (tree.feature[node] >= 0) {
        node = childFor(tree, node, rows[base + tree.feature[node]]);
        cover[node]++;
      }
    }
    return { ...tree, cover };
  });
  return { ...ensemble, trees };
}
