/**
 * Reference predictor over a TreeEnsemble, with XGBoost's float32 semantics: inputs and
 * thresholds compared as float32, the margin accumulated in float32 starting from the base
 * margin, tree by tree. Used to check converted models and by tests; serving uses ONNX Runtime.
 */
import type { Tree, TreeEnsemble } from './ensemble';

/** Index of the leaf a row reaches in one tree. */
export function leafIndex(tree: Tree, row: ArrayLike<number>): number {
  let node = 0;
  while (tree.feature[node] >= 0) {
    const x = Math.fround(row[tree.feature[node]]);
    if (Number.isNaN(x)) node = tree.missingYes[node] ? tree.yes[node] : tree.no[node];
    else node = x < tree.threshold[node] ? tree.yes[node] : tree.no[node];
  }
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

/** Margins for a row-major batch (rows.length = n * nFeatures). */
export function predictMargins(ensemble: TreeEnsemble, rows: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n);
  const width = ensemble.nFeatures;
  for (let r = 0; r < n; r++) {
    const start = r * width;
    const row = ArrayBuffer.isView(rows)
      ? (rows as Float32Array).subarray(start, start + width)
      : Array.prototype.slice.call(rows, start, start + width);
    out[r] = predictMargin(ensemble, row as ArrayLike<number>);
  }
  return out;
}
