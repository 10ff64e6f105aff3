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

  it('refuses an org with no champion', async () => {
    w.org.config = { ...w.org.config, Champion_Version__c: null };
    await expect(Monitor.run(args('--json'))).rejects.toThrow(/has no champion of lead-scoring/);
  });
});
