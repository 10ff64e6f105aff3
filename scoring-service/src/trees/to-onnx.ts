/**
 * TreeEnsemble -> ONNX model (ai.onnx.ml opset 3 tree operators), laid out so ONNX Runtime
 * reproduces XGBoost:
 * - every split is BRANCH_LT (XGBoost's `x < threshold`), missing values follow default_left
 *   through nodes_missing_value_tracks_true;
 * - nodes_hitrates carry the covers (sum_hessian), so TreeSHAP can run from the ONNX file alone;
 * - the base margin is tree 0, a single leaf, instead of base_values: ONNX Runtime adds tree
 *   outputs in float32 in tree order and base_values last, while XGBoost starts from the base
 *   margin; leading with it makes the sums identical (bit for bit on one intra-op thread; measured
 *   up to 2e-6 apart on the gift-demand margins otherwise). metadata_props `base_margin_tree` = "0"
 *   tells our reader (from-onnx.ts) to fold it back into baseMargin; any other reader still gets
 *   the right predictions and the right SHAP values (a constant tree only moves the expected value);
 * - logit: TreeEnsembleClassifier, LOGISTIC, output "probabilities" [N, 2] (column 1 = positive),
 *   encoded as onnxmltools does (labels [0, 1], all leaf weights on class 0: ORT writes [1-p, p]);
 * - log: TreeEnsembleRegressor "margin" [N, 1] followed by Exp -> "prediction" (expected count);
 * - identity: TreeEnsembleRegressor -> "prediction" [N, 1].
 */
import { attribute, encodeModel, ML_DOMAIN, onnx, tensorInfo } from '../onnx/proto';
import type { Tree, TreeEnsemble } from './ensemble';

export interface OnnxWriteOptions {
  /** Graph input name; one float32 tensor [N, nFeatures]. */
  inputName?: string;
  /** Stored in the model's metadata_props (e.g. source objective, base_score). */
  metadata?: Record<string, string>;
  producerVersion?: string;
  docString?: string;
}

export interface OnnxTreeModel {
  bytes: Uint8Array;
  inputName: string;
  /** The output holding the prediction (probabilities [N, 2] or values [N, 1]). */
  outputName: string;
  /** The output holding the margin, when the graph exposes it (regressors). */
  marginOutputName?: string;
}

export const PRODUCER_NAME = 'lead-scoring-importer';

interface NodeTuples {
  treeIds: number[];
  nodeIds: number[];
  featureIds: number[];
  modes: string[];
  values: number[];
  trueIds: number[];
  falseIds: number[];
  missingTrue: number[];
  hitrates: number[];
  leafTree: number[];
  leafNode: number[];
  leafWeight: number[];
}

/** Metadata key marking tree 0 as the base margin (see the file comment). */
export const BASE_MARGIN_TREE_KEY = 'base_margin_tree';

function baseMarginTree(ensemble: TreeEnsemble): Tree {
  // Its cover is the total cover (the root cover of the first real tree), so covers stay positive.
  const cover = ensemble.trees[0]?.cover[0] ?? 1;
  return {
    feature: Int32Array.of(-1),
    threshold: Float32Array.of(0),
    yes: Int32Array.of(-1),
    no: Int32Array.of(-1),
    missingYes: Uint8Array.of(0),
    value: Float64Array.of(Math.fround(ensemble.baseMargin)),
    cover: Float64Array.of(cover),
  };
}

function flatten(trees: Tree[]): NodeTuples {
  const t: NodeTuples = {
    treeIds: [],
    nodeIds: [],
    featureIds: [],
    modes: [],
    values: [],
    trueIds: [],
    falseIds: [],
    missingTrue: [],
    hitrates: [],
    leafTree: [],
    leafNode: [],
    leafWeight: [],
  };
  trees.forEach((tree, treeId) => {
    for (let node = 0; node < tree.feature.length; node++) {
      const leaf = tree.feature[node] < 0;
      t.treeIds.push(treeId);
      t.nodeIds.push(node);
      t.featureIds.push(leaf ? 0 : tree.feature[node]);
      t.modes.push(leaf ? 'LEAF' : 'BRANCH_LT');
      t.values.push(leaf ? 0 : tree.threshold[node]);
      t.trueIds.push(leaf ? 0 : tree.yes[node]);
      t.falseIds.push(leaf ? 0 : tree.no[node]);
      t.missingTrue.push(leaf ? 0 : tree.missingYes[node]);
      t.hitrates.push(tree.cover[node]);
      if (leaf) {
        t.leafTree.push(treeId);
        t.leafNode.push(node);
        t.leafWeight.push(tree.value[node]);
      }
    }
  });
  return t;
}

function nodeAttributes(t: NodeTuples): onnx.IAttributeProto[] {
  return [
    attribute('nodes_treeids', 'ints', t.treeIds),
    attribute('nodes_nodeids', 'ints', t.nodeIds),
    attribute('nodes_featureids', 'ints', t.featureIds),
    attribute('nodes_modes', 'strings', t.modes),
    attribute('nodes_values', 'floats', t.values),
    attribute('nodes_truenodeids', 'ints', t.trueIds),
    attribute('nodes_falsenodeids', 'ints', t.falseIds),
    attribute('nodes_missing_value_tracks_true', 'ints', t.missingTrue),
    attribute('nodes_hitrates', 'floats', t.hitrates),
  ];
}

export function treeEnsembleToOnnx(ensemble: TreeEnsemble, options: OnnxWriteOptions = {}): OnnxTreeModel {
  const inputName = options.inputName ?? 'input';
  const t = flatten([baseMarginTree(ensemble), ...ensemble.trees]);
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const nodes: onnx.INodeProto[] = [];
  const outputs: onnx.IValueInfoProto[] = [];
  let outputName: string;
  let marginOutputName: string | undefined;

  if (ensemble.link === 'logit') {
    outputName = 'probabilities';
    nodes.push({
      opType: 'TreeEnsembleClassifier',
      domain: ML_DOMAIN,
      name: 'trees',
      input: [inputName],
      output: ['label', outputName],
      attribute: [
        ...nodeAttributes(t),
        attribute('class_treeids', 'ints', t.leafTree),
        attribute('class_nodeids', 'ints', t.leafNode),
        attribute('class_ids', 'ints', new Array<number>(t.leafTree.length).fill(0)),
        attribute('class_weights', 'floats', t.leafWeight),
        attribute('classlabels_int64s', 'ints', [0, 1]),
        attribute('post_transform', 'string', 'LOGISTIC'),
      ],
    });
    outputs.push(tensorInfo('label', onnx.TensorProto.DataType.INT64, ['N']), tensorInfo(outputName, FLOAT, ['N', 2]));
  } else {
    const regressorOut = ensemble.link === 'log' ? 'margin' : 'prediction';
    nodes.push({
      opType: 'TreeEnsembleRegressor',
      domain: ML_DOMAIN,
      name: 'trees',
      input: [inputName],
      output: [regressorOut],
      attribute: [
        ...nodeAttributes(t),
        attribute('target_treeids', 'ints', t.leafTree),
        attribute('target_nodeids', 'ints', t.leafNode),
        attribute('target_ids', 'ints', new Array<number>(t.leafTree.length).fill(0)),
        attribute('target_weights', 'floats', t.leafWeight),
        attribute('n_targets', 'int', 1),
        attribute('aggregate_function', 'string', 'SUM'),
        attribute('post_transform', 'string', 'NONE'),
      ],
    });
    outputs.push(tensorInfo(regressorOut, FLOAT, ['N', 1]));
    if (ensemble.link === 'log') {
      // exp(margin) = base_score * exp(sum of leaves): the expected count, as XGBoost predicts it.
      marginOutputName = regressorOut;
      outputName = 'prediction';
      nodes.push({ opType: 'Exp', domain: '', name: 'inverse_link', input: [regressorOut], output: [outputName] });
      outputs.push(tensorInfo(outputName, FLOAT, ['N', 1]));
    } else {
      outputName = regressorOut;
      marginOutputName = regressorOut;
    }
  }

  const model: onnx.IModelProto = {
    irVersion: 8,
    opsetImport: [
      { domain: '', version: 13 },
      { domain: ML_DOMAIN, version: 3 },
    ],
    producerName: PRODUCER_NAME,
    producerVersion: options.producerVersion ?? '',
    docString: options.docString ?? '',
    graph: {
      name: 'tree_ensemble',
      node: nodes,
      input: [tensorInfo(inputName, FLOAT, ['N', ensemble.nFeatures])],
      output: outputs,
    },
    metadataProps: Object.entries({
      ...(options.metadata ?? {}),
      link: ensemble.link,
      [BASE_MARGIN_TREE_KEY]: '0',
    }).map(([key, value]) => ({ key, value })),
  };
  return { bytes: encodeModel(model), inputName, outputName, marginOutputName };
}
