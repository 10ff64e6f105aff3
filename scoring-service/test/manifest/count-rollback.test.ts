import { readFileSync } from 'node:fs';
import path from 'node:path';
import { countRollbackThresholds, leadTargets, meetsTarget, parseManifest } from '../../src/package';

const bundled = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'models', 'gift-demand', '2.1.0', 'manifest.json'), 'utf8')) as {
  metrics: { poisson_deviance: number; weighted_mape: number; r2: number };
  gates: { rollback: Record<string, unknown> };
};
const withRollback = (rollback: Record<string, unknown>): unknown => ({ ...bundled, gates: { ...bundled.gates, rollback: { ...bundled.gates.rollback, ...rollback } } });

describe("count models' alert thresholds (gates.rollback)", () => {
  it('derive from the validation metrics when unset: 10% worse than validation', () => {
    const { thresholds, consecutiveCycles, margin } = countRollbackThresholds(parseManifest(bundled));
    const { poisson_deviance, weighted_mape, r2 } = bundled.metrics;
    expect(margin).toBe(0.1);
    expect(consecutiveCycles).toBe(1);
    expect(thresholds.map((t) => [t.metric, t.bound])).toEqual([['poisson_deviance', 'max'], ['weighted_mape', 'max'], ['r2', 'min']]);
    expect(thresholds[0].threshold).toBeCloseTo(poisson_deviance * 1.1, 5);
    expect(thresholds[1].threshold).toBeCloseTo(weighted_mape * 1.1, 5);
    expect(thresholds[2].threshold).toBeCloseTo(r2 - 0.1 * Math.abs(r2), 5);
    expect(thresholds[0].source).toMatch(/^validation poisson_deviance 2\.30798\d* x \(1 \+ 0\.1\)$/);
  });

  it('take explicit values and a margin from the manifest', () => {
    const m = parseManifest(withRollback({ max_poisson_deviance: 2.4, margin: 0.25, consecutive_cycles: 2 }));
    const { thresholds, consecutiveCycles } = countRollbackThresholds(m);
    expect(consecutiveCycles).toBe(2);
    expect(thresholds[0]).toMatchObject({ threshold: 2.4, source: 'gates.rollback.max_poisson_deviance' });
    expect(thresholds[1].threshold).toBeCloseTo(bundled.metrics.weighted_mape * 1.25, 5);
  });

  it('are unset (null, said why) when the manifest has neither the threshold nor the metric', () => {
    const { r2: _r2, ...metrics } = bundled.metrics;
    const m = parseManifest({ ...bundled, metrics });
    expect(countRollbackThresholds(m).thresholds[2]).toMatchObject({ threshold: null, source: 'no gates.rollback.min_r2 and no validation r2 in the manifest' });
  });

  it('refuse a misspelt key with the closest known one, and a negative margin', () => {
    expect(() => parseManifest(withRollback({ max_poisson_devaince: 2 }))).toThrow(/max_poisson_deviance/);
    expect(() => parseManifest(withRollback({ margin: -0.1 }))).toThrow(/margin/);
  });
});

describe("lead models' monitoring targets (gates.targets)", () => {
  const lead = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'models', 'lead-scoring', '4.1.0', 'manifest.json'), 'utf8')) as { gates: Record<string, unknown> };

  it("default to the V4.1.0 checklist's key metrics and take the manifest's own", () => {
    expect(leadTargets(parseManifest(lead)).map((t) => [t.metric, t.bound, t.target])).toEqual([
      ['topDecileLift', 'min', 2],
      ['auc', 'min', 0.6],
      ['bottom20Conversion', 'max', 0.02],
      ['deprioritizationEfficiency', 'min', 0.11],
    ]);
    const own = leadTargets(parseManifest({ ...lead, gates: { ...lead.gates, targets: { max_bottom20_conversion: 0.03 } } }));
    expect(own[2]).toEqual({ metric: 'bottom20Conversion', bound: 'max', target: 0.03, source: 'gates.targets.max_bottom20_conversion' });
    expect(() => parseManifest({ ...lead, gates: { ...lead.gates, targets: { min_aucc: 0.6 } } })).toThrow(/min_auc/);
  });

  it('are met at or past a minimum and strictly under a maximum', () => {
    const [lift, , bottom] = leadTargets(parseManifest(lead));
    expect([meetsTarget(lift, 2), meetsTarget(lift, 1.99), meetsTarget(lift, null)]).toEqual([true, false, null]);
    expect([meetsTarget(bottom, 0.014), meetsTarget(bottom, 0.02)]).toEqual([true, false]);
  });
});
