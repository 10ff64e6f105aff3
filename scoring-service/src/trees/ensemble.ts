/**
 * A tree ensemble in flat typed arrays: what the ONNX reader and the XGBoost parser
 * produce, and what TreeSHAP and the reference predictor read. Node 0 of each tree is its root.
 *
 * Split rule (XGBoost's and ONNX BRANCH_LT's), in trees/split.ts: x < threshold goes `yes`,
 * NaN goes by `missingYes`, on float32 values. Readers convert other ONNX modes (BRANCH_LEQ,
 * GTE, GT) into this rule, or refuse them.
 */
export interface Tree {
  /** Feature (column) index per node; -1 for a leaf. */
  feature: Int32Array;
  threshold: Float32Array;
  yes: Int32Array;
  no: Int32Array;
  /** 1 when a missing value takes the `yes` branch. */
  missingYes: Uint8Array;
  /** Leaf value (margin units); 0 on internal nodes. */
  value: Float64Array;
  /** Node cover: XGBoost sum_hessian (or a sample count); positive on every reachable node. */
  cover: Float64Array;
}

export interface TreeEnsemble {
  /** Number of model columns (features). */
  nFeatures: number;
  /** Margin added to the sum of leaf values (XGBoost: link(base_score)). */
  baseMargin: number;
  /** prediction = inverse link(margin). */
  link: 'logit' | 'log' | 'identity';
  trees: Tree[];
}
