/**
 * Exact path-dependent TreeSHAP (the values XGBoost's `pred_contribs` returns), with a
 * per-model precomputation so that explaining a row costs O(trees x leaves x depth) and,
 * in practice, about 200 nanoseconds per tree of depth 6.
 *
 * Why it is fast (FastTreeSHAP v2's idea, taken further for flat typed arrays):
 * for one leaf with d unique path features, cover fractions z_j and bits o_j ("the row
 * follows the path on feature j"), the leaf's contribution to feature k is
 *
 *   v * (o_k - z_k) * integral_0^1 prod_{j != k} ((1 - t) z_j + t o_j) dt
 *
 * (the Shapley weights s!(d-s-1)!/d! are Beta integrals; Gauss-Legendre with ceil(d/2)
 * points evaluates it exactly). The row enters only through bits, so everything else is
 * tabulated once per model:
 *  - each tree is cut into a "top" part and "blocks": small subtrees (or single leaves);
 *  - a block's table holds, for every combination of (which path features above the block
 *    the row leaves, which way the row goes at each of the block's own nodes), the summed
 *    contributions of all the block's leaves to every feature they touch.
 * Explaining a row is then: one compare per internal node (top nodes pass a bit mask down,
 * block nodes OR their direction into their block's index), and one table row added per
 * block. No polynomial arithmetic per row, and far fewer additions than one row per leaf.
 *
 * Subtrees whose table would be too large (deep paths, or over the memory budget) are
 * evaluated per row with the same formula, leaf by leaf (O(d^2) per leaf); a tree with many
 * such leaves takes the path method instead (linear-treeshap.ts: one pass over the tree per row).
 *
 * Tables are summed in float64 and stored as float32 (half the memory, ~12% faster): each
 * entry carries a relative rounding error of 6e-8, far inside the 1e-5 agreement with XGBoost,
 * which itself computes pred_contribs in float32.
 *
 * Features repeated along a path are merged as XGBoost and Lundberg et al. do: one unique
 * feature with z = product of its edges' cover fractions and o = AND of its edges' bits.
 */
import type { Tree, TreeEnsemble } from '../trees/ensemble';
import { goesYes } from '../trees/split';
import { buildPathTree, explainPathTree, PathScratch, type PathTree } from './linear-treeshap';
import { gaussLegendre01 } from './quadrature';

export interface TreeExplainerOptions {
  /**
   * Largest table for one block, in values, for every tree. Larger blocks mean fewer additions
   * per row and more memory. Default: per tree, by its depth (blockEntriesFor).
   */
  maxBlockEntries?: number;
  /** Memory budget for all tables together, in bytes (default 256 MiB). Subtrees beyond it are evaluated per row. */
  tableBudgetBytes?: number;
  /**
   * Which trees take the path method: 'auto' (default) those whose untabulated leaves would cost
   * more (pathMethodIsCheaper), 'off' none (untabulated leaves one by one), 'all' every tree.
   */
  pathMethod?: 'auto' | 'off' | 'all';
}

export interface TreeExplainer {
  /** Model columns; explain() returns nFeatures + 1 values per row. */
  readonly nFeatures: number;
  /** The bias column: base margin + the cover-weighted mean prediction of every tree (XGBoost's last pred_contribs column). */
  readonly expectedValue: number;
  /** Bytes held by the precomputed tables. */
  readonly tableBytes: number;
  /** Leaves evaluated per row because they got no table (0 for ordinary models). */
  readonly untabulatedLeaves: number;
  /** Trees explained by the path method instead (0 for ordinary models). */
  readonly pathTrees: number;
  /**
   * Everything explain() reads, built once per model: typed arrays over SharedArrayBuffers, so
   * a worker posting it to another shares the memory (treeExplainerFromTables) instead of copying
   * or rebuilding it.
   */
  readonly tables: TreeShapTables;
  /**
   * SHAP values in margin space for nRows rows (row-major float32, nFeatures columns, NaN = missing):
   * nRows x (nFeatures + 1), the last column of each row being expectedValue. Each row sums to its margin.
   */
  explain(rows: Float32Array, nRows: number, out?: Float64Array): Float64Array;
}

/**
 * Per tree: the path method (linear-treeshap.ts) instead of tables plus leaves evaluated one by
 * one, when the leaves without a table would cost more. Measured on the depth-8 x 120-tree
 * shape with no tables at all (docs/performance.md, "Deep trees"): about 0.6 us per untabulated
 * leaf against 0.15 us per node for the path method. With tables, both lose by far (about
 * 0.02 us per leaf), so this only decides trees the table budget or the leaf size leaves out.
 */
function pathMethodIsCheaper(untabulatedLeaves: number, nodes: number): boolean {
  return untabulatedLeaves * 0.6 > nodes * 0.15;
}

/**
 * Block size by tree depth. Trees with up to 6 unique features on a path are fastest with small
 * blocks; deeper trees with large ones, which absorb leaves whose own tables (2^d x d values)
 * would otherwise be read one by one. Measured on this project's shapes (docs/performance.md,
 * "Deep trees"), 200-row batches, us/row at 1,024 / 4,096 / 16,384 entries:
 * depth 6 x 300 trees 140 / 148 / 152; depth 8 x 120 trees 661 / 453 / 423; depth 10 x 30 trees
 * 704 / 474 / 342.
 */
export function blockEntriesFor(maxPathFeatures: number): number {
  return maxPathFeatures <= 6 ? 1024 : 16384;
}
const DEFAULT_TABLE_BUDGET = 256 * 1024 * 1024;
/** Block indexes are int32 bit masks. */
const MASK_BITS = 30;
/** A single leaf gets a table up to this size (2^d x d: d <= 9 unique path features). */
const MAX_LEAF_ENTRIES = 8192;

/** One tree's nodes in preorder, validated; the yes child of node i is node i + 1. */
interface PreorderTree {
  order: Int32Array; // preorder position -> original node id
  position: Int32Array; // original node id -> preorder position
}

function preorder(tree: Tree, treeIndex: number, nFeatures: number): PreorderTree {
  const nNodes = tree.feature.length;
  const where = `tree ${treeIndex}`;
  for (const [name, arr] of Object.entries({
    threshold: tree.threshold,
    yes: tree.yes,
    no: tree.no,
    missingYes: tree.missingYes,
    value: tree.value,
    cover: tree.cover,
  })) {
    if (arr.length !== nNodes) throw new Error(`${where}: ${name} has ${arr.length} entries, feature has ${nNodes}`);
  }
  if (nNodes === 0) throw new Error(`${where} has no nodes`);
  const order = new Int32Array(nNodes);
  const position = new Int32Array(nNodes).fill(-1);
  const stack = [0];
  let next = 0;
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (position[node] !== -1) throw new Error(`${where}: node ${node} is reached twice (not a tree)`);
    position[node] = next;
    order[next++] = node;
    const f = tree.feature[node];
    if (f >= 0) {
      if (f >= nFeatures) throw new Error(`${where}: node ${node} splits on column ${f}, the model has ${nFeatures}`);
      const yes = tree.yes[node];
      const no = tree.no[node];
      for (const child of [yes, no]) {
        if (!(child > 0 && child < nNodes))
          throw new Error(`${where}: node ${node} has child ${child} outside 1..${nNodes - 1}`);
      }
      if (yes === no) throw new Error(`${where}: node ${node} has the same yes and no child`);
      stack.push(no, yes); // yes is visited first, so it directly follows its parent
    }
  }
  // Unreachable nodes are allowed (and ignored); only the reachable part is laid out.
  return { order: order.subarray(0, next), position };
}

/** Cover fraction of an edge; a parent no data reached splits evenly (its leaves then weigh nothing in the mean). */
function coverFraction(child: number, parent: number): number {
  if (!(parent > 0)) return 0.5;
  return child > 0 ? child / parent : 0;
}

/** A leaf's path as TreeSHAP needs it. */
export interface LeafPath {
  value: number;
  features: number[]; // unique path features, first-occurrence order
  zero: number[]; // cover fraction per unique feature (product over its edges)
  edges: Array<{ node: number; yes: number; pos: number }>; // node = preorder index of the edge's parent
}

interface NodeInfo {
  feature: number; // -1 for a leaf
  threshold: number;
  missingYes: number;
  yes: number; // preorder indexes
  no: number;
  /** Unique features on the path from the root down to (not including) this node. */
  pathFeatures: number[];
  /** Internal nodes in this subtree (0 for a leaf) and the features they split on. */
  internalCount: number;
  subtreeFeatures: Set<number>;
  leaf?: LeafPath;
}

/** Every node of one tree (indexed by preorder position) with its path, plus the tree's cover-weighted mean. */
function analyseTree(tree: Tree, position: Int32Array): { nodes: NodeInfo[]; mean: number } {
  const nodes: NodeInfo[] = [];
  const features: number[] = [];
  const zero: number[] = [];
  const edges: LeafPath['edges'] = [];
  const visit = (node: number): { mean: number; internal: number; feats: Set<number> } => {
    const local = position[node];
    const f = tree.feature[node];
    const info: NodeInfo = {
      feature: f,
      threshold: f >= 0 ? tree.threshold[node] : 0,
      missingYes: tree.missingYes[node] ? 1 : 0,
      yes: f >= 0 ? position[tree.yes[node]] : -1,
      no: f >= 0 ? position[tree.no[node]] : -1,
      pathFeatures: [...features],
      internalCount: 0,
      subtreeFeatures: new Set(),
    };
    nodes[local] = info;
    if (f < 0) {
      info.leaf = {
        value: tree.value[node],
        features: [...features],
        zero: [...zero],
        edges: edges.map((e) => ({ ...e })),
      };
      return { mean: tree.value[node], internal: 0, feats: info.subtreeFeatures };
    }
    let pos = features.indexOf(f);
    const added = pos < 0;
    if (added) {
      pos = features.length;
      features.push(f);
      zero.push(1);
    }
    let mean = 0;
    let internal = 1;
    const feats = new Set([f]);
    for (const [child, isYes] of [
      [tree.yes[node], 1],
      [tree.no[node], 0],
    ] as const) {
      const z = coverFraction(tree.cover[child], tree.cover[node]);
      const before = zero[pos];
      zero[pos] = before * z;
      edges.push({ node: local, yes: isYes, pos });
      const sub = visit(child);
      mean += z * sub.mean;
      internal += sub.internal;
      sub.feats.forEach((x) => feats.add(x));
      edges.pop();
      zero[pos] = before;
    }
    if (added) {
      features.pop();
      zero.pop();
    }
    info.internalCount = internal;
    info.subtreeFeatures = feats;
    return { mean, internal, feats };
  };
  const mean = visit(0).mean;
  return { nodes, mean };
}

/** How one tree is cut: top nodes pass masks down, blocks are tabulated subtrees, slow leaves are computed per row. */
interface TreePlan {
  top: number[]; // preorder indexes of top internal nodes (ascending)
  blocks: number[]; // block roots
  slow: number[]; // leaves without a table
  bytes: number; // table memory the blocks take
}

function planTree(nodes: NodeInfo[], maxEntries: number, budget: { left: number }): TreePlan {
  const plan: TreePlan = { top: [], blocks: [], slow: [], bytes: 0 };
  const assign = (local: number): void => {
    const n = nodes[local];
    const dB = n.pathFeatures.length;
    const k = n.internalCount;
    if (n.leaf && n.leaf.features.length === 0) return; // a single-leaf tree only moves the bias
    const width = new Set([...n.pathFeatures, ...n.subtreeFeatures]).size;
    const entries = dB + k <= MASK_BITS ? 2 ** (dB + k) * width : Infinity;
    const limit = n.leaf ? Math.max(maxEntries, MAX_LEAF_ENTRIES) : maxEntries;
    if (entries <= limit && entries * 4 <= budget.left) {
      budget.left -= entries * 4;
      plan.bytes += entries * 4;
      plan.blocks.push(local);
    } else if (n.leaf) {
      plan.slow.push(local);
    } else {
      plan.top.push(local);
      assign(n.yes);
      assign(n.no);
    }
  };
  assign(0);
  plan.top.sort((a, b) => a - b);
  return plan;
}

/** What explain() reads: flat typed arrays over SharedArrayBuffers, plus the untabulated leaves' paths. */
export interface TreeShapTables {
  nFeatures: number;
  expectedValue: number;
  nTrees: number;
  maxNodes: number;
  maxDepth: number;
  topStart: Int32Array;
  blockStart: Int32Array;
  slowStart: Int32Array;
  topFeature: Int32Array;
  topThreshold: Float64Array;
  topMissingYes: Int32Array;
  topSelf: Int32Array;
  topYes: Int32Array;
  topNo: Int32Array;
  topBit: Int32Array;
  innerFeature: Int32Array;
  innerThreshold: Float64Array;
  innerMissingYes: Int32Array;
  innerBit: Int32Array;
  blockRoot: Int32Array;
  blockNodeFrom: Int32Array;
  blockTable: Int32Array;
  blockWidth: Int32Array;
  blockSlotStart: Int32Array;
  blockSlots: Int32Array;
  table: Float32Array;
  slowLeaves: LeafPath[];
  /** Trees explained by the path method, in tree order, and which tree each one is. */
  pathTrees: PathTree[];
  pathTreeIndex: Int32Array;
}

type TypedArrayOf<T> = { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number };

/** A typed array on a SharedArrayBuffer of its own, holding `values`. */
function shared<T extends Int32Array | Float32Array | Float64Array>(
  Kind: TypedArrayOf<T>,
  values: ArrayLike<number>,
): T {
  const out = new Kind(new SharedArrayBuffer(Math.max(1, values.length) * Kind.BYTES_PER_ELEMENT));
  out.set(values);
  return values.length === 0 ? (out.subarray(0, 0) as T) : out;
}

export function createTreeExplainer(ensemble: TreeEnsemble, options: TreeExplainerOptions = {}): TreeExplainer {
  return treeExplainerFromTables(buildTreeShapTables(ensemble, options));
}

/** The per-model precomputation: plan every tree, tabulate its blocks. Run once per model version. */
export function buildTreeShapTables(ensemble: TreeEnsemble, options: TreeExplainerOptions = {}): TreeShapTables {
  const budget = { left: options.tableBudgetBytes ?? DEFAULT_TABLE_BUDGET };
  const nFeatures = ensemble.nFeatures;
  if (!Number.isInteger(nFeatures) || nFeatures < 1)
    throw new Error(`nFeatures must be a positive integer, got ${nFeatures}`);
  if (!Number.isFinite(ensemble.baseMargin))
    throw new Error(`baseMargin must be a finite number, got ${ensemble.baseMargin}`);

  const trees = ensemble.trees.map((tree, t) => {
    const { order, position } = preorder(tree, t, nFeatures);
    const { nodes, mean } = analyseTree(tree, position);
    let pathFeatures = 0;
    for (const n of nodes) if (n?.leaf) pathFeatures = Math.max(pathFeatures, n.leaf.features.length);
    const maxEntries = options.maxBlockEntries ?? blockEntriesFor(pathFeatures);
    const plan = planTree(nodes, maxEntries, budget);
    const method = options.pathMethod ?? 'auto';
    const usePath =
      method === 'all'
        ? tree.feature[0] >= 0
        : method === 'auto' && pathMethodIsCheaper(plan.slow.length, order.length);
    if (!usePath) return { nodes, mean, nNodes: order.length, plan };
    // Too many leaves without a table: the whole tree takes the path method, and gives its tables back.
    budget.left += plan.bytes;
    const path = buildPathTree(tree, order, position);
    return { nodes, mean, nNodes: order.length, plan: { top: [], blocks: [], slow: [], bytes: 0 }, path };
  });
  const nTrees = trees.length;
  let expectedValue = ensemble.baseMargin;
  for (const t of trees) expectedValue += t.mean;

  // Flat arrays over all trees.
  const topStart = new Int32Array(nTrees + 1);
  const blockStart = new Int32Array(nTrees + 1);
  const slowStart = new Int32Array(nTrees + 1);
  const top = {
    feature: [] as number[],
    threshold: [] as number[],
    missingYes: [] as number[],
    self: [] as number[],
    yes: [] as number[],
    no: [] as number[],
    bit: [] as number[],
  };
  const inner = { feature: [] as number[], threshold: [] as number[], missingYes: [] as number[], bit: [] as number[] };
  const block = {
    nodeFrom: [] as number[],
    root: [] as number[],
    table: [] as number[],
    width: [] as number[],
    slotStart: [] as number[],
  };
  const slotFeatures: number[] = [];
  const tableParts: Float64Array[] = [];
  let tableLength = 0;
  const slowLeaves: LeafPath[] = [];
  let maxNodes = 1;
  let maxDepth = 1;
  for (const t of trees) for (const n of t.nodes) if (n.leaf) maxDepth = Math.max(maxDepth, n.leaf.features.length);
  const scratch = new LeafScratch(maxDepth);

  trees.forEach(({ nodes, nNodes, plan }, t) => {
    topStart[t] = top.feature.length;
    blockStart[t] = block.root.length;
    slowStart[t] = slowLeaves.length;
    maxNodes = Math.max(maxNodes, nNodes);
    for (const local of plan.top) {
      const n = nodes[local];
      const pos = n.pathFeatures.indexOf(n.feature);
      top.feature.push(n.feature);
      top.threshold.push(n.threshold);
      top.missingYes.push(n.missingYes);
      top.self.push(local);
      top.yes.push(n.yes);
      top.no.push(n.no);
      const bitPos = pos < 0 ? n.pathFeatures.length : pos;
      top.bit.push(bitPos < MASK_BITS ? 1 << bitPos : 0); // deeper bits only matter to untabulated leaves, which read tookYes
    }
    for (const root of plan.blocks) {
      const built = buildBlock(nodes, root, scratch);
      const nodeFromBefore = inner.feature.length;
      built.internal.forEach((local, j) => {
        const n = nodes[local];
        inner.feature.push(n.feature);
        inner.threshold.push(n.threshold);
        inner.missingYes.push(n.missingYes);
        inner.bit.push(1 << (nodes[root].pathFeatures.length + j));
      });
      block.root.push(root);
      block.nodeFrom.push(nodeFromBefore);
      block.table.push(tableLength);
      block.width.push(built.slots.length);
      block.slotStart.push(slotFeatures.length);
      slotFeatures.push(...built.slots);
      tableParts.push(built.table);
      tableLength += built.table.length;
    }
    for (const local of plan.slow) slowLeaves.push(nodes[local].leaf!);
  });
  topStart[nTrees] = top.feature.length;
  blockStart[nTrees] = block.root.length;
  slowStart[nTrees] = slowLeaves.length;

  const table = new Float32Array(new SharedArrayBuffer(Math.max(1, tableLength) * 4)).subarray(0, tableLength);
  let at = 0;
  for (const part of tableParts) {
    table.set(part, at);
    at += part.length;
  }
  block.nodeFrom.push(inner.feature.length);
  return {
    nFeatures,
    expectedValue,
    nTrees,
    maxNodes,
    maxDepth,
    topStart: shared(Int32Array, topStart),
    blockStart: shared(Int32Array, blockStart),
    slowStart: shared(Int32Array, slowStart),
    topFeature: shared(Int32Array, top.feature),
    topThreshold: shared(Float64Array, top.threshold),
    topMissingYes: shared(Int32Array, top.missingYes),
    topSelf: shared(Int32Array, top.self),
    topYes: shared(Int32Array, top.yes),
    topNo: shared(Int32Array, top.no),
    topBit: shared(Int32Array, top.bit),
    innerFeature: shared(Int32Array, inner.feature),
    innerThreshold: shared(Float64Array, inner.threshold),
    innerMissingYes: shared(Int32Array, inner.missingYes),
    innerBit: shared(Int32Array, inner.bit),
    blockRoot: shared(Int32Array, block.root),
    blockNodeFrom: shared(Int32Array, block.nodeFrom),
    blockTable: shared(Int32Array, block.table),
    blockWidth: shared(Int32Array, block.width),
    blockSlotStart: shared(Int32Array, block.slotStart),
    blockSlots: shared(Int32Array, slotFeatures),
    table,
    slowLeaves,
    pathTrees: trees.flatMap((t) => (t.path ? [sharedPathTree(t.path)] : [])),
    pathTreeIndex: shared(
      Int32Array,
      trees.flatMap((t, i) => (t.path ? [i] : [])),
    ),
  };
}

/** The same path tree with its arrays in shared memory. */
function sharedPathTree(tree: PathTree): PathTree {
  return {
    ...tree,
    feature: shared(Int32Array, tree.feature),
    threshold: shared(Float64Array, tree.threshold),
    missingYes: shared(Int32Array, tree.missingYes),
    yes: shared(Int32Array, tree.yes),
    no: shared(Int32Array, tree.no),
    value: shared(Float64Array, tree.value),
    position: shared(Int32Array, tree.position),
    repeats: shared(Int32Array, tree.repeats),
    zAfter: shared(Float64Array, tree.zAfter),
    zBefore: shared(Float64Array, tree.zBefore),
  };
}

/**
 * An explainer over tables built by buildTreeShapTables, here or in another thread (the typed
 * arrays are then views of the same shared memory). Only the scratch space is per explainer.
 */
export function treeExplainerFromTables(tables: TreeShapTables): TreeExplainer {
  const {
    nFeatures,
    expectedValue,
    nTrees,
    topStart,
    blockStart,
    slowStart,
    topFeature,
    topThreshold,
    topMissingYes,
    topSelf,
    topYes,
    topNo,
    topBit,
    innerFeature,
    innerThreshold,
    innerMissingYes,
    innerBit,
    blockRoot,
    blockNodeFrom,
    blockTable,
    blockWidth,
    blockSlotStart,
    blockSlots,
    table,
    slowLeaves,
  } = tables;
  const scratch = new LeafScratch(tables.maxDepth);
  const { pathTrees, pathTreeIndex } = tables;
  const pathScratch = new PathScratch(
    pathTrees.reduce((m, t) => Math.max(m, t.levels), 0),
    pathTrees.reduce((m, t) => Math.max(m, t.points.length), 1),
  );
  const mask = new Int32Array(tables.maxNodes);
  const tookYes = new Int32Array(tables.maxNodes);
  const nOut = nFeatures + 1;

  function explain(rows: Float32Array, nRows: number, out?: Float64Array): Float64Array {
    if (!Number.isInteger(nRows) || nRows < 0)
      throw new RangeError(`nRows must be a non-negative integer, got ${nRows}`);
    if (rows.length < nRows * nFeatures) {
      throw new RangeError(
        `rows holds ${rows.length} values; ${nRows} rows of ${nFeatures} columns need ${nRows * nFeatures}`,
      );
    }
    const result = out ?? new Float64Array(nRows * nOut);
    if (result.length < nRows * nOut)
      throw new RangeError(`out holds ${result.length} values; ${nRows * nOut} are needed`);
    result.fill(0, 0, nRows * nOut);
    // Trees outside, rows inside: one tree's tables stay in cache across a batch.
    for (let p = 0; p < pathTrees.length; p++) {
      for (let r = 0; r < nRows; r++) explainPathTree(pathTrees[p], rows, r * nFeatures, result, r * nOut, pathScratch);
    }
    for (let t = 0; t < nTrees; t++) {
      const slowFrom = slowStart[t];
      const slowTo = slowStart[t + 1];
      for (let r = 0; r < nRows; r++) {
        const rowBase = r * nFeatures;
        const outBase = r * nOut;
        mask[0] = 0;
        routeTop(
          rows,
          rowBase,
          topStart[t],
          topStart[t + 1],
          topFeature,
          topThreshold,
          topMissingYes,
          topSelf,
          topYes,
          topNo,
          topBit,
          mask,
          tookYes,
        );
        addBlocks(
          rows,
          rowBase,
          result,
          outBase,
          blockStart[t],
          blockStart[t + 1],
          blockRoot,
          blockNodeFrom,
          innerFeature,
          innerThreshold,
          innerMissingYes,
          innerBit,
          blockTable,
          blockWidth,
          blockSlotStart,
          blockSlots,
          table,
          mask,
        );
        for (let s = slowFrom; s < slowTo; s++) addSlowLeaf(slowLeaves[s], tookYes, scratch, result, outBase);
      }
    }
    for (let r = 0; r < nRows; r++) result[r * nOut + nFeatures] = expectedValue;
    return result;
  }

  return {
    nFeatures,
    expectedValue,
    tableBytes: table.length * 4,
    untabulatedLeaves: slowLeaves.length,
    pathTrees: pathTreeIndex.length,
    tables,
    explain,
  };
}

/**
 * Tabulates one block (the subtree under `root`). Index bits: the first dB bits say which
 * unique path features above the block the row does not follow; bit dB + j says the row
 * goes `no` at the block's j-th internal node. Each index row holds the summed
 * contributions of the block's leaves, one value per slot (slot = a feature).
 */
function buildBlock(
  nodes: NodeInfo[],
  root: number,
  scratch: LeafScratch,
): { internal: number[]; slots: number[]; table: Float64Array } {
  const rootInfo = nodes[root];
  const dB = rootInfo.pathFeatures.length;
  const internal: number[] = [];
  const leaves: LeafPath[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const local = stack.pop()!;
    const n = nodes[local];
    if (n.leaf) leaves.push(n.leaf);
    else {
      internal.push(local);
      stack.push(n.no, n.yes);
    }
  }
  internal.sort((a, b) => a - b);
  const bitOf = new Map(internal.map((local, j) => [local, dB + j]));
  const slots = [...rootInfo.pathFeatures];
  for (const local of internal) if (!slots.includes(nodes[local].feature)) slots.push(nodes[local].feature);
  const slotOf = new Map(slots.map((f, s) => [f, s]));
  const width = slots.length;
  const nIndex = 2 ** (dB + internal.length);
  const table = new Float64Array(nIndex * width);

  for (const leaf of leaves) {
    const d = leaf.features.length;
    // The leaf's own contributions for each of its 2^d cold masks.
    const own = new Float64Array((1 << d) * d);
    for (let k = 0; k < d; k++) scratch.zero[k] = leaf.zero[k];
    for (let cold = 0; cold < 1 << d; cold++) {
      for (let k = 0; k < d; k++) scratch.one[k] = (cold >> k) & 1 ? 0 : 1;
      leafContributions(leaf.value, d, scratch, own, cold * d);
    }
    const leafSlots = Int32Array.from(leaf.features, (f) => slotOf.get(f)!);
    const blockEdges = leaf.edges.filter((e) => bitOf.has(e.node));
    const edgeShift = Int32Array.from(blockEdges, (e) => bitOf.get(e.node)!);
    const edgeYes = Int32Array.from(blockEdges, (e) => e.yes);
    const edgeCold = Int32Array.from(blockEdges, (e) => 1 << e.pos);
    const pathBits = (1 << dB) - 1;
    for (let index = 0; index < nIndex; index++) {
      let cold = index & pathBits; // the leaf's first dB positions are the block's path features
      for (let b = 0; b < edgeShift.length; b++) {
        if (((index >> edgeShift[b]) & 1) === edgeYes[b]) cold |= edgeCold[b]; // the row leaves this edge
      }
      const from = cold * d;
      const to = index * width;
      for (let k = 0; k < d; k++) table[to + leafSlots[k]] += own[from + k];
    }
  }
  return { internal, slots, table };
}

/** Top nodes, parents first: each passes its mask, plus its bit on the side the row leaves, to its children. */
function routeTop(
  rows: Float32Array,
  rowBase: number,
  from: number,
  to: number,
  feature: Int32Array,
  threshold: Float64Array,
  missingYes: Int32Array,
  self: Int32Array,
  yesChild: Int32Array,
  noChild: Int32Array,
  bits: Int32Array,
  mask: Int32Array,
  tookYes: Int32Array,
): void {
  for (let i = from; i < to; i++) {
    const yes = goesYes(rows[rowBase + feature[i]], threshold[i], missingYes[i]);
    const local = self[i];
    const m = mask[local];
    const coldIfNo = bits[i] & (yes - 1);
    tookYes[local] = yes;
    mask[yesChild[i]] = m | coldIfNo;
    mask[noChild[i]] = m | (bits[i] ^ coldIfNo);
  }
}

/**
 * Blocks: each block's index is its root's mask plus one bit per block node where the row
 * goes `no`; then the table row at that index is added to the block's features.
 */
function addBlocks(
  rows: Float32Array,
  rowBase: number,
  result: Float64Array,
  outBase: number,
  from: number,
  to: number,
  root: Int32Array,
  nodeFrom: Int32Array,
  feature: Int32Array,
  threshold: Float64Array,
  missingYes: Int32Array,
  bits: Int32Array,
  tableStart: Int32Array,
  width: Int32Array,
  slotStart: Int32Array,
  slots: Int32Array,
  table: Float32Array,
  mask: Int32Array,
): void {
  for (let j = from; j < to; j++) {
    let index = mask[root[j]];
    const nodeTo = nodeFrom[j + 1];
    for (let i = nodeFrom[j]; i < nodeTo; i++) {
      const yes = goesYes(rows[rowBase + feature[i]], threshold[i], missingYes[i]);
      index |= bits[i] & (yes - 1);
    }
    const w = width[j];
    const entry = tableStart[j] + index * w;
    const s = slotStart[j];
    for (let k = 0; k < w; k++) result[outBase + slots[s + k]] += table[entry + k];
  }
}

/** A leaf without a table: its bits from the routed top nodes, then the formula directly. */
function addSlowLeaf(leaf: LeafPath, tookYes: Int32Array, s: LeafScratch, result: Float64Array, outBase: number): void {
  const d = leaf.features.length;
  for (let j = 0; j < d; j++) {
    s.zero[j] = leaf.zero[j];
    s.one[j] = 1;
  }
  for (const e of leaf.edges) if (tookYes[e.node] !== e.yes) s.one[e.pos] = 0;
  leafContributions(leaf.value, d, s, s.contributions, 0);
  for (let k = 0; k < d; k++) result[outBase + leaf.features[k]] += s.contributions[k];
}

class LeafScratch {
  zero: Float64Array;
  one: Float64Array;
  prefix: Float64Array;
  suffix: Float64Array;
  contributions: Float64Array;
  constructor(depth: number) {
    this.zero = new Float64Array(depth);
    this.one = new Float64Array(depth);
    this.prefix = new Float64Array(depth + 1);
    this.suffix = new Float64Array(depth + 1);
    this.contributions = new Float64Array(depth);
  }
}

/**
 * Contributions of one leaf (value v, d unique path features with s.zero / s.one) to each of
 * its features, written to out[at..at+d). Exact: Gauss-Legendre with ceil(d/2) points
 * integrates the degree d-1 polynomial exactly; the products without feature k come from
 * prefix and suffix products, so a zero cover fraction needs no division.
 */
function leafContributions(v: number, d: number, s: LeafScratch, out: Float64Array, at: number): void {
  const rule = gaussLegendre01(Math.max(1, Math.ceil(d / 2)));
  const nodes = rule.nodes;
  const weights = rule.weights;
  const { zero, one, prefix, suffix } = s;
  for (let k = 0; k < d; k++) out[at + k] = 0;
  for (let q = 0; q < nodes.length; q++) {
    const t = nodes[q];
    const u = 1 - t;
    prefix[0] = 1;
    for (let j = 0; j < d; j++) prefix[j + 1] = prefix[j] * (u * zero[j] + t * one[j]);
    suffix[d] = 1;
    for (let j = d - 1; j >= 0; j--) suffix[j] = suffix[j + 1] * (u * zero[j] + t * one[j]);
    const w = weights[q];
    for (let k = 0; k < d; k++) out[at + k] += w * prefix[k] * suffix[k + 1];
  }
  for (let k = 0; k < d; k++) out[at + k] *= v * (one[k] - zero[k]);
}
