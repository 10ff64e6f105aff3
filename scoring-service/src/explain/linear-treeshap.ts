/**
 * The path method for one tree: exact path-dependent TreeSHAP in one pass over the tree per
 * row, with no table (Linear TreeSHAP's idea, Yu et al. 2022, in the notation of treeshap.ts).
 *
 * For a leaf l with unique path features j (cover fractions z_j, bits o_j), write
 * g_j(t) = (1 - t) z_j + t o_j and G_l = prod_j g_j. Its contribution to feature k is
 * v_l (o_k - z_k) * integral of G_l / g_k. A depth-first pass carries G (as values at the
 * Gauss-Legendre points) down, and sums S = sum of v_l G_l over the leaves below each edge back
 * up. At an edge on feature k, the leaves whose last edge on k it is share the factor g_k of
 * that edge, so their sum divided by it is exact; leaves below a deeper edge on k (a repeated
 * feature) come back as that edge's own sum. The contribution of k then telescopes over its
 * edges on the path: each edge adds (its d - the previous edge's d) * integral of T, with
 * d = o - z and T the sum below it of v_l G_l / g_k(last).
 * Cost per row: O(nodes x points), points = ceil(depth / 2); memory: a few values per node.
 */
import type { Tree } from '../trees/ensemble';
import { goesYes } from '../trees/split';
import { gaussLegendre01 } from './quadrature';

/** One tree laid out for the path method (preorder, typed arrays; shareable like the tables). */
export interface PathTree {
  /** Per node: split feature (-1 for a leaf), threshold, missing-goes-yes, children (preorder indexes). */
  feature: Int32Array;
  threshold: Float64Array;
  missingYes: Int32Array;
  yes: Int32Array;
  no: Int32Array;
  /** Per node: leaf value. */
  value: Float64Array;
  /** Per internal node: position of its feature among the unique features on the path to it; 1 if it repeats one above. */
  position: Int32Array;
  repeats: Int32Array;
  /** Per node (its incoming edge): the merged cover fraction of the edge's feature after this edge, and before it (1 if first). */
  zAfter: Float64Array;
  zBefore: Float64Array;
  /** Unique features on the longest path, and the Gauss-Legendre rule for it. */
  depth: number;
  /** Edges on the longest path (recursion depth). */
  levels: number;
  points: Float64Array;
  weights: Float64Array;
}

/** Lays out one validated tree (preorder positions from treeshap.ts's preorder()). */
export function buildPathTree(tree: Tree, order: Int32Array, position: Int32Array): PathTree {
  const n = order.length;
  const out = {
    feature: new Int32Array(n),
    threshold: new Float64Array(n),
    missingYes: new Int32Array(n),
    yes: new Int32Array(n).fill(-1),
    no: new Int32Array(n).fill(-1),
    value: new Float64Array(n),
    position: new Int32Array(n),
    repeats: new Int32Array(n),
    zAfter: new Float64Array(n).fill(1),
    zBefore: new Float64Array(n).fill(1),
  };
  const path: number[] = []; // unique features on the path
  const zOf: number[] = []; // their merged cover fractions
  let depth = 0;
  let levels = 0;
  const visit = (node: number, level: number): void => {
    levels = Math.max(levels, level);
    const at = position[node];
    const f = tree.feature[node];
    out.feature[at] = f;
    if (f < 0) {
      out.value[at] = tree.value[node];
      depth = Math.max(depth, path.length);
      return;
    }
    out.threshold[at] = tree.threshold[node];
    out.missingYes[at] = tree.missingYes[node] ? 1 : 0;
    out.yes[at] = position[tree.yes[node]];
    out.no[at] = position[tree.no[node]];
    let pos = path.indexOf(f);
    const repeats = pos >= 0;
    if (!repeats) {
      pos = path.length;
      path.push(f);
      zOf.push(1);
    }
    out.position[at] = pos;
    out.repeats[at] = repeats ? 1 : 0;
    const before = zOf[pos];
    for (const child of [tree.yes[node], tree.no[node]]) {
      const parentCover = tree.cover[node];
      const childCover = tree.cover[child];
      // As treeshap.ts's coverFraction: a parent no data reached splits evenly.
      const fraction = parentCover > 0 ? (childCover > 0 ? childCover / parentCover : 0) : 0.5;
      const c = position[child];
      out.zBefore[c] = before;
      out.zAfter[c] = before * fraction;
      zOf[pos] = before * fraction;
      visit(child, level + 1);
    }
    zOf[pos] = before;
    if (!repeats) {
      path.pop();
      zOf.pop();
    }
  };
  visit(order[0], 0);
  const rule = gaussLegendre01(Math.max(1, Math.ceil(depth / 2)));
  return { ...out, depth, levels, points: Float64Array.from(rule.nodes), weights: Float64Array.from(rule.weights) };
}

/** Scratch space for explainPathTree, sized for the deepest tree (levels) and its points. */
export class PathScratch {
  readonly a: Float64Array; // G at each level, Q values per level
  readonly s: Float64Array; // S returned by each level
  readonly accS: Float64Array; // per unique position: sums of S over the nearest deeper edges on that feature
  readonly accT: Float64Array;
  readonly saveS: Float64Array; // per level: the enclosing edge's accumulators while a repeat is visited
  readonly saveT: Float64Array;
  readonly t: Float64Array;
  readonly on: Int32Array; // per unique position: the row follows the path on it so far
  constructor(
    readonly levels: number,
    readonly q: number,
  ) {
    this.a = new Float64Array((levels + 2) * q);
    this.s = new Float64Array((levels + 2) * q);
    this.accS = new Float64Array((levels + 1) * q);
    this.accT = new Float64Array((levels + 1) * q);
    this.saveS = new Float64Array((levels + 2) * q);
    this.saveT = new Float64Array((levels + 2) * q);
    this.t = new Float64Array((levels + 2) * q);
    this.on = new Int32Array(levels + 1);
  }
}

/** Adds one tree's SHAP values for one row (nFeatures floats at rows[rowBase]) to out[outBase + feature]. */
export function explainPathTree(
  tree: PathTree,
  rows: Float32Array,
  rowBase: number,
  out: Float64Array,
  outBase: number,
  scratch: PathScratch,
): void {
  const q = tree.points.length;
  const a = scratch.a;
  for (let i = 0; i < q; i++) a[i] = 1;
  visit(tree, rows, rowBase, out, outBase, scratch, q, 0, 0);
}

function visit(
  tree: PathTree,
  rows: Float32Array,
  rowBase: number,
  out: Float64Array,
  outBase: number,
  sc: PathScratch,
  q: number,
  node: number,
  level: number,
): void {
  const { a, s, accS, accT, saveS, saveT, t: tBuf, on } = sc;
  const here = level * q;
  const f = tree.feature[node];
  if (f < 0) {
    const v = tree.value[node];
    for (let i = 0; i < q; i++) s[here + i] = v * a[here + i];
    return;
  }
  for (let i = 0; i < q; i++) s[here + i] = 0;
  const points = tree.points;
  const weights = tree.weights;
  const pos = tree.position[node];
  const repeats = tree.repeats[node];
  const onBefore = repeats ? on[pos] : 1;
  const yesTaken = goesYes(rows[rowBase + f], tree.threshold[node], tree.missingYes[node]);
  const below = here + q;
  const acc = pos * q;
  for (let side = 0; side < 2; side++) {
    const child = side === 0 ? tree.yes[node] : tree.no[node];
    const onAfter = onBefore & (side === 0 ? yesTaken : 1 - yesTaken);
    const zAfter = tree.zAfter[child];
    if (zAfter === 0 && onAfter === 0) continue; // this factor is 0: nothing below contributes
    const zBefore = tree.zBefore[child];
    for (let i = 0; i < q; i++) {
      const u = points[i];
      const gAfter = onAfter ? zAfter + u * (1 - zAfter) : zAfter * (1 - u);
      const gBefore = onBefore ? zBefore + u * (1 - zBefore) : zBefore * (1 - u);
      a[below + i] = (a[here + i] * gAfter) / gBefore;
    }
    if (repeats) {
      for (let i = 0; i < q; i++) {
        saveS[below + i] = accS[acc + i];
        saveT[below + i] = accT[acc + i];
      }
    }
    for (let i = 0; i < q; i++) {
      accS[acc + i] = 0;
      accT[acc + i] = 0;
    }
    on[pos] = onAfter;
    visit(tree, rows, rowBase, out, outBase, sc, q, child, level + 1);
    on[pos] = onBefore;
    let integral = 0;
    for (let i = 0; i < q; i++) {
      const u = points[i];
      const gAfter = onAfter ? zAfter + u * (1 - zAfter) : zAfter * (1 - u);
      const t = (s[below + i] - accS[acc + i]) / gAfter + accT[acc + i];
      tBuf[below + i] = t;
      integral += weights[i] * t;
      s[here + i] += s[below + i];
    }
    const step = onAfter - zAfter - (repeats ? onBefore - zBefore : 0);
    out[outBase + f] += step * integral;
    if (repeats) {
      for (let i = 0; i < q; i++) {
        accS[acc + i] = saveS[below + i] + s[below + i];
        accT[acc + i] = saveT[below + i] + tBuf[below + i];
      }
    }
  }
  // A repeat's enclosing edge must see both children's sums; a first occurrence leaves nothing above.
  if (!repeats) {
    for (let i = 0; i < q; i++) {
      accS[acc + i] = 0;
      accT[acc + i] = 0;
    }
  }
}
