/**
 * Distribution drift: histograms on the manifest's baseline bins and the Population
 * Stability Index between a baseline and recent data.
 */

/** Share of empty bins assumed by PSI, so an empty bin adds a large but finite term. */
export const PSI_EPSILON = 1e-4;

/**
 * Proportions of `values` in the bins (-inf, e0], (e0, e1], ..., (e_last, inf): a value goes
 * to the bin numbered by how many edges are below it. NaN values are left out.
 * Returns edges.length + 1 proportions (all zero when no value is present).
 */
export function histogram(values: ArrayLike<number>, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    // number of edges strictly below v (numpy searchsorted side="left")
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (edges[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    counts[lo]++;
    n++;
  }
  return counts.map((c) => c / Math.max(n, 1));
}

/**
 * Shares of each category, then `__unknown__` (any other value) and `__missing__`
 * (null, undefined or ""), as the trainer writes categorical baselines. When the
 * baseline's category list already ends with those two, pass it as is.
 */
export function categoricalShares(
  values: readonly unknown[],
  categories: readonly string[],
): { categories: string[]; proportions: number[] } {
  const cats = categories.filter((c) => c !== '__unknown__' && c !== '__missing__');
  const all = [...cats, '__unknown__', '__missing__'];
  const position = new Map(cats.map((c, i) => [c, i]));
  const counts = new Array<number>(all.length).fill(0);
  for (const v of values) {
    if (v === null || v === undefined || v === '') counts[all.length - 1]++;
    else counts[position.get(String(v)) ?? all.length - 2]++;
  }
  const total = Math.max(values.length, 1);
  return { categories: all, proportions: counts.map((c) => c / total) };
}

/**
 * Population Stability Index Σ (a − e)·ln(a / e) over bins, where e and a are the expected
 * (baseline) and actual proportions; a bin share of 0 counts as PSI_EPSILON. Common
 * reading: < 0.1 stable, 0.1–0.25 some shift, > 0.25 a real shift.
 */
export function psi(expected: readonly number[], actual: readonly number[], epsilon = PSI_EPSILON): number {
  if (expected.length !== actual.length)
    throw new RangeError(`expected has ${expected.length} bins, actual has ${actual.length}`);
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i], epsilon);
    const a = Math.max(actual[i], epsilon);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

/** PSI of live values against a baseline histogram as a manifest stores it (edges and proportions). */
export function populationStability(
  baseline: { edges: readonly number[]; proportions: readonly number[] },
  values: ArrayLike<number>,
): number {
  return psi(baseline.proportions, histogram(values, baseline.edges));
}
