/**
 * Reference predictor over a TreeEnsemble, with XGBoost's float32 semantics: inputs and
 * thresholds compared as float32, the margin accumulated in float32 starting from the base
 * margin, tree by tree. Used to check converted models and by tests; serving uses ONNX Runtime.
 */
import type { Tree, TreeEnsemble } from './ensemble';
import { childFor } from './split';

/** Index of the leaf a row reaches in one tree. */
export function leafIndex(tree: Tree, row: ArrayLike<number>): number {
  let node = 0;
  while (tree.feature[node] >= 0) node = childFor(tree, node, Math.fround(row[tree.feature[node]]));
  return node;
}

/** The margin (log-odds, log-count or value) for one row of `nFeatures` columns; NaN is missing. */
export function predictMargin(ensemble: TreeEnsemble, row: ArrayLike<number>): number {
  let margin = Math.fround(ensemble.baseMargin);
  for (const tree of ensemble.trees) margin = Math.fround(margin + tree.value[leafIndex(tree, row)]);
  return margin;
}

/** Inverse link: probability for logit, expected count for log, the value itself for identity. */
export function inverseLink(link: TreeEnsemble['link'], margin: number): number {
  switch (link) {
    case 'logit':
      return 1 / (1 + Math.exp(-margin));
    case 'log':
      return Math.exp(margin);
    case 'identity':
      return margin;
  }
}

export function predict(ensemble: TreeEnsemble, row: ArrayLike<number>): number {
  return inverseLink(ensemble.link, predictMargin(ensemble, row));
}
