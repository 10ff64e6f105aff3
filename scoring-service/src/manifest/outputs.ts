/**
 * From a model's prediction to what a rep sees, as the manifest's `outputs` section says:
 * scaled score 0-100, decile 1-10 (10 = best), tier; for count models, a confidence.
 */
import type { Manifest } from './schema';

export interface Presented {
  scaled: number;
  decile: number;
  tier: string;
}

export const defaultTiers = [
  { name: 'Hot', minDecile: 9 },
  { name: 'Warm', minDecile: 6 },
  { name: 'Cold', minDecile: 1 },
];

/** Percentile of `score` among the validation scores, interpolated in the 101 quantiles. */
export function scaledScore(score: number, quantiles: readonly number[] | undefined, task: Manifest['task']): number {
  if (!quantiles) return clampInt(task === 'binary-classification' ? 100 * score : score, 0, 100);
  if (score <= quantiles[0]) return 0;
  if (score >= quantiles[100]) return 100;
  // Last quantile <= score (binary search); ties in the quantiles resolve to the highest index.
  let lo = 0;
  let hi = 100;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (quantiles[mid] <= score) lo = mid;
    else hi = mid;
  }
  const width = quantiles[hi] - quantiles[lo];
  const within = width > 0 ? (score - quantiles[lo]) / width : 0;
  return clampInt(lo + within, 0, 100);
}

/** 1 + the number of decile cut points at or below the score. */
export function decileOf(score: number, cuts: readonly number[] | undefined, scaled: number): number {
  if (!cuts) return Math.min(10, Math.max(1, Math.ceil(scaled / 10)));
  let decile = 1;
  for (const cut of cuts) if (cut <= score) decile++;
  return decile;
}

const ordered = new WeakMap<object, { name: string; minDecile: number }[]>();

export function tierOf(decile: number, tiers: Manifest['outputs']['tiers']): string {
  const list = tiers ?? defaultTiers;
  let sorted = ordered.get(list);
  if (!sorted) {
    sorted = [...list].sort((a, b) => b.minDecile - a.minDecile);
    ordered.set(list, sorted);
  }
  return sorted.find((t) => decile >= t.minDecile)?.name ?? sorted[sorted.length - 1].name;
}

export function present(score: number, manifest: Manifest): Presented {
  const scaled = scaledScore(score, manifest.outputs.quantiles, manifest.task);
  const decile = decileOf(score, manifest.outputs.deciles, scaled);
  return { scaled, decile, tier: tierOf(decile, manifest.outputs.tiers) };
}

/**
 * Confidence of an expected count q: a Poisson count's relative error is about 1/sqrt(q), so
 * 1 - 1/(1 + sqrt(q)) grows with the expected quantity; clamped to the manifest's [min, max].
 */
export function countConfidence(q: number, bounds: { min: number; max: number } = { min: 0.5, max: 0.95 }): number {
  const raw = 1 - 1 / (1 + Math.sqrt(Math.max(0, q)));
  return Math.min(bounds.max, Math.max(bounds.min, raw));
}

function clampInt(x: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(x)));
}
