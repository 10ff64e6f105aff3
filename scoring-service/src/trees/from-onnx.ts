/**
 * ONNX tree ensemble -> TreeEnsemble, for TreeSHAP and the reference predictor.
 *
 * Reads TreeEnsembleClassifier / TreeEnsembleRegressor (ai.onnx.ml opset 1-3) and the opset-5
 * TreeEnsemble, with covers from nodes_hitrates. Every split is rewritten to the `x < t`
 * rule exactly (float32 thresholds: `x <= t` is `x < nextUp(t)`), and the link is taken from
 * the post transform or from an Exp (and optional Mul by a constant) after a regressor.
 * Anything else (EQ/NEQ/set-membership splits, softmax, averaging, several targets) is refused.
 */
import { Attributes, decodeModel, ML_DOMAIN, onnx, tensorValues, toNumber } from '../onnx/proto';
import { BASE_MARGIN_TREE_KEY } from './to-onnx';
import type { Tree, TreeEnsemble } from './ensemble';
import { PackageError } from '../package/errors';

export interface OnnxTreeEnsemble {
  ensemble: TreeEnsemble;
  /** "onnx" when nodes_hitrates gave a positive cover on every node; "none" otherwise (compute them from background data). */
  covers: 'onnx' | 'none';
  operator: 'TreeEnsembleClassifier' | 'TreeEnsembleRegressor' | 'TreeEnsemble';
  inputName: string;
  /** The graph output holding the prediction (probability column 1, expected count or value). */
  outputName: string;
  /** model.metadata_props. */
  metadata: Record<string, string>;
}

const TREE_OPS = ['TreeEnsembleClassifier', 'TreeEnsembleRegressor', 'TreeEnsemble'] as const;
type TreeOp = (typeof TREE_OPS)[number];

/** Opset-5 enums are integers; map them to the opset-3 names. */
const V5_MODES = ['BRANCH_LEQ', 'BRANCH_LT', 'BRANCH_GTE', 'BRANCH_GT', 'BRANCH_EQ', 'BRANCH_NEQ', 'BRANCH_MEMBER'];
const V5_POST_TRANSFORMS = ['NONE', 'SOFTMAX', 'LOGISTIC', 'SOFTMAX_ZERO', 'PROBIT'];
const V5_AGGREGATES = ['AVERAGE', 'SUM', 'MIN', 'MAX'];

/** The smallest float32 above x: `x <= t` is the same test as `x < nextUp(t)` on float32 inputs. */
export function nextUpFloat32(x: number): number {
  const f = new Float32Array([x]);
  const bits = new Int32Array(f.buffer);
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === 0) {
    bits[0] = 1; // smallest positive subnormal (covers -0 too)
  } else if (f[0] > 0) {
    bits[0] += 1;
  } else {
    bits[0] -= 1;
  }
  return f[0] + 0; // nextUp(-min subnormal) is -0; x < -0 and x < 0 are the same test
}

/** One node as read from any operator version, before conversion to the `x < t` rule. */
interface RawNode {
  feature: number;
  mode: string;
  threshold: number;
  trueChild: number;
  falseChild: number;
  missingTrue: boolean;
  cover: number;
  value: number;
}

function fail(message: string): never {
  throw new PackageError('onnx-unsupported', message);
}

/** Turns raw nodes of one tree (root at index 0, children as indices) into the TreeEnsemble layout. */
function buildTree(nodes: RawNode[], treeLabel: string): Tree {
  const n = nodes.length;
  const tree: Tree = {
    feature: new Int32Array(n),
    threshold: new Float32Array(n),
    yes: new Int32Array(n),
    no: new Int32Array(n),
    missingYes: new Uint8Array(n),
    value: new Float64Array(n),
    cover: new Float64Array(n),
  };
  nodes.forEach((node, i) => {
    tree.cover[i] = node.cover;
    if (node.mode === 'LEAF') {
      tree.feature[i] = -1;
      tree.yes[i] = -1;
      tree.no[i] = -1;
      tree.value[i] = node.value;
      return;
    }
    const t = Math.fround(node.threshold);
    let threshold: number;
    let swap: boolean;
    switch (node.mode) {
      case 'BRANCH_LT': // true when x < t
        [threshold, swap] = [t, false];
        break;
      case 'BRANCH_LEQ': // true when x <= t, i.e. x < nextUp(t)
        [threshold, swap] = [nextUpFloat32(t), false];
        break;
      case 'BRANCH_GTE': // true when x >= t, i.e. not x < t
        [threshold, swap] = [t, true];
        break;
      case 'BRANCH_GT': // true when x > t, i.e. not x < nextUp(t)
        [threshold, swap] = [nextUpFloat32(t), true];
        break;
      default:
        fail(
          `${treeLabel}: split mode ${node.mode} cannot be expressed as a numeric threshold split; only BRANCH_LT, BRANCH_LEQ, BRANCH_GTE and BRANCH_GT are read`,
        );
    }
    tree.feature[i] = node.feature;
    tree.threshold[i] = threshold;
    tree.yes[i] = swap ? node.falseChild : node.trueChild;
    tree.no[i] = swap ? node.trueChild : node.falseChild;
    // A NaN input fails every comparison, so it goes to the false child unless tracked to the true one.
    const missingChild = node.missingTrue ? node.trueChild : node.falseChild;
    tree.missingYes[i] = missingChild === tree.yes[i] ? 1 : 0;
  });
  return tree;
}

/** Renumbers a tree in preorder from its root, checking it is a proper tree. */
function preorder(
  nodes: RawNode[],
  root: number,
  childOf: (node: RawNode) => [number, number],
  treeLabel: string,
): RawNode[] {
  const out: RawNode[] = [];
  const seen = new Set<number>();
  const walk = (index: number): number => {
    if (index < 0 || index >= nodes.length) fail(`${treeLabel}: a child refers to node ${index}, which does not exist`);
    if (seen.has(index)) fail(`${treeLabel}: node ${index} is reached twice (not a tree)`);
    seen.add(index);
    const node = nodes[index];
    const at = out.length;
    out.push({ ...node });
    if (node.mode !== 'LEAF') {
      const [t, f] = childOf(node);
      // Number the `x < t` side first, whichever ONNX branch it is, so layouts match XGBoost's.
      if (node.mode === 'BRANCH_GTE' || node.mode === 'BRANCH_GT') {
        out[at].falseChild = walk(f);
        out[at].trueChild = walk(t);
      } else {
        out[at].trueChild = walk(t);
        out[at].falseChild = walk(f);
      }
    }
    return at;
  };
  walk(root);
  return out;
}

function readV3(
  node: onnx.INodeProto,
  op: TreeOp,
  label: string,
): { trees: RawNode[][]; base: number; postTransform: string } {
  const a = new Attributes(node);
  const need = (name: string): number[] => {
    const v = a.ints(name) ?? a.floats(name) ?? a.floats(`${name}_as_tensor`);
    if (!v) fail(`${label}: attribute ${name} is missing`);
    return v;
  };
  const treeIds = need('nodes_treeids');
  const nodeIds = need('nodes_nodeids');
  const featureIds = need('nodes_featureids');
  const modes = a.strings('nodes_modes') ?? fail(`${label}: attribute nodes_modes is missing`);
  const values =
    a.floats('nodes_values') ??
    a.floats('nodes_values_as_tensor') ??
    fail(`${label}: attribute nodes_values is missing`);
  const trueIds = need('nodes_truenodeids');
  const falseIds = need('nodes_falsenodeids');
  const missing = a.ints('nodes_missing_value_tracks_true') ?? [];
  const hitrates = a.floats('nodes_hitrates') ?? a.floats('nodes_hitrates_as_tensor') ?? [];
  const prefix = op === 'TreeEnsembleClassifier' ? 'class' : 'target';
  const leafTrees = need(`${prefix}_treeids`);
  const leafNodes = need(`${prefix}_nodeids`);
  const leafIds = need(`${prefix}_ids`);
  const leafWeights =
    a.floats(`${prefix}_weights`) ??
    a.floats(`${prefix}_weights_as_tensor`) ??
    fail(`${label}: attribute ${prefix}_weights is missing`);
  const n = treeIds.length;
  for (const [name, arr] of Object.entries({
    nodes_nodeids: nodeIds,
    nodes_featureids: featureIds,
    nodes_modes: modes,
    nodes_values: values,
    nodes_truenodeids: trueIds,
    nodes_falsenodeids: falseIds,
  })) {
    if (arr.length !== n) fail(`${label}: ${name} has ${arr.length} entries but nodes_treeids has ${n}`);
  }

  if (op === 'TreeEnsembleClassifier') {
    const labels = a.ints('classlabels_int64s') ?? a.strings('classlabels_strings') ?? [];
    if (labels.length !== 2)
      fail(
        `${label}: ${labels.length} class labels; only binary classifiers are read (multi-class has no single score)`,
      );
    if (leafIds.some((id) => id !== 0))
      fail(
        `${label}: leaf weights vote for class 1 as well as class 0; only the binary layout with all class_ids = 0 (one margin, [1-p, p] output) is read`,
      );
  } else {
    const nTargets = a.int('n_targets') ?? 1;
    if (nTargets !== 1 || leafIds.some((id) => id !== 0))
      fail(`${label}: ${nTargets} targets; only single-target regressors are read`);
    const aggregate = a.string('aggregate_function') ?? 'SUM';
    if (aggregate !== 'SUM') fail(`${label}: aggregate_function ${aggregate}; only SUM (boosted trees) is read`);
  }

  const baseValues = a.floats('base_values') ?? a.floats('base_values_as_tensor') ?? [];
  if (baseValues.length > 1) fail(`${label}: ${baseValues.length} base_values; only one margin is read`);

  // Group nodes by tree; node ids index within the tree.
  const byTree = new Map<number, Map<number, RawNode>>();
  for (let i = 0; i < n; i++) {
    const tree = byTree.get(treeIds[i]) ?? new Map<number, RawNode>();
    byTree.set(treeIds[i], tree);
    if (tree.has(nodeIds[i])) fail(`${label}: tree ${treeIds[i]} lists node ${nodeIds[i]} twice`);
    tree.set(nodeIds[i], {
      feature: featureIds[i],
      mode: modes[i],
      threshold: values[i],
      trueChild: trueIds[i],
      falseChild: falseIds[i],
      missingTrue: missing[i] === 1,
      cover: hitrates.length === n ? hitrates[i] : 0,
      value: 0,
    });
  }
  const voted = new Set<RawNode>();
  for (let i = 0; i < leafTrees.length; i++) {
    const leaf = byTree.get(leafTrees[i])?.get(leafNodes[i]);
    if (!leaf || leaf.mode !== 'LEAF')
      fail(`${label}: a leaf weight refers to tree ${leafTrees[i]} node ${leafNodes[i]}, which is not a leaf`);
    // Several votes of the same class on one leaf add up, as the runtime does.
    leaf.value = voted.has(leaf) ? Math.fround(leaf.value + leafWeights[i]) : Math.fround(leafWeights[i]);
    voted.add(leaf);
  }

  const trees = [...byTree.entries()]
    .sort(([x], [y]) => x - y)
    .map(([treeId, nodes]) => {
      const ids = [...nodes.keys()];
      const index = new Map(ids.map((id, k) => [id, k]));
      const list = ids.map((id) => nodes.get(id)!);
      const children = new Set<number>();
      for (const node of list) if (node.mode !== 'LEAF') children.add(node.trueChild).add(node.falseChild);
      const roots = ids.filter((id) => !children.has(id));
      if (roots.length !== 1) fail(`${label}: tree ${treeId} has ${roots.length} roots`);
      const toIndex = (id: number): number =>
        index.get(id) ?? fail(`${label}: tree ${treeId} refers to node ${id}, which does not exist`);
      return preorder(
        list,
        toIndex(roots[0]),
        (node) => [toIndex(node.trueChild), toIndex(node.falseChild)],
        `${label}: tree ${treeId}`,
      );
    });
  return { trees, base: baseValues[0] ?? 0, postTransform: a.string('post_transform') ?? 'NONE' };
}

function readV5(node: onnx.INodeProto, label: string): { trees: RawNode[][]; base: number; postTransform: string } {
  const a = new Attributes(node);
  const need = (name: string): number[] =>
    a.ints(name) ?? a.floats(name) ?? fail(`${label}: attribute ${name} is missing`);
  const roots = need('tree_roots');
  const featureIds = need('nodes_featureids');
  const splits = need('nodes_splits');
  const modes = need('nodes_modes').map((m) => V5_MODES[m] ?? `mode ${m}`);
  const trueIds = need('nodes_truenodeids');
  const falseIds = need('nodes_falsenodeids');
  const trueLeafs = need('nodes_trueleafs');
  const falseLeafs = need('nodes_falseleafs');
  const missing = a.ints('nodes_missing_value_tracks_true') ?? [];
  const leafTargets = need('leaf_targetids');
  const leafWeights = need('leaf_weights');
  if ((a.int('n_targets') ?? 1) !== 1 || leafTargets.some((t) => t !== 0))
    fail(`${label}: several targets; only single-target ensembles are read`);
  const aggregate = V5_AGGREGATES[a.int('aggregate_function') ?? 1];
  if (aggregate !== 'SUM') fail(`${label}: aggregate_function ${aggregate}; only SUM (boosted trees) is read`);
  // Opset 5 has no hit rates on leaves, so covers cannot be complete: they are left at 0 (covers "none").
  const n = featureIds.length;
  const interior: RawNode[] = featureIds.map((feature, i) => ({
    feature,
    mode: modes[i],
    threshold: splits[i],
    trueChild: 0,
    falseChild: 0,
    missingTrue: missing[i] === 1,
    cover: 0,
    value: 0,
  }));
  const leaves: RawNode[] = leafWeights.map((w) => ({
    feature: -1,
    mode: 'LEAF',
    threshold: 0,
    trueChild: -1,
    falseChild: -1,
    missingTrue: false,
    cover: 0,
    value: Math.fround(w),
  }));
  // One index space: interior nodes first, then leaves.
  const all = [...interior, ...leaves];
  interior.forEach((node, i) => {
    node.trueChild = trueLeafs[i] ? n + trueIds[i] : trueIds[i];
    node.falseChild = falseLeafs[i] ? n + falseIds[i] : falseIds[i];
  });
  const trees = roots.map((root, k) => {
    const rootNode = interior[root];
    // A single-leaf tree is written as a node whose two branches reach the same leaf.
    if (rootNode && rootNode.trueChild === rootNode.falseChild && trueLeafs[root])
      return [{ ...all[rootNode.trueChild] }];
    return preorder(all, root, (node) => [node.trueChild, node.falseChild], `${label}: tree ${k}`);
  });
  return { trees, base: 0, postTransform: V5_POST_TRANSFORMS[a.int('post_transform') ?? 0] ?? 'unknown' };
}

function constantOf(graph: onnx.IGraphProto, name: string): number | undefined {
  const init = graph.initializer?.find((t) => t.name === name);
  if (init) {
    const v = tensorValues(init);
    return v.length === 1 ? v[0] : undefined;
  }
  const producer = graph.node?.find((n) => n.opType === 'Constant' && n.output?.includes(name));
  const t = producer?.attribute?.find((x) => x.name === 'value')?.t;
  if (t) {
    const v = tensorValues(t);
    return v.length === 1 ? v[0] : undefined;
  }
  return undefined;
}

/** Reads the tree ensemble of an ONNX model (bytes of model.onnx). */
export function treeEnsembleFromOnnx(bytes: Uint8Array, options: { nFeatures?: number } = {}): OnnxTreeEnsemble {
  let model: onnx.ModelProto;
  try {
    model = decodeModel(bytes);
  } catch (err) {
    throw new PackageError('onnx-invalid', `not an ONNX model: ${(err as Error).message}`);
  }
  const graph = model.graph;
  if (!graph) throw new PackageError('onnx-invalid', 'the ONNX model has no graph');
  const treeNodes = (graph.node ?? []).filter(
    (n) => (n.domain ?? '') === ML_DOMAIN && (TREE_OPS as readonly string[]).includes(n.opType ?? ''),
  );
  if (treeNodes.length !== 1) fail(`the graph has ${treeNodes.length} tree ensemble operators; exactly one is read`);
  const node = treeNodes[0];
  const op = node.opType as TreeOp;
  const label = `${op} "${node.name ?? ''}"`;

  const graphInputs = (graph.input ?? []).filter((i) => !(graph.initializer ?? []).some((t) => t.name === i.name));
  if (graphInputs.length !== 1)
    fail(`the graph has ${graphInputs.length} inputs; one float tensor [N, columns] is expected`);
  const input = graphInputs[0];
  if (node.input?.[0] !== input.name)
    fail(`${label} does not read the graph input "${input.name}" directly (preprocessing nodes are not read)`);
  const dims = input.type?.tensorType?.shape?.dim ?? [];
  const declaredColumns = dims.length === 2 && dims[1].dimValue ? toNumber(dims[1].dimValue as number) : undefined;

  const {
    trees: rawTrees,
    base,
    postTransform,
  } = op === 'TreeEnsemble' ? readV5(node, label) : readV3(node, op, label);

  // The link: from the post transform, or from the nodes after a regressor.
  let link: TreeEnsemble['link'];
  let baseMargin = base;
  let outputName = op === 'TreeEnsembleClassifier' ? (node.output?.[1] ?? '') : (node.output?.[0] ?? '');
  if (postTransform === 'LOGISTIC') {
    link = 'logit';
  } else if (postTransform === 'NONE' && op !== 'TreeEnsembleClassifier') {
    link = 'identity';
    const consumers = (name: string): onnx.INodeProto[] => (graph.node ?? []).filter((n) => n.input?.includes(name));
    const next = consumers(outputName);
    if (next.length === 1 && next[0].opType === 'Exp') {
      link = 'log';
      outputName = next[0].output![0];
      // onnxmltools writes exp(sum) * base_score: fold the factor into the margin as ln(base_score).
      const after = consumers(outputName);
      if (after.length === 1 && after[0].opType === 'Mul') {
        const other = after[0].input!.find((x) => x !== outputName)!;
        const factor = constantOf(graph, other);
        if (factor === undefined || !(factor > 0))
          fail(`the Mul after Exp multiplies by "${other}", which is not one positive constant`);
        baseMargin = Math.fround(baseMargin + Math.log(factor));
        outputName = after[0].output![0];
      }
    } else if (next.length > 0) {
      fail(
        `the regressor output feeds ${next.map((x) => x.opType).join(', ')}; only an optional Exp (and Mul by a constant) is read`,
      );
    }
  } else {
    fail(
      `${label}: post_transform ${postTransform} is not read; binary classifiers need LOGISTIC, regressors NONE (optionally followed by Exp)`,
    );
  }

  let maxFeature = -1;
  for (const t of rawTrees) for (const x of t) if (x.mode !== 'LEAF') maxFeature = Math.max(maxFeature, x.feature);
  const nFeatures = options.nFeatures ?? declaredColumns ?? maxFeature + 1;
  if (maxFeature >= nFeatures)
    fail(`${label}: a split uses column ${maxFeature}, but the input has ${nFeatures} columns`);

  const trees = rawTrees.map((t, i) => buildTree(t, `${label}: tree ${i}`));
  const metadata = Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
  // Our writer carries the base margin as a leading single-leaf tree (see write-tree-ensemble.ts).
  if (metadata[BASE_MARGIN_TREE_KEY] === '0' && trees.length > 1 && trees[0].feature.length === 1) {
    baseMargin = Math.fround(baseMargin + trees[0].value[0]);
    trees.shift();
  }
  const covers = trees.every((t) => t.cover.every((c) => c > 0)) ? 'onnx' : 'none';
  return {
    ensemble: { nFeatures, baseMargin: Math.fround(baseMargin), link, trees },
    covers,
    operator: op,
    inputName: input.name ?? '',
    outputName,
    metadata,
  };
}
