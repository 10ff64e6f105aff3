/**
 * Reference values for the explainers, by definition rather than by algorithm: Shapley
 * values computed by enumerating every subset of features (only for a handful of features).
 */
import type { Tree, TreeEnsemble } from '../../src/trees/ensemble';
import { childFor } from '../../src/trees/split';

/** Reproducible random numbers for the tests: the sampling explainer's own generator. */
export { seededRandom as rng } from '../../src/explain/sampling';

/**
 * Path-dependent conditional expectation E[f(x) | x_S]: features in S follow the row,
 * the others split by cover fractions (as XGBoost's pred_contribs defines it).
 */
function pathDependentValue(tree: Tree, row: ArrayLike<number>, inS: boolean[], node = 0): number {
  const f = tree.feature[node];
  if (f < 0) return tree.value[node];
  if (inS[f]) return pathDependentValue(tree, row, inS, childFor(tree, node, Math.fround(row[f])));
  const c = tree.cover[node];
  const zy = c > 0 ? tree.cover[tree.yes[node]] / c : 0.5;
  const zn = c > 0 ? tree.cover[tree.no[node]] / c : 0.5;
  return (
    zy * pathDependentValue(tree, row, inS, tree.yes[node]) + zn * pathDependentValue(tree, row, inS, tree.no[node])
  );
}

function margin(ensemble: TreeEnsemble, row: ArrayLike<number>): number {
  let m = ensemble.baseMargin;
  for (const tree of ensemble.trees) {
    let node = 0;
    while (tree.feature[node] >= 0) node = childFor(tree, node, Math.fround(row[tree.feature[node]]));
    m += tree.value[node];
  }
  return m;
}

function factorial(n: number): number {
  let r = 1;
  for (let i = 2; i <= n; i++) r *= i;
  return r;
}

/** Exact Shapley values of a set function over n players; returns n values plus v(empty) last. */
function shapleyByEnumeration(n: number, value: (inS: boolean[]) => number): Float64Array {
  const cache = new Float64Array(1 << n);
  for (let mask = 0; mask < 1 << n; mask++)
    cache[mask] = value(Array.from({ length: n }, (_, i) => ((mask >> i) & 1) === 1));
  const phi = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    for (let mask = 0; mask < 1 << n; mask++) {
      if ((mask >> i) & 1) continue;
      let size = 0;
      for (let j = 0; j < n; j++) size += (mask >> j) & 1;
      const w = (factorial(size) * factorial(n - size - 1)) / factorial(n);
      phi[i] += w * (cache[mask | (1 << i)] - cache[mask]);
    }
  }
  phi[n] = cache[0];
  return phi;
}

/** Path-dependent SHAP values of one row (nFeatures + 1 values, bias last incl. base margin). */
export function bruteForcePathDependent(ensemble: TreeEnsemble, row: ArrayLike<number>): Float64Array {
  const phi = shapleyByEnumeration(ensemble.nFeatures, (inS) =>
    ensemble.trees.reduce((s, t) => s + pathDependentValue(t, row, inS), 0),
  );
  phi[ensemble.nFeatures] += ensemble.baseMargin;
  return phi;
}

/**
 * Interventional SHAP values of one row against background rows: v(S) is the mean margin
 * over the background with the players in S taken from the row (a player is a group of
 * columns; default one per column). Bias last (= mean background margin).
 */
export function bruteForceInterventional(
  predict: (row: Float32Array) => number,
  nFeatures: number,
  row: ArrayLike<number>,
  background: Float32Array,
  nBackground: number,
  groups: number[][] = Array.from({ length: nFeatures }, (_, j) => [j]),
): Float64Array {
  const mixed = new Float32Array(nFeatures);
  const fromRow = new Uint8Array(nFeatures);
  return shapleyByEnumeration(groups.length, (inS) => {
    fromRow.fill(0);
    groups.forEach((g, p) => g.forEach((c) => (fromRow[c] = inS[p] ? 1 : 0)));
    let s = 0;
    for (let b = 0; b < nBackground; b++) {
      for (let j = 0; j < nFeatures; j++) mixed[j] = fromRow[j] ? row[j] : background[b * nFeatures + j];
      s += predict(mixed);
    }
    return s / nBackground;
  });
}

export { margin as referenceMargin };

export interface RandomTreeOptions {
  nFeatures: number;
  maxDepth: number;
  /** Chance that a node stops early as a leaf. */
  leafChance?: number;
  /** Covers: consistent sums of leaf covers (default), or some zero covers. */
  zeroCovers?: boolean;
}

/** A random tree with few distinct thresholds (so rows often land exactly on one) and repeated features. */
export function randomTree(random: () => number, o: RandomTreeOptions): Tree {
  const feature: number[] = [];
  const threshold: number[] = [];
  const yes: number[] = [];
  const no: number[] = [];
  const missingYes: number[] = [];
  const value: number[] = [];
  const cover: number[] = [];
  const build = (depth: number): number => {
    const id = feature.length;
    feature.push(-1);
    threshold.push(0);
    yes.push(-1);
    no.push(-1);
    missingYes.push(0);
    value.push(0);
    cover.push(0);
    if (depth >= o.maxDepth || (depth > 0 && random() < (o.leafChance ?? 0.2))) {
      value[id] = Math.fround(random() * 2 - 1);
      cover[id] = o.zeroCovers && random() < 0.2 ? 0 : 1 + Math.floor(random() * 20);
      return id;
    }
    feature[id] = Math.floor(random() * o.nFeatures);
    threshold[id] = Math.floor(random() * 4) + 0.5 * Math.floor(random() * 2);
    missingYes[id] = random() < 0.5 ? 1 : 0;
    yes[id] = build(depth + 1);
    no[id] = build(depth + 1);
    cover[id] = cover[yes[id]] + cover[no[id]];
    return id;
  };
  build(0);
  return {
    feature: Int32Array.from(feature),
    threshold: Float32Array.from(threshold),
    yes: Int32Array.from(yes),
    no: Int32Array.from(no),
    missingYes: Uint8Array.from(missingYes),
    value: Float64Array.from(value),
    cover: Float64Array.from(cover),
  };
}

/** Random rows on the trees' threshold grid (ties happen), with some missing values. */
export function randomRows(random: () => number, nRows: number, nFeatures: number, missingChance = 0.15): Float32Array {
  const rows = new Float32Array(nRows * nFeatures);
  for (let i = 0; i < rows.length; i++) rows[i] = random() < missingChance ? NaN : Math.floor(random() * 9) * 0.5;
  return rows;
}
