import Monitor, { type LeadMonitorResult } from '../../../src/commands/scoring/monitor.js';
import { makeHistory } from '../../helpers/history.js';
import { orgCommandWorld } from '../../helpers/org-command-setup.js';
import { expectMatchesSchema } from '../../helpers/schema.js';

describe('scoring monitor', () => {
  const w = orgCommandWorld();
  /** The lead path's result (kind "leads"); --actuals has its own tests (monitor-actuals.test.ts). */
  const run = async (argv: string[]): Promise<LeadMonitorResult> => {
    const result = await Monitor.run(argv);
    if (result.kind !== 'leads') throw new Error(`expected lead monitoring, got ${result.kind}`);
    return result;
  };
  const args = (...extra: string[]): string[] => ['--target-org', w.testOrg.username, '--models-dir', w.modelsDir, '--name', 'lead-scoring', ...extra];
  const now = new Date();
  const twoWeeksAgo = new Date(now.getTime() - 14 * 86_400_000 + 60_000);

  beforeEach(() => {
    w.org.config = { ...w.org.config, Champion_Version__c: '4.1.0', Challenger_Version__c: null };
  });

  it('passes a champion that still separates converters, with exit code 0', async () => {
    w.org.history = makeHistory({ leads: 4000, from: twoWeeksAgo, to: now, seed: 11, versions: [{ version: '4.1.0', role: 'champion', noise: 0.2 }] });
    const result = await run(args('--json'));
    expect(result.weeks).toHaveLength(2);
    expectMatchesSchema('scoring-monitor', result);
    expect(result.weeks.every((wk) => wk.topDecileLift! >= 1.5)).toBe(true);
    expect(result.breached).toBe(false);
    expect(process.exitCode).toBeUndefined();
  });

  it('flags a champion whose lift and AUC collapsed, and exits 1 for the scheduler', async () => {
    w.org.history = makeHistory({ leads: 4000, from: twoWeeksAgo, to: now, seed: 12, versions: [{ version: '4.1.0', role: 'champion', noise: 1 }] });
    const result = await run(args('--json'));
    expect(result.breached).toBe(true);
    const breached = result.criteria.filter((c) => c.breached).map((c) => c.criterion);
    expect(breached).toContain('top-decile lift below 1.5 for 2 consecutive weeks');
    expect(breached).toContain('AUC below 0.59');
    expect(process.exitCode).toBe(1);
  });

  it('suggests the rollback command to humans when breached', async () => {
    w.org.history = makeHistory({ leads: 4000, from: twoWeeksAgo, to: now, seed: 12, versions: [{ version: '4.1.0', role: 'champion', noise: 1 }] });
    await run(args());
    expect(w.ux.log.lastCall.args[0]).toContain('sf scoring model rollback --name lead-scoring');
  });

  it('does not call a week with too few conversions a breach', async () => {
    w.org.history = makeHistory({ leads: 40, from: twoWeeksAgo, to: now, seed: 13, baseRate: 0, versions: [{ version: '4.1.0', role: 'champion', noise: 1 }] });
    const result = await run(args('--json'));
    expect(result.criteria[0]).toMatchObject({ breached: false });
    expect(result.criteria[0].note).toMatch(/fewer than 5 conversions/);
  });

  it('adds every version\'s figures, by day with --period daily, over --since, and keeps the criteria on the window', async () => {
    const threeWeeksAgo = new Date(now.getTime() - 21 * 86_400_000);
    w.org.history = makeHistory({
      leads: 4000, from: threeWeeksAgo, to: now, seed: 14,
      versions: [{ version: '4.1.0', role: 'champion', noise: 0.2 }, { version: '4.0.0', role: 'challenger', noise: 0.8 }],
    });
    const plain = await run(args('--json'));
    const result = await run(args('--since', '21d', '--period', 'daily', '--json'));
    expectMatchesSchema('scoring-monitor', result);
    // The rollback criteria read the same two weeks of champion scores with or without --since.
    expect(result.criteria).toEqual(plain.criteria);
    expect(result.weeks.map((wk) => wk.leads)).toEqual(plain.weeks.map((wk) => wk.leads));
    expect(result.versions.map((v) => [v.version, v.leads])).toEqual([['4.1.0', 4000], ['4.0.0', 4000]]);
    expect(result.versions[0].deprioritizationEfficiency!).toBeGreaterThan(result.versions[1].deprioritizationEfficiency!);
    const days = result.periods!;
    expect(days.length).toBeGreaterThanOrEqual(21);
    expect(days.every((d) => /^\d{4}-\d{2}-\d{2}$/.test(d.period))).toBe(true);
    expect(days.map((d) => d.versions.find((v) => v.version === '4.1.0')?.leads ?? 0).reduce((a, b) => a + b, 0)).toBe(4000);

    // The V4.1.0 checklist's key metrics, per version, against its targets (none set in these manifests).
    expect(result.targets.filter((t) => t.version === '4.1.0').map((t) => [t.metric, t.bound, t.target, t.source])).toEqual([
      ['topDecileLift', 'min', 2, 'V4.1.0 checklist'],
      ['auc', 'min', 0.6, 'V4.1.0 checklist'],
      ['bottom20Conversion', 'max', 0.02, 'V4.1.0 checklist'],
      ['deprioritizationEfficiency', 'min', 0.11, 'V4.1.0 checklist'],
    ]);
    for (const t of result.targets) {
      const v = result.versions.find((x) => x.version === t.version)!;
      expect(t.actual).toBe(v[t.metric]);
      expect(t.met).toBe(t.bound === 'min' ? t.actual! >= t.target : t.actual! < t.target);
    }
    // The noisy 4.0.0 misses the AUC target that the sharp 4.1.0 meets.
    expect(result.targets.find((t) => t.version === '4.1.0' && t.metric === 'auc')!.met).toBe(true);
    expect(result.targets.find((t) => t.version === '4.0.0' && t.metric === 'auc')!.met).toBe(false);
    expect(result.breached).toBe(plain.breached);
  });

  it('refuses an org with no champion', async () => {
    w.org.config = { ...w.org.config, Champion_Version__c: null };
    await expect(Monitor.run(args('--json'))).rejects.toThrow(/has no champion of lead-scoring/);
  });
});
