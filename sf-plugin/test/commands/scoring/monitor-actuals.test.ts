/**
 * `sf scoring monitor --actuals` for count models: alert thresholds from the manifest
 * (gates.rollback, or derived from the validation metrics), per complete cycle, exit 1 on a breach.
 * Actuals are drawn from a Poisson around truth x XGBoost's expected quantity (the golden rows).
 * With truth 3 the mean per-row deviance is at least 2 mean(mu)(3 ln 3 - 2) = 2.59 x 1.675 = 4.3
 * (Jensen: E[y ln y] >= lambda ln lambda), far above 2.54 (validation 2.308 x 1.1); with truth 1 a
 * calibrated Poisson model's mean unit deviance is about 1 or less.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stubSfCommandUx } from '@salesforce/sf-plugins-core';
import { TestContext } from '@salesforce/core/testSetup';
import { seededRandom } from '@lead-scoring/scoring-service/explain';
import Monitor from '../../../src/commands/scoring/monitor.js';
import type { ActualsMonitoring } from '../../../src/lib/release/actuals-report.js';
import { buildDemandModelsDir, goldenDemandRows, makeActuals, writeCsv } from '../../helpers/demand-models.js';
import { refusal } from '../../helpers/refusal.js';
import { expectMatchesSchema } from '../../helpers/schema.js';

describe('scoring monitor --actuals (count models)', () => {
  const $$ = new TestContext();
  let dir: string;
  let golden: Awaited<ReturnType<typeof goldenDemandRows>>;
  let derived: string;

  beforeAll(async () => {
    golden = await goldenDemandRows();
    derived = await buildDemandModelsDir([{ version: '2.1.0', scale: 1 }, { version: '2.2.0', scale: 1.5 }]);
  });

  beforeEach(async () => {
    stubSfCommandUx($$.SANDBOX);
    process.exitCode = undefined;
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scoring-monitor-actuals-'));
  });
  afterEach(async () => {
    process.exitCode = undefined;
    await fs.rm(dir, { recursive: true, force: true });
  });

  const monitor = async (modelsDir: string, file: string): Promise<ActualsMonitoring> => {
    const result = await Monitor.run(['--models-dir', modelsDir, '--name', 'gift-demand', '--actuals', file, '--json']);
    if (result.kind !== 'actuals') throw new Error('expected count monitoring');
    return result;
  };
  const actuals = (truth: (cycle: string) => number, seed: number, cycles = ['2026-C1'], extra: Partial<Parameters<typeof makeActuals>[1]> = {}): Promise<string> =>
    writeCsv(path.join(dir, `actuals-${seed}.csv`), makeActuals(golden, { cycles, copies: 2, truth, random: seededRandom(seed), ...extra }));
  const manifestMetrics = async (modelsDir: string): Promise<Record<string, number>> =>
    (JSON.parse(await fs.readFile(path.join(modelsDir, 'gift-demand', '2.1.0', 'manifest.json'), 'utf8')) as { metrics: Record<string, number> }).metrics;

  it('derives the thresholds from the validation metrics and exits 1 when deviance is far above them', async () => {
    const result = await monitor(derived, await actuals(() => 3, 11));
    expectMatchesSchema('scoring-monitor', result);
    const metrics = await manifestMetrics(derived);
    const deviance = result.criteria.find((c) => c.criterion.includes('Poisson deviance'))!;
    expect(deviance.threshold).toBeCloseTo(metrics.poisson_deviance * 1.1, 5);
    expect(deviance.criterion).toBe(`2.1.0: Poisson deviance above ${deviance.threshold} for 1 consecutive cycle(s)`);
    expect(deviance.note).toMatch(/threshold from validation poisson_deviance .* x \(1 \+ 0\.1\)/);
    expect(deviance.actual!).toBeGreaterThan(4);
    expect(deviance.breached).toBe(true);
    expect(result.criteria.find((c) => c.criterion.includes('weighted MAPE'))!.threshold).toBeCloseTo(metrics.weighted_mape * 1.1, 5);
    expect(result.criteria.find((c) => c.criterion.includes('R2'))!.threshold).toBeCloseTo(metrics.r2 - 0.1 * Math.abs(metrics.r2), 5);
    expect(result).toMatchObject({ champion: '2.1.0', monitored: ['2.1.0'], breached: true });
    expect(process.exitCode).toBe(1);
  });

  it('reads explicit thresholds from gates.rollback: passes (exit code unset) or breaches by them', async () => {
    const generous = await buildDemandModelsDir([{ version: '2.1.0', scale: 1, rollback: { max_poisson_deviance: 50, max_weighted_mape: 50, min_r2: -100 } }]);
    const file = await actuals(() => 1, 22);
    const ok = await monitor(generous, file);
    expect(ok.criteria.map((c) => [c.threshold, c.breached])).toEqual([[50, false], [50, false], [-100, false]]);
    expect(ok.criteria[0].note).toBe('threshold from gates.rollback.max_poisson_deviance');
    expect(ok.breached).toBe(false);
    expect(process.exitCode).toBeUndefined();

    // No Poisson sample with means of 0.38 and more has a mean deviance under 0.01.
    const tight = await buildDemandModelsDir([{ version: '2.1.0', scale: 1, rollback: { max_poisson_deviance: 0.01, max_weighted_mape: 50, min_r2: -100 } }]);
    const breached = await monitor(tight, file);
    expect(breached.criteria.map((c) => c.breached)).toEqual([true, false, false]);
    expect(breached.criteria[0].actual).toBe(ok.criteria[0].actual);
    expect(process.exitCode).toBe(1);
  });

  it('breaches only when the threshold is crossed in consecutive_cycles complete cycles running', async () => {
    const twoCycles = await buildDemandModelsDir([{ version: '2.1.0', scale: 1, rollback: { consecutive_cycles: 2 } }]);
    const lastOnly = await monitor(twoCycles, await actuals((c) => (c === '2026-C2' ? 3 : 1), 33, ['2026-C1', '2026-C2']));
    const dev = (r: ActualsMonitoring) => r.criteria.find((c) => c.criterion.includes('Poisson deviance'))!;
    expect(dev(lastOnly).criterion).toMatch(/for 2 consecutive cycle\(s\)$/);
    expect(dev(lastOnly).breached).toBe(false);
    expect(process.exitCode).toBeUndefined();
    const both = await monitor(twoCycles, await actuals(() => 3, 34, ['2026-C1', '2026-C2']));
    expect(dev(both).breached).toBe(true);
    expect(process.exitCode).toBe(1);
    // An open third cycle is not measured and does not hide the two complete ones.
    const withOpen = await monitor(twoCycles, await actuals(() => 3, 35, ['2026-C1', '2026-C2', '2026-C3'], { open: ['2026-C3'] }));
    expect(withOpen.cycles.map((c) => c.complete)).toEqual([true, true, false]);
    expect(dev(withOpen).breached).toBe(true);
  });

  it('watches each version on the rows it served when the file says who served them', async () => {
    // The champion served truth-1 rows well; the canary 2.2.0 (1.5 x) served the same kind of rows badly at truth 0.4.
    const rows = [
      ...makeActuals(golden, { cycles: ['2026-C1'], copies: 1, truth: () => 1, random: seededRandom(44), servedBy: () => '2.1.0' }),
      ...makeActuals(golden, { cycles: ['2026-C1'], copies: 1, truth: () => 0.4, random: seededRandom(45), servedBy: () => '2.2.0' }),
    ];
    const result = await monitor(derived, await writeCsv(path.join(dir, 'served.csv'), rows));
    expect(result.monitored).toEqual(['2.1.0', '2.2.0']);
    expect(result.cycles[0].versions.map((v) => [v.version, v.rows, v.servedRows])).toEqual([
      ['2.1.0', 300, 300],
      ['2.2.0', 300, 300],
    ]);
    // 2.2.0 predicts 1.5 / 0.4 = 3.75 x the truth: weighted MAPE >= 2.75 - ..., far above 0.88.
    const mape = result.criteria.find((c) => c.criterion.startsWith('2.2.0: weighted MAPE'))!;
    expect(mape.breached).toBe(true);
    expect(result.breached).toBe(true);
    expect(process.exitCode).toBe(1);
  });

  it('groups date cycles by --period, and refuses --period for cycles that are not dates', async () => {
    const file = await actuals(() => 1, 55, ['2026-03-02', '2026-03-09', '2026-04-06']);
    const result = (await Monitor.run(['--models-dir', derived, '--name', 'gift-demand', '--actuals', file, '--period', 'monthly', '--json'])) as ActualsMonitoring;
    expect(result.cycles.map((c) => [c.cycle, c.rows])).toEqual([
      ['2026-03', 1200],
      ['2026-04', 600],
    ]);
    const labels = await actuals(() => 1, 56, ['spring']);
    expect((await refusal(Monitor.run(['--models-dir', derived, '--name', 'gift-demand', '--actuals', labels, '--period', 'weekly', '--json']))).message).toMatch(
      /cycle "spring" is not a date, so it has no weekly period/,
    );
  });
});
