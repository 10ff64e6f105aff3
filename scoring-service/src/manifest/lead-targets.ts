/**
 * A lead model's monitoring targets: the V4.1.0 checklist's "Key Metrics to Track" (top-decile lift
 * >= 2.0x, test AUC >= 0.60, bottom-20% conversion < 2%, deprioritization efficiency >= 11%),
 * overridable per model in gates.targets. Targets say how a model is doing; the rollback criteria
 * (gates.rollback) say when to revert.
 */
import type { Manifest } from './schema';

export type LeadTarget = {
  metric: 'topDecileLift' | 'auc' | 'bottom20Conversion' | 'deprioritizationEfficiency';
  bound: 'min' | 'max';
  target: number;
  source: string;
};

export const CHECKLIST_TARGETS = {
  min_top_decile_lift: 2.0,
  min_auc: 0.6,
  max_bottom20_conversion: 0.02,
  min_deprioritization_efficiency: 0.11,
} as const;

export function leadTargets(manifest: Manifest): LeadTarget[] {
  const set = manifest.gates.targets ?? {};
  const pick = (key: keyof typeof CHECKLIST_TARGETS, metric: LeadTarget['metric'], bound: LeadTarget['bound']): LeadTarget => {
    const own = set[key];
    return own === undefined
      ? { metric, bound, target: CHECKLIST_TARGETS[key], source: 'V4.1.0 checklist' }
      : { metric, bound, target: own, source: `gates.targets.${key}` };
  };
  return [
    pick('min_top_decile_lift', 'topDecileLift', 'min'),
    pick('min_auc', 'auc', 'min'),
    pick('max_bottom20_conversion', 'bottom20Conversion', 'max'),
    pick('min_deprioritization_efficiency', 'deprioritizationEfficiency', 'min'),
  ];
}

/** Met when at or past a minimum, or strictly under a maximum (the checklist's "< 2%"); null when not measured. */
export function meetsTarget(t: LeadTarget, value: number | null): boolean | null {
  if (value === null || !Number.isFinite(value)) return null;
  return t.bound === 'min' ? value >= t.target : value < t.target;
}
