/**
 * `monitor --actuals`: a count model's versions against the alert thresholds in their manifests
 * (gates.rollback, or derived from the validation metrics: the library's countRollbackThresholds),
 * per complete ordering cycle. A threshold is breached when it is crossed in each of the last
 * consecutive_cycles complete cycles (1 unless the manifest says otherwise).
 */
import { countRollbackThresholds, crossesThreshold, type Manifest } from '../library.js';
import type { CycleFigures } from './cycles.js';
import type { Criterion } from './rollback-criteria.js';

const LABEL = { poisson_deviance: 'Poisson deviance', weighted_mape: 'weighted MAPE', r2: 'R2 (count space)' } as const;
const FIELD = { poisson_deviance: 'poissonDeviance', weighted_mape: 'weightedMape', r2: 'r2' } as const;

export function measureCountRollback(version: string, manifest: Manifest, cycles: CycleFigures[]): Criterion[] {
  const { thresholds, consecutiveCycles } = countRollbackThresholds(manifest);
  const measured = cycles
    .filter((c) => c.complete)
    .map((c) => ({ cycle: c.cycle, figures: c.versions.find((v) => v.version === version)! }))
    .filter((c) => c.figures.rows > 0);
  const last = measured.slice(-consecutiveCycles);
  return thresholds.map((t) => {
    const word = t.bound === 'max' ? 'above' : 'below';
    const criterion = `${version}: ${LABEL[t.metric]} ${word} ${t.threshold ?? '(not set)'} for ${consecutiveCycles} consecutive cycle(s)`;
    const values = last.map((c) => c.figures[FIELD[t.metric]]);
    const latest = values.length ? values[values.length - 1] : null;
    const enough = last.length === consecutiveCycles && values.every((v) => v !== null);
    const breached = t.threshold !== null && enough && values.every((v) => crossesThreshold(t, v!));
    const notes = [`threshold from ${t.source}`];
    if (!enough) notes.push(`${measured.length} complete cycle(s) measured, ${consecutiveCycles} needed`);
    return { criterion, actual: latest, threshold: t.threshold, breached, note: notes.join('; ') };
  });
}
