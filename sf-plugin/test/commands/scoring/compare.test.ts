import Compare, { type LeadCompareResult } from '../../../src/commands/scoring/compare.js';
import { makeHistory } from '../../helpers/history.js';
import { orgCommandWorld } from '../../helpers/org-command-setup.js';
import { expectMatchesSchema } from '../../helpers/schema.js';

describe('scoring compare', () => {
  const w = orgCommandWorld();
  /** The lead path's result (kind "leads"); --actuals has its own tests (compare-actuals.test.ts). */
  const run = async (argv: string[]): Promise<LeadCompareResult> => {
    const result = await Compare.run(argv);
    if (result.kind !== 'leads') throw new Error(`expected a lead comparison, got ${result.kind}`);
    return result;
  };
  const args = (...extra: string[]): string[] => ['--target-org', w.testOrg.username, '--models-dir', w.modelsDir, '--name', 'lead-scoring', ...extra];
  const now = new Date();
  const weekAgo = new Date(now.getTime() - 7 * 86_400_000);

  beforeEach(() => {
    w.org.config = { ...w.org.config, Champion_Version__c: '4.0.0', Challenger_Version__c: '4.1.0' };
  });

  it('measures both versions on the same leads and recommends the better challenger', async () => {
    w.org.history = makeHistory({
      leads: 3000, from: weekAgo, to: now, seed: 7,
      versions: [{ version: '4.0.0', role: 'champion', noise: 0.8 }, { version: '4.1.0', role: 'challenger', noise: 0.2 }],
    });
    const result = await run(args('--since', '7d', '--json'));
    expectMatchesSchema('scoring-compare', result);
    const [champion, challenger] = result.versions;
    expect(champion).toMatchObject({ version: '4.0.0', role: 'champion', leads: 3000 });
    expect(challenger).toMatchObject({ version: '4.1.0', role: 'challenger', leads: 3000, conversions: champion.conversions });
    expect(challenger.auc!).toBeGreaterThan(champion.auc!);
    expect(challenger.liftByDecile).toHaveLength(10);
    expect(challenger.topDecileLift!).toBeGreaterThanOrEqual(1.5);
    expect(challenger.bottom20Conversion!).toBeLessThan(challenger.topDecileConversion!);
    expect(result.verdict).toBe('promote-challenger');
    const soql = decodeURIComponent(w.org.requests.find((r) => r.url.includes('Lead_Score_History__c'))!.url);
    expect(soql).toContain("Model_Name__c = 'lead-scoring'");
  });

  it('keeps the champion when the challenger is worse', async () => {
    w.org.history = makeHistory({
      leads: 3000, from: weekAgo, to: now, seed: 8,
      versions: [{ version: '4.0.0', role: 'champion', noise: 0.2 }, { version: '4.1.0', role: 'challenger', noise: 0.9 }],
    });
    const result = await run(args('--json'));
    expect(result.verdict).toBe('keep-champion');
    expect(result.reasons[0]).toMatch(/not better/);
  });

  it('says there is not enough evidence with too few conversions', async () => {
    w.org.history = makeHistory({
      leads: 60, from: weekAgo, to: now, seed: 9, baseRate: 0,
      versions: [{ version: '4.0.0', role: 'champion', noise: 0.2 }, { version: '4.1.0', role: 'challenger', noise: 0.2 }],
    });
    const result = await run(args('--min-conversions', '30', '--json'));
    expect(result.verdict).toBe('insufficient-data');
    expect(result.reasons[0]).toMatch(/conversions \(need 30\)/);
  });

  it('prints the per-version figures, the lift by decile and the verdict for humans', async () => {
    w.org.history = makeHistory({
      leads: 3000, from: weekAgo, to: now, seed: 7,
      versions: [{ version: '4.0.0', role: 'champion', noise: 0.8 }, { version: '4.1.0', role: 'challenger', noise: 0.2 }],
    });
    await run(args());
    expect(w.ux.table.callCount).toBe(2);
    const lift = w.ux.table.secondCall.args[0].data as Record<string, unknown>[];
    expect(lift[0]).toHaveProperty('decile', 10);
    expect(lift[0]).toHaveProperty(['lift 4.1.0']);
    expect(w.ux.log.lastCall.args[0]).toMatch(/^Verdict: promote-challenger/);
  });

  it('reads --since as hours, days, weeks or an ISO date, as before', async () => {
    const hours = await run(args('--since', '36h', '--json'));
    expect(Date.now() - Date.parse(hours.since)).toBeGreaterThanOrEqual(36 * 3_600_000);
    expect(Date.now() - Date.parse(hours.since)).toBeLessThan(37 * 3_600_000);
    const date = await run(args('--since', '2026-01-15', '--json'));
    expect(date.since).toBe('2026-01-15T00:00:00.000Z');
    const soql = decodeURIComponent(w.org.requests.filter((r) => r.url.includes('Lead_Score_History__c')).pop()!.url);
    expect(soql).toContain('Scored_At__c >= 2026-01-15T00:00:00.000Z');
  });

  it("reports the lead checklist's figures per version and, with --period, per ISO week", async () => {
    const twoWeeksAgo = new Date(now.getTime() - 14 * 86_400_000);
    w.org.history = makeHistory({
      leads: 3000, from: twoWeeksAgo, to: now, seed: 17,
      versions: [{ version: '4.0.0', role: 'champion', noise: 0.8 }, { version: '4.1.0', role: 'challenger', noise: 0.2 }],
    });
    const result = await run(args('--since', '15d', '--period', 'weekly', '--json'));
    expectMatchesSchema('scoring-compare', result);
    for (const v of result.versions) {
      expect(v.conversionByDecile).toHaveLength(10);
      // Deprioritization efficiency by its definition, from the other figures: the bottom round(0.2 n)
      // leads' share of leads minus their share of conversions (bottom-20% conversion x count / conversions).
      const count = Math.round(0.2 * v.leads);
      expect(v.deprioritizationEfficiency!).toBeCloseTo(count / v.leads - (v.bottom20Conversion! * count) / v.conversions, 5);
      // Lift by decile is conversion by decile over the overall rate.
      expect(v.liftByDecile[9]).toBeCloseTo(v.conversionByDecile[9] / (v.conversions / v.leads), 4);
    }
    const [champion, challenger] = result.versions;
    // Less noise in the score = fewer converters among the lowest-scored.
    expect(challenger.deprioritizationEfficiency!).toBeGreaterThan(champion.deprioritizationEfficiency!);
    const periods = result.periods!;
    expect(periods.length).toBeGreaterThanOrEqual(3);
    expect(periods.every((p) => /^\d{4}-W\d{2}$/.test(p.period) && Date.parse(p.end) - Date.parse(p.start) === 7 * 86_400_000)).toBe(true);
    for (const version of ['4.0.0', '4.1.0']) {
      const leads = periods.map((p) => p.versions.find((v) => v.version === version)?.leads ?? 0).reduce((a, b) => a + b, 0);
      expect(leads).toBe(3000);
    }
  });

  it('refuses a --since it cannot read', async () => {
    await expect(Compare.run(args('--since', 'last week', '--json'))).rejects.toThrow(/--since must be a duration/);
  });
});
