/**
 * The alert thresholds of a count model, read from its manifest: `gates.rollback` where set,
 * otherwise derived from the validation metrics training measured (the demand checklist's
 * "alert thresholds set based on current baseline metrics"):
 *
 *   max Poisson deviance = validation poisson_deviance x (1 + margin)
 *   max weighted MAPE    = validation weighted_mape    x (1 + margin)
 *   min R2 (count space) = validation r2 - margin x |validation r2|
 *
 * with margin = gates.rollback.margin, 0.1 unless set (10% worse than validation). A threshold
 * with neither an explicit value nor a validation metric is null: not watched, and said so.
 */
import type { Manifest } from './schema';

export const DEFAULT_COUNT_MARGIN = 0.1;
export const DEFAULT_CONSECUTIVE_CYCLES = 1;

export type CountThreshold = {
  metric: 'poisson_deviance' | 'weighted_mape' | 'r2';
  /** Upper bound for deviance and MAPE, lower bound for R2. */
  bound: 'max' | 'min';
  threshold: number | null;
  /** Where the threshold came from, in words (quoted in monitor's output). */
  source: string;
};

export type CountRollback = { thresholds: CountThreshold[]; consecutiveCycles: number; margin: number };

const round = (x: number): number => Math.round(x * 1e6) / 1e6;

export function countRollbackThresholds(manifest: Manifest): CountRollback {
  const rules = manifest.gates.rollback;
  const margin = rules.margin ?? DEFAULT_COUNT_MARGIN;
  const m = manifest.metrics;
  const derive = (
    metric: CountThreshold['metric'],
    bound: CountThreshold['bound'],
    explicit: number | undefined,
    key: string,
  ): CountThreshold => {
    if (explicit !== undefined) return { metric, bound, threshold: explicit, source: `gates.rollback.${key}` };
    const baseline = m[metric];
    if (baseline === undefined) return { metric, bound, threshold: null, source: `no gates.rollback.${key} and no validation ${metric} in the manifest` };
    const threshold = bound === 'max' ? baseline * (1 + margin) : baseline - margin * Math.abs(baseline);
    const how = bound === 'max' ? `x (1 + ${margin})` : `- ${margin} x |${round(baseline)}|`;
    return { metric, bound, threshold: round(threshold), source: `validation ${metric} ${round(baseline)} ${how}` };
  };
  return {
    margin,
    consecutiveCycles: rules.consecutive_cycles ?? DEFAULT_CONSECUTIVE_CYCLES,
    thresholds: [
      derive('poisson_deviance', 'max', rules.max_poisson_deviance, 'max_poisson_deviance'),
      derive('weighted_mape', 'max', rules.max_weighted_mape, 'max_weighted_mape'),
      derive('r2', 'min', rules.min_r2, 'min_r2'),
    ],
  };
}

/** Whether a measured value crosses its threshold (an unset threshold never does). */
export function crossesThreshold(t: CountThreshold, value: number): boolean {
  if (t.threshold === null || !Number.isFinite(value)) return false;
  return t.bound === 'max' ? value > t.threshold : value < t.threshold;
}
