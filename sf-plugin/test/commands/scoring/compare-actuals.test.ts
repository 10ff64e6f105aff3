/**
 * `sf scoring compare --actuals` for count models. The challenger (2.2.0) is the champion's
 * trees with base_score x 1.5, so on every row it expects 1.5 times what the champion expects
 * (XGBoost's own prediction in the golden file). Actuals are drawn from a Poisson around
 * truth x the champion's expectation, so the verdict follows from the truth chosen:
 *   truth 1.5: the challenger is the true mean, better; truth 1: the champion is, the challenger worse;
 *   truth 0.5 / ln 1.5 (~1.233): both are equally wrong in expectation (the expected per-row
 *   deviance difference 2(mu_ch - mu_c) - 2 E[y] ln(mu_ch / mu_c) = 2 mu (0.5 - truth ln 1.5) is 0), within noise.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stubSfCommandUx } from '@salesforce/sf-plugins-core';
import { TestContext } from '@salesforce/core/testSetup';
import { seededRandom } from '@lead-scoring/scoring-service/explain';
import { setAlias } from '@lead-scoring/scoring-service/package';
import { poissonDeviance as deviance, weightedMape } from '@lead-scoring/scoring-service/metrics';
import Compare from '../../../src/commands/scoring/compare.js';
import type { ActualsComparison } from '../../../src/lib/release/actuals-report.js';
import { buildDemandModelsDir, goldenDemandRows, makeActuals, writeCsv } from '../../helpers/demand-models.js';
import { buildModelsDir, readLedgerLines } from '../../helpers/models.js';
import { refusal } from '../../helpers/refusal.js';
import { expectMatchesSchema } from '../../helpers/schema.js';


describe('scoring compare --actuals (count models)', () => {
  const $$ = new TestContext();
  let template: string;
  let modelsDir: string;
  let dir: string;
  let golden: Awaited<ReturnType<typeof goldenDemandRows>>;
  let ux: ReturnType<typeof stubSfCommandUx>;

  beforeAll(async () => {
    template = await buildDemandModelsDir([
      { version: '2.1.0', scale: 1 },
      { version: '2.2.0', scale: 1.5 },
    ]);
    golden = await goldenDemandRows();
  });

  beforeEach(async () => {
    ux = stubSfCommandUx($$.SANDBOX);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scoring-compare-actuals-'));
    modelsDir = path.join(dir, 'models');
    await fs.cp(template, modelsDir, { recursive: true });
    await setAlias(modelsDir, 'gift-demand', 'challenger', '2.2.0');
  });
  afterEach(async () => fs.rm(dir, { recursive: true, force: true }));

  const compare = async (file: string, ...extra: string[]): Promise<ActualsComparison> => {
    const result = await Compare.run(['--models-dir', modelsDir, '--name', 'gift-demand', '--actuals', file, '--json', ...extra]);
    if (result.kind !== 'actuals') throw new Error('expected a count comparison');
    return result;
  };
  const actualsFile = async (truth: number, seed: number, extra: Partial<Parameters<typeof makeActuals>[1]> = {}): Promise<string> =>
    writeCsv(path.join(dir, 'actuals.csv'), makeActuals(golden, { cycles: ['2026-C1', '2026-C2'], copies: 2, truth: () => truth, random: seededRandom(seed), ...extra }));

  it('calls a challenger that predicts the true mean better, after two complete cycles, and records it in the ledger', async () => {
    const result = await compare(await actualsFile(1.5, 101));
    expectMatchesSchema('scoring-compare', result);
    expect(result).toMatchObject({ champion: '2.1.0', challenger: '2.2.0', completeCycles: 2, verdict: 'challenger-better' });
    expect(result.difference!.high).toBeLessThan(0);
    expect(result.cycles.map((c) => [c.cycle, c.complete, c.rows])).toEqual([
      ['2026-C1', true, 600],
      ['2026-C2', true, 600],
    ]);
    const [champ, chall] = result.versions;
    expect(champ).toMatchObject({ version: '2.1.0', role: 'champion', rows: 1200 });
    expect(chall.poissonDeviance!).toBeLessThan(champ.poissonDeviance!);
    // The baseline beside the figures is the manifest's validation metrics.
    const manifest = JSON.parse(await fs.readFile(path.join(modelsDir, 'gift-demand', '2.1.0', 'manifest.json'), 'utf8')) as { metrics: Record<string, number> };
    expect(champ.baseline).toEqual({ poissonDeviance: manifest.metrics.poisson_deviance, weightedMape: manifest.metrics.weighted_mape, r2: manifest.metrics.r2 });

    const entry = (await readLedgerLines(modelsDir)).filter((e) => e.action === 'compare').pop()!;
    expect(entry).toMatchObject({ model: 'gift-demand', version: '2.2.0', result: 'ok', details: { cycles: 2, verdict: 'challenger-better', champion: '2.1.0', challenger: '2.2.0' } });
    expect(result.ledger).toEqual({ action: 'compare', version: '2.2.0', result: 'ok' });
  });

  it('calls a challenger worse when the champion predicts the true mean, and records a failing compare', async () => {
    const result = await compare(await actualsFile(1, 202));
    expect(result.verdict).toBe('challenger-worse');
    expect(result.difference!.low).toBeGreaterThan(0);
    const entry = (await readLedgerLines(modelsDir)).filter((e) => e.action === 'compare').pop()!;
    expect(entry).toMatchObject({ version: '2.2.0', result: 'fail', details: { cycles: 2, verdict: 'challenger-worse' } });
  });

  it('says within noise when both are equally wrong in expectation', async () => {
    const result = await compare(await actualsFile(0.5 / Math.log(1.5), 303));
    expect(result.verdict).toBe('within-noise');
    expect(result.difference!.low).toBeLessThan(0);
    expect(result.difference!.high).toBeGreaterThan(0);
    expect(result.reasons[1]).toMatch(/includes 0: within noise/);
  });

  it('measures each version per cycle as the library measures XGBoost its own predictions', async () => {
    // Cycle 1 at the champion's mean, cycle 2 at 1.5 x: per-cycle figures must follow.
    const truth = (cycle: string): number => (cycle === '2026-C1' ? 1 : 1.5);
    const rows = makeActuals(golden, { cycles: ['2026-C1', '2026-C2'], copies: 2, truth, random: seededRandom(404) });
    const result = await compare(await writeCsv(path.join(dir, 'actuals.csv'), rows));
    for (const cycle of result.cycles) {
      const mine = rows.map((r, i) => ({ r, g: golden[i % golden.length] })).filter(({ r }) => r.cycle === cycle.cycle);
      const y = mine.map(({ r }) => r.actual_qty as number);
      const champion = mine.map(({ g }) => g.prediction);
      const challenger = champion.map((mu) => mu * 1.5);
      const [c0, c1] = cycle.versions;
      // ONNX in float32 against XGBoost's float32 predictions: equal to about 5 digits.
      expect(c0.poissonDeviance).toBeCloseTo(deviance(y, champion), 4);
      expect(c1.poissonDeviance).toBeCloseTo(deviance(y, challenger), 4);
      expect(c0.weightedMape).toBeCloseTo(weightedMape(y, champion), 4);
      expect(c0.actualTotal).toBe(y.reduce((a, b) => a + b, 0));
    }
    // In cycle 1 the champion is the truth, in cycle 2 the challenger.
    expect(result.cycles[0].versions[0].poissonDeviance!).toBeLessThan(result.cycles[0].versions[1].poissonDeviance!);
    expect(result.cycles[1].versions[1].poissonDeviance!).toBeLessThan(result.cycles[1].versions[0].poissonDeviance!);
  });

  it('gives no verdict before one full cycle: an open cycle is not counted', async () => {
    const open = await compare(await actualsFile(1.5, 505, { cycles: ['2026-C3'], open: ['2026-C3'] }));
    expect(open).toMatchObject({ verdict: 'insufficient-data', completeCycles: 0, difference: null });
    expect(open.reasons[0]).toMatch(/no complete ordering cycle yet \(2026-C3 has 600 of 600 rows without actual_qty\)/);
    const entry = (await readLedgerLines(modelsDir)).filter((e) => e.action === 'compare').pop()!;
    expect(entry).toMatchObject({ result: 'fail', details: { cycles: 0, verdict: 'insufficient-data' } });

    const one = await compare(await actualsFile(1.5, 506, { cycles: ['2026-C2', '2026-C3'], open: ['2026-C3'] }));
    expect(one).toMatchObject({ verdict: 'challenger-better', completeCycles: 1 });
    expect(one.cycles[1]).toMatchObject({ cycle: '2026-C3', complete: false, openRows: 600 });
    expect(one.reasons.at(-1)).toBe('open cycle(s) not counted: 2026-C3');
  });

  it('takes the challenger from the version column when the registry names none, and counts the rows each served', async () => {
    const registry = JSON.parse(await fs.readFile(path.join(modelsDir, 'registry.json'), 'utf8')) as { models: Record<string, { aliases: Record<string, string> }> };
    delete registry.models['gift-demand'].aliases.challenger;
    await fs.writeFile(path.join(modelsDir, 'registry.json'), JSON.stringify(registry));
    const result = await compare(await actualsFile(1.5, 606, { servedBy: (i) => (i % 4 === 0 ? '2.2.0' : '2.1.0') }));
    expect(result.challenger).toBe('2.2.0');
    expect(result.versions.map((v) => [v.version, v.rows, v.servedRows])).toEqual([
      ['2.1.0', 1200, 900],
      ['2.2.0', 1200, 300],
    ]);
  });

  it('reads Parquet as it reads CSV', async () => {
    const csv = await actualsFile(1.5, 707);
    const parquet = path.join(dir, 'actuals.parquet');
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    // Typed columns as a warehouse would export them: numbers, booleans and dates stay typed.
    await conn.run(`COPY (SELECT * FROM read_csv('${csv}', header = true, nullstr = '')) TO '${parquet}' (FORMAT parquet)`);
    conn.closeSync();
    db.closeSync();
    const fromCsv = await compare(csv);
    const fromParquet = await compare(parquet);
    expect(fromParquet.cycles).toEqual(fromCsv.cycles);
    expect(fromParquet.verdict).toBe('challenger-better');
  });

  it('prints the per-cycle figures and the verdict for humans', async () => {
    await Compare.run(['--models-dir', modelsDir, '--name', 'gift-demand', '--actuals', await actualsFile(1.5, 808)]);
    const rows = ux.table.firstCall.args[0].data as Array<Record<string, unknown>>;
    expect(rows.map((r) => [r.cycle, r.status, r.version])).toEqual([
      ['2026-C1', 'complete', '2.1.0'],
      ['2026-C1', 'complete', '2.2.0'],
      ['2026-C2', 'complete', '2.1.0'],
      ['2026-C2', 'complete', '2.2.0'],
    ]);
    expect(rows[0]).toHaveProperty('Poisson deviance');
    expect(ux.log.lastCall.args[0]).toMatch(/^Verdict: challenger-better — over 2 complete cycle\(s\), 1200 rows/);
  });

  it('refuses files it cannot use, naming what is wrong', async () => {
    const rows = makeActuals(golden.slice(0, 20), { cycles: ['C1'], copies: 1, truth: () => 1, random: seededRandom(1) });
    const noCycle = await writeCsv(path.join(dir, 'no-cycle.csv'), rows.map(({ cycle: _c, ...r }) => r));
    expect((await refusal(compare(noCycle))).message).toMatch(/lacks the column\(s\) cycle/);
    const negative = await writeCsv(path.join(dir, 'negative.csv'), rows.map((r, i) => ({ ...r, actual_qty: i === 3 ? -2 : r.actual_qty })));
    expect((await refusal(compare(negative))).message).toMatch(/Line 5 of .*negative\.csv: actual_qty "-2" is not a count/);
    const unknown = await writeCsv(path.join(dir, 'unknown.csv'), rows.map((r) => ({ ...r, version: '9.9.9' })));
    expect((await refusal(compare(unknown))).message).toMatch(/version\(s\) 9\.9\.9 of gift-demand/);
    const noProduct = await writeCsv(path.join(dir, 'no-product.csv'), rows.map((r, i) => ({ ...r, product_id: i === 2 ? '' : r.product_id })));
    expect((await refusal(compare(noProduct))).message).toMatch(/Rows without a product_id \(lines 4\)/);
    await fs.writeFile(path.join(dir, 'rows.txt'), 'x');
    expect((await refusal(compare(path.join(dir, 'rows.txt')))).message).toMatch(/neither \.csv nor \.parquet/);
    expect((await refusal(Compare.run(['--models-dir', modelsDir, '--name', 'gift-demand', '--json']))).message).toMatch(
      /gift-demand is a poisson-regression model: pass --actuals FILE/,
    );
  });

  it('refuses --actuals for a lead model', async () => {
    const leads = await buildModelsDir();
    const file = await writeCsv(path.join(dir, 'a.csv'), [{ cycle: 'C1', actual_qty: 1 }]);
    expect((await refusal(Compare.run(['--models-dir', leads, '--name', 'lead-scoring', '--actuals', file, '--json']))).message).toMatch(
      /lead-scoring 4\.0\.0 is a binary-classification model; --actuals is for count models/,
    );
  });
});
