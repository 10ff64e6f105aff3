/**
 * `sf scoring verify` on lead-scoring 4.1.0's golden rows: the test writes the leads file and a
 * "warehouse" scores file (scores the library produced through its own pipeline and ONNX session,
 * or XGBoost's own predictions from the golden file), then alters, drops or shifts scores and
 * checks what the command names, its exit code and its ledger entry.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { TestContext } from '@salesforce/core/testSetup';
import { stubSfCommandUx, stubSpinner } from '@salesforce/sf-plugins-core';
import Verify from '../../../src/commands/scoring/verify.js';
import { loadPackage } from '../../../src/lib/library.js';
import { buildModelsDir, readLedgerLines } from '../../helpers/models.js';
import { refusal } from '../../helpers/refusal.js';
import { expectMatchesSchema } from '../../helpers/schema.js';

type GoldenRow = { id: string; inputs: Record<string, unknown>; asOf: string; prediction: number };

const sha256 = async (file: string): Promise<string> =>
  createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex');

describe('scoring verify', () => {
  const $$ = new TestContext();
  let modelsDir: string;
  let dir: string;
  let golden: GoldenRow[];
  let asOf: string;
  let inputNames: string[];
  /** lead id -> the score the library's own pipeline + ONNX session gives (not the command's worker pool). */
  let libraryScores: Map<string, number>;
  let ux: ReturnType<typeof stubSfCommandUx>;

  beforeAll(async () => {
    modelsDir = await buildModelsDir();
    const file = JSON.parse(await fs.readFile(path.join(modelsDir, 'golden', 'lead-scoring-4.1.0.json'), 'utf8')) as {
      rows: GoldenRow[];
    };
    golden = file.rows;
    asOf = golden[0].asOf;
    expect(golden.every((r) => r.asOf === asOf)).toBe(true);
    const pkg = await loadPackage(modelsDir, 'lead-scoring', '4.1.0');
    inputNames = pkg.manifest.inputs.map((i) => i.name);
    const { createSession, predictRows } = await import('@lead-scoring/scoring-service/inference');
    const session = await createSession(pkg.modelPath, { threads: 1 });
    try {
      const records = golden.map((r) => ({ id: r.id, inputs: r.inputs }));
      const scores = await predictRows(
        session,
        pkg.manifest.model,
        pkg.pipeline.transform(records, { asOf }),
        records.length,
      );
      libraryScores = new Map(records.map((r, i) => [r.id, scores[i]]));
    } finally {
      await session.release();
    }
  });
  afterAll(async () => fs.rm(modelsDir, { recursive: true, force: true }));

  beforeEach(async () => {
    ux = stubSfCommandUx($$.SANDBOX);
    stubSpinner($$.SANDBOX);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scoring-verify-'));
  });
  afterEach(async () => {
    process.exitCode = undefined;
    await fs.rm(dir, { recursive: true, force: true });
  });

  const writeCsv = async (name: string, header: string[], rows: unknown[][]): Promise<string> => {
    const file = path.join(dir, name);
    await fs.writeFile(
      file,
      stringify([header, ...rows.map((r) => r.map((v) => (v === null || v === undefined ? '' : String(v))))]),
    );
    return file;
  };
  const writeLeads = (rows = golden): Promise<string> =>
    writeCsv(
      'leads.csv',
      ['lead_id', ...inputNames],
      rows.map((r) => [r.id, ...inputNames.map((n) => r.inputs[n])]),
    );
  const writeScores = (scores: Array<[string, number]>, name = 'warehouse_scores.csv'): Promise<string> =>
    writeCsv(
      name,
      ['lead_id', 'score', 'note'],
      scores.map(([id, s]) => [id, s, 'ignored']),
    );
  const libraryScoreRows = (): Array<[string, number]> => golden.map((r) => [r.id, libraryScores.get(r.id)!]);

  const verify = (inputs: string | string[], scores: string | string[], ...extra: string[]) =>
    Verify.run([
      '--models-dir',
      modelsDir,
      '--name',
      'lead-scoring',
      '--version',
      '4.1.0',
      '--inputs',
      ...[inputs].flat(),
      '--scores',
      ...[scores].flat(),
      '--as-of',
      asOf,
      ...extra,
    ]);

  it('passes on the scores the library produced for the golden rows, and records the files it checked', async () => {
    const inputs = await writeLeads();
    const scores = await writeScores(libraryScoreRows());
    const result = await verify(inputs, scores, '--json');
    expectMatchesSchema('scoring-verify', result);
    expect(result.passed).toBe(true);
    expect(process.exitCode).toBeUndefined();
    expect(result).toMatchObject({
      compared: golden.length,
      outsideTolerance: { count: 0 },
      missingInWarehouse: { count: 0 },
      notInInputs: { count: 0 },
    });
    expect(result.maxAbsDiff).toBeLessThanOrEqual(1e-6);
    expect(result.psi).toBeLessThan(0.01);
    // The leads fall in several deciles (the check is not vacuous), and both sides agree on them.
    expect(result.decileShares.local.filter((s) => s > 0).length).toBeGreaterThan(3);
    expect(result.decileShares.warehouse).toEqual(result.decileShares.local);

    const entries = (await readLedgerLines(modelsDir)).filter((e) => e.action === 'warehouse-verify');
    const manifest = JSON.parse(
      await fs.readFile(path.join(modelsDir, 'lead-scoring', '4.1.0', 'manifest.json'), 'utf8'),
    ) as { sha256: string };
    expect(entries.at(-1)).toMatchObject({
      model: 'lead-scoring',
      version: '4.1.0',
      sha256: manifest.sha256,
      result: 'pass',
      details: {
        asOf,
        inputs: {
          files: [{ file: inputs, format: 'csv', sha256: await sha256(inputs), leads: golden.length }],
          leads: golden.length,
        },
        scores: {
          files: [{ file: scores, format: 'csv', sha256: await sha256(scores), leads: golden.length }],
          leads: golden.length,
          column: 'score',
        },
        compared: golden.length,
        outsideTolerance: 0,
        missingInWarehouse: 0,
        notInInputs: 0,
      },
    });
    // Figures only: no lead id goes into the ledger.
    expect(JSON.stringify(entries.at(-1))).not.toContain(golden[0].id);
  });

  it("passes on Parquet files, with XGBoost's own predictions as the warehouse's scores", async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const csvInputs = await writeLeads();
    const csvScores = await writeScores(
      golden.map((r) => [r.id, r.prediction]),
      'xgboost.csv',
    );
    const inputs = path.join(dir, 'leads.parquet');
    const scores = path.join(dir, 'scores.parquet');
    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    try {
      // DuckDB types the columns as a warehouse table has them: BOOLEAN, DATE, DOUBLE/BIGINT, VARCHAR, NULLs.
      await db.run(
        `COPY (SELECT * FROM read_csv('${csvInputs}', header = true, types = {'lead_id': 'VARCHAR'})) TO '${inputs}' (FORMAT parquet)`,
      );
      await db.run(
        `COPY (SELECT lead_id, score::DOUBLE AS score FROM read_csv('${csvScores}', header = true, types = {'lead_id': 'VARCHAR'})) TO '${scores}' (FORMAT parquet)`,
      );
      const types = (await db.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${inputs}')`)).getRowObjectsJson();
      const typeOf = new Map(types.map((t) => [t.column_name, t.column_type]));
      expect(typeOf.get('has_phone')).toBe('BOOLEAN');
      expect(typeOf.get('last_activity_date')).toBe('DATE');
    } finally {
      db.closeSync();
      instance.closeSync();
    }
    const result = await verify(inputs, scores, '--json');
    expect(result).toMatchObject({
      passed: true,
      compared: golden.length,
      inputs: { files: [{ format: 'parquet', leads: golden.length }] },
      scores: { files: [{ format: 'parquet', leads: golden.length }] },
    });
    expect(result.maxAbsDiff).toBeLessThanOrEqual(1e-6);
  });

  it('reads an export in shards: several files after --inputs and --scores, ids unique across them', async () => {
    const half = Math.floor(golden.length / 2);
    const first = await writeCsv(
      'leads-000.csv',
      ['lead_id', ...inputNames],
      golden.slice(0, half).map((r) => [r.id, ...inputNames.map((n) => r.inputs[n])]),
    );
    const second = await writeCsv(
      'leads-001.csv',
      ['lead_id', ...inputNames],
      golden.slice(half).map((r) => [r.id, ...inputNames.map((n) => r.inputs[n])]),
    );
    const rows = libraryScoreRows();
    const scoresA = await writeScores(rows.slice(0, 100), 'scores-000.csv');
    const scoresB = await writeScores(rows.slice(100), 'scores-001.csv');
    const result = await verify([first, second], [scoresA, scoresB], '--json');
    expect(result).toMatchObject({
      passed: true,
      compared: golden.length,
      inputs: { leads: golden.length },
      scores: { leads: golden.length },
    });
    expect(result.inputs.files.map((f) => [path.basename(f.file), f.leads])).toEqual([
      ['leads-000.csv', half],
      ['leads-001.csv', golden.length - half],
    ]);
    const overlapping = await writeScores(rows.slice(99), 'scores-overlap.csv');
    expect((await refusal(verify([first, second], [scoresA, overlapping]))).message).toMatch(
      /1 lead ids are on more than one row/,
    );
  });

  it("compares the warehouse's decile and tier columns with the manifest's, naming the leads that differ", async () => {
    const manifest = JSON.parse(
      await fs.readFile(path.join(modelsDir, 'lead-scoring', '4.1.0', 'manifest.json'), 'utf8'),
    ) as {
      outputs: { deciles: number[]; tiers: { name: string; minDecile: number }[] };
    };
    // What predict.sql computes, written out here from the manifest: 1 + cut points at or below the score; the first tier (highest first) the decile reaches.
    const decileOf = (score: number): number => 1 + manifest.outputs.deciles.filter((c) => c <= score).length;
    const tierOf = (decile: number): string =>
      [...manifest.outputs.tiers].sort((a, b) => b.minDecile - a.minDecile).find((t) => decile >= t.minDecile)!.name;
    const rows = libraryScoreRows().map(([id, score]) => ({
      id,
      score,
      decile: decileOf(score),
      tier: tierOf(decileOf(score)),
    }));
    expect(new Set(rows.map((r) => r.tier))).toEqual(new Set(['Hot', 'Warm', 'Cold']));
    const inputs = await writeLeads();
    const write = (list: typeof rows) =>
      writeCsv(
        'predicted.csv',
        ['lead_id', 'score', 'scaled', 'decile', 'tier'],
        list.map((r) => [r.id, r.score, 50, r.decile, r.tier]),
      );

    const same = await verify(inputs, await write(rows), '--json');
    expect(same).toMatchObject({
      passed: true,
      presentation: { columns: ['decile', 'tier'], compared: golden.length, differ: { count: 0 } },
    });

    // An off-by-one decile on one lead and a wrong tier on another (the score itself right).
    const offByOne = rows.findIndex((r) => r.decile < 10);
    const wrongTier = rows.findIndex((r, i) => i !== offByOne && r.tier === 'Cold');
    const altered = rows.map((r, i) =>
      i === offByOne ? { ...r, decile: r.decile + 1 } : i === wrongTier ? { ...r, tier: 'Warm' } : r,
    );
    const result = await verify(inputs, await write(altered), '--json');
    expect(result.passed).toBe(false);
    expect(process.exitCode).toBe(1);
    expect(result.outsideTolerance.count).toBe(0);
    expect(result.presentation.differ).toEqual({
      count: 2,
      leads: [offByOne, wrongTier]
        .sort((a, b) => a - b)
        .map((i) => ({
          id: rows[i].id,
          local: { decile: rows[i].decile, tier: rows[i].tier },
          warehouse: { decile: altered[i].decile, tier: altered[i].tier },
        })),
    });
    expect(result.checks.find((c) => c.check === 'deciles and tiers match')?.pass).toBe(false);
  });

  it('fails, naming the three leads whose scores were altered with both scores, and exits 1', async () => {
    const inputs = await writeLeads();
    const altered = new Map([
      [golden[7].id, 0.5],
      [golden[120].id, libraryScores.get(golden[120].id)! + 0.01],
      [golden[250].id, libraryScores.get(golden[250].id)! - 0.001],
    ]);
    const scores = await writeScores(libraryScoreRows().map(([id, s]) => [id, altered.get(id) ?? s]));
    const result = await verify(inputs, scores, '--json');
    expect(result.passed).toBe(false);
    expect(process.exitCode).toBe(1);
    expect(result.outsideTolerance.count).toBe(3);
    expect(result.outsideTolerance.leads.map((l) => l.id).sort()).toEqual([...altered.keys()].sort());
    for (const lead of result.outsideTolerance.leads) {
      expect(lead.warehouse).toBe(altered.get(lead.id));
      expect(lead.local).toBeCloseTo(libraryScores.get(lead.id)!, 6);
    }
    expect(result.maxAbsDiff).toBeCloseTo(Math.abs(0.5 - libraryScores.get(golden[7].id)!), 6);
    expect(result.checks.find((c) => c.check === 'scores within tolerance')).toMatchObject({
      pass: false,
      detail: expect.stringMatching(/3 above 0\.000001|3 above 1e-6/),
    });
    expect((await readLedgerLines(modelsDir)).at(-1)).toMatchObject({
      action: 'warehouse-verify',
      result: 'fail',
      details: { outsideTolerance: 3 },
    });
  });

  it('names the altered leads to humans too', async () => {
    const inputs = await writeLeads();
    const scores = await writeScores(libraryScoreRows().map(([id, s], i) => [id, i === 42 ? s + 0.2 : s]));
    await verify(inputs, scores);
    expect(ux.log.args.flat().join('\n')).toMatch(/FAILED/);
    expect(ux.table.args.map((a) => a[0].data).flat()).toContainEqual(
      expect.objectContaining({ id: golden[42].id, warehouse: libraryScores.get(golden[42].id)! + 0.2 }),
    );
  });

  it('reports leads missing on either side', async () => {
    const inputs = await writeLeads();
    const dropped = [golden[3].id, golden[200].id];
    const rows = libraryScoreRows().filter(([id]) => !dropped.includes(id));
    const scores = await writeScores([...rows, ['00QNOTINTHEINPUTS1', 0.3]]);
    const result = await verify(inputs, scores, '--json');
    expect(result.passed).toBe(false);
    expect(process.exitCode).toBe(1);
    expect(result.missingInWarehouse).toEqual({ count: 2, ids: dropped });
    expect(result.notInInputs).toEqual({ count: 1, ids: ['00QNOTINTHEINPUTS1'] });
    expect(result.compared).toBe(golden.length - 2);
    expect(result.outsideTolerance.count).toBe(0);
    expect(result.checks.find((c) => c.check === 'every lead in both files')?.pass).toBe(false);
  });

  it('warns when the inputs have no column for an input, since every lead is then scored with it missing', async () => {
    const without = inputNames.filter((n) => n !== 'tenure_at_firm_months');
    const inputs = await writeCsv(
      'leads.csv',
      ['lead_id', ...without],
      golden.map((r) => [r.id, ...without.map((n) => r.inputs[n])]),
    );
    const scores = await writeScores(libraryScoreRows());
    const result = await verify(inputs, scores, '--json');
    expect(result.absentInputs).toEqual(['tenure_at_firm_months']);
    expect(ux.warn.args.flat().join('\n')).toMatch(/no column for tenure_at_firm_months/);
    // The warehouse scored it with tenure; scored without, leads differ, and verify says so.
    expect(result.passed).toBe(false);
    expect(result.outsideTolerance.count).toBeGreaterThan(0);
  });

  it('respects --tolerance: scores 5e-6 off fail at the default 1e-6 and pass at 1e-5', async () => {
    const inputs = await writeLeads();
    const scores = await writeScores(libraryScoreRows().map(([id, s]) => [id, s + 5e-6]));
    const strict = await verify(inputs, scores, '--json');
    expect(strict.passed).toBe(false);
    expect(strict.outsideTolerance.count).toBe(golden.length);
    expect(strict.outsideTolerance.leads).toHaveLength(20);
    process.exitCode = undefined;
    const loose = await verify(inputs, scores, '--tolerance', '1e-5', '--json');
    expect(loose.passed).toBe(true);
    expect(process.exitCode).toBeUndefined();
    expect(loose.maxAbsDiff).toBeGreaterThan(4e-6);
    expect(loose.maxAbsDiff).toBeLessThan(6e-6);
  });

  it('refuses files it cannot read as leads and scores, saying what to fix', async () => {
    const inputs = await writeLeads();
    const scores = await writeScores(libraryScoreRows());
    expect((await refusal(verify(inputs, scores, '--id-column', 'Id'))).message).toMatch(
      /has no column Id \(its columns: lead_id, lead_source.*--id-column/,
    );
    expect((await refusal(verify(inputs, scores, '--score-column', 'probability'))).message).toMatch(
      /has no column probability .*--score-column/,
    );
    expect((await refusal(verify(inputs, scores, '--tolerance', 'tight'))).message).toMatch(
      /--tolerance must be a number/,
    );
    const extra = await writeCsv(
      'extra.csv',
      ['lead_id', 'email', ...inputNames],
      golden.map((r) => [r.id, 'x@example.com', ...inputNames.map((n) => r.inputs[n])]),
    );
    expect((await refusal(verify(extra, scores))).message).toMatch(/not inputs of lead-scoring 4\.1\.0: email/);
    const twice = await writeScores([...libraryScoreRows(), [golden[0].id, 0.1]], 'twice.csv');
    expect((await refusal(verify(inputs, twice))).message).toMatch(
      new RegExp(`1 lead ids are on more than one row \\(first: ${golden[0].id}\\)`),
    );
    const unreadable = await writeCsv(
      'unreadable.csv',
      ['lead_id', ...inputNames],
      golden.map((r, i) => [
        r.id,
        ...inputNames.map((n) => (i === 4 && n === 'tenure_at_firm_months' ? 'eight' : r.inputs[n])),
      ]),
    );
    expect((await refusal(verify(unreadable, scores))).message).toMatch(
      /unreadable\.csv line 6: tenure_at_firm_months is not a valid number/,
    );
    const onDay = (day: string) =>
      Verify.run([
        '--models-dir',
        modelsDir,
        '--name',
        'lead-scoring',
        '--version',
        '4.1.0',
        '--inputs',
        inputs,
        '--scores',
        scores,
        '--as-of',
        day,
      ]);
    expect((await refusal(onDay('2026-02-30'))).message).toMatch(
      /--as-of must be a day as YYYY-MM-DD \(got "2026-02-30"\)/,
    );
    const json = path.join(dir, 'scores.json');
    await fs.writeFile(json, '[]');
    expect((await refusal(verify(inputs, json))).message).toMatch(/neither \.csv nor \.parquet/);
  });
});
