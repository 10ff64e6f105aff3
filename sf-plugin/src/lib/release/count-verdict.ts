/**
 * `compare --actuals`'s verdict for a count model's challenger, given only after at least one
 * complete ordering cycle (the demand checklist: "one full ordering cycle before full promotion").
 *
 * Both versions score the same rows, so the comparison is paired: per row, d = the challenger's
 * unit Poisson deviance minus the champion's (the checklist's primary count metric; lower is
 * better). "Noise" is what resampling the rows could give: a paired bootstrap of mean(d) over the
 * rows of the complete cycles, resampling rows within each cycle (each cycle keeps its size),
 * BOOTSTRAP_SAMPLES times from a fixed seed (the same file always gives the same verdict), and
 * the central 95% of the resampled means:
 *   - the whole interval below 0: challenger-better;
 *   - the whole interval above 0: challenger-worse;
 *   - otherwise within-noise (the data cannot tell the two apart).
 * Weighted MAPE and the per-cycle direction are reported beside it, not voted on.
 */
import { poissonDevianceTerms } from '../library.js';
import { countFigures, type CycleFigures, type ScoredActuals } from './cycles.js';

export type CountVerdict = 'challenger-better' | 'challenger-worse' | 'within-noise' | 'insufficient-data';

export const BOOTSTRAP_SAMPLES = 2000;
export const BOOTSTRAP_SEED = 20250624;
export const CONFIDENCE = 0.95;

export type DevianceDifference = {
  /** mean(challenger deviance − champion deviance) per row over the complete cycles; < 0 = challenger better. */
  mean: number;
  low: number;
  high: number;
  confidence: number;
  samples: number;
  /** Complete cycles in which the challenger's deviance is lower. */
  cyclesChallengerLower: number;
};

function quantile(sorted: Float64Array, q: number): number {
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6;

export async function judgeCountChallenger(
  scored: ScoredActuals,
  cycleRows: Array<{ cycle: string; indices: number[] }>,
  cycles: CycleFigures[],
  champion: string,
  challenger: string,
): Promise<{ verdict: CountVerdict; cycles: number; difference: DevianceDifference | null; reasons: string[] }> {
  const complete = new Set(cycles.filter((c) => c.complete && c.rows > 0).map((c) => c.cycle));
  const open = cycles.filter((c) => !c.complete);
  if (complete.size === 0) {
    const which = open.map((c) => `${c.cycle} has ${c.openRows} of ${c.rows} rows without actual_qty`).join('; ');
    return { verdict: 'insufficient-data', cycles: 0, difference: null, reasons: [`no complete ordering cycle yet (${which}); a verdict needs one full cycle`] };
  }
  const strata = cycleRows.filter((c) => complete.has(c.cycle)).map((c) => c.indices);
  const y = scored.rows.map((r) => r.actual ?? 0);
  const champ = poissonDevianceTerms(y, scored.predictions.get(champion)!);
  const chall = poissonDevianceTerms(y, scored.predictions.get(challenger)!);
  const diffs = strata.map((idx) => Float64Array.from(idx, (i) => chall[i] - champ[i]));
  const total = diffs.reduce((n, d) => n + d.length, 0);
  const sum = (d: Float64Array): number => d.reduce((a, b) => a + b, 0);
  const mean = diffs.reduce((a, d) => a + sum(d), 0) / total;
  const cyclesChallengerLower = diffs.filter((d) => sum(d) < 0).length;

  // The library's seeded generator (mulberry32), as the SHAP sampling uses it.
  const { seededRandom } = await import('@lead-scoring/scoring-service/explain');
  const random = seededRandom(BOOTSTRAP_SEED);
  const means = new Float64Array(BOOTSTRAP_SAMPLES);
  for (let b = 0; b < BOOTSTRAP_SAMPLES; b++) {
    let s = 0;
    for (const d of diffs) for (let k = 0; k < d.length; k++) s += d[Math.floor(random() * d.length)];
    means[b] = s / total;
  }
  means.sort();
  const low = quantile(means, (1 - CONFIDENCE) / 2);
  const high = quantile(means, 1 - (1 - CONFIDENCE) / 2);
  const verdict: CountVerdict = high < 0 ? 'challenger-better' : low > 0 ? 'challenger-worse' : 'within-noise';

  const rows = strata.flat();
  const c0 = countFigures(scored, champion, rows);
  const c1 = countFigures(scored, challenger, rows);
  const reasons = [
    `over ${complete.size} complete cycle(s), ${total} rows: Poisson deviance ${c1.poissonDeviance} (challenger ${challenger}) vs ${c0.poissonDeviance} (champion ${champion})`,
    `paired difference ${round(mean)}, ${CONFIDENCE * 100}% bootstrap interval [${round(low)}, ${round(high)}] (${verdict === 'within-noise' ? 'includes 0: within noise' : verdict === 'challenger-better' ? 'below 0: challenger better' : 'above 0: challenger worse'})`,
    `weighted MAPE ${c1.weightedMape} vs ${c0.weightedMape}; challenger lower deviance in ${cyclesChallengerLower} of ${complete.size} cycle(s)`,
    ...(open.length ? [`open cycle(s) not counted: ${open.map((c) => c.cycle).join(', ')}`] : []),
  ];
  return {
    verdict,
    cycles: complete.size,
    difference: { mean: round(mean), low: round(low), high: round(high), confidence: CONFIDENCE, samples: BOOTSTRAP_SAMPLES, cyclesChallengerLower },
    reasons,
  };
}
