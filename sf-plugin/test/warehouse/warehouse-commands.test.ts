/**
 * The warehouse commands end to end: `model export` writes the BigQuery and DuckDB files (the
 * BigQuery features.sql equal to the committed, reviewed file; model.onnx loadable by
 * onnxruntime-node with one [N, 1] input per column), and `score --from` scores a CSV and a
 * Parquet file of the golden rows with exactly the library's scores, with no org.
 */
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { TestContext } from '@salesforce/core/testSetup';
import { stubSfCommandUx } from '@salesforce/sf-plugins-core';
import { DuckDBInstance } from '@duckdb/node-api';
import * as ort from 'onnxruntime-node';
import { createSession, predictRows } from '@lead-scoring/scoring-service/inference';
import ModelExport from '../../src/commands/scoring/model/export.js';
import Score from '../../src/commands/scoring/score.js';
import Verify from '../../src/commands/scoring/verify.js';
import type { VerifyResult } from '../../src/commands/scoring/verify.js';
import { loadPackage, present } from '../../src/lib/library.js';
import type { FileScoreResult } from '../../src/lib/warehouse/score-file.js';
import { buildModelsDir, REPO_ROOT } from '../helpers/models.js';
import { expectMatchesSchema } from '../helpers/schema.js';

type GoldenRow = { id: string; inputs: Record<string, unknown>; asOf: string };

const EXPECTED = path.join(
  REPO_ROOT,
  'sf-plugin',
  'test',
  'warehouse',
  'expected',
  'lead-scoring-4.1.0.features.bigquery.sql',
);

async function readTable(file: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const reader = file.endsWith('.csv')
    ? `read_csv('${file}', header = true, all_varchar = true)`
    : `read_parquet('${file}')`;
  const rows = (await conn.runAndReadAll(`SELECT * FROM ${reader} ORDER BY lead_id`)).getRowObjectsJS() as Record<
    string,
    unknown
  >[];
  conn.closeSync();
  instance.closeSync();
  return rows;
}

describe('warehouse commands', () => {
  const $$ = new TestContext();
  let modelsDir: string;
  let work: string;
  let rows: GoldenRow[];
  let csv: string;
  let parquet: string;

  beforeAll(async () => {
    modelsDir = await buildModelsDir();
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'warehouse-commands-'));
    rows = (
      JSON.parse(readFileSync(path.join(REPO_ROOT, 'models', 'golden', 'lead-scoring-4.1.0.json'), 'utf8')) as {
        rows: GoldenRow[];
      }
    ).rows;
    const pkg = await loadPackage(modelsDir, 'lead-scoring', '4.1.0');
    const header = ['id', ...pkg.manifest.inputs.map((i) => i.name)];
    const records = rows.map((r) =>
      header.map((h) =>
        h === 'id' ? r.id : r.inputs[h] === null || r.inputs[h] === undefined ? '' : String(r.inputs[h]),
      ),
    );
    csv = path.join(work, 'leads.csv');
    await fs.writeFile(csv, stringify([header, ...records]));
    parquet = path.join(work, 'leads.parquet');
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    await conn.run(`COPY (SELECT * FROM read_csv('${csv}', header = true)) TO '${parquet}' (FORMAT parquet)`);
    conn.closeSync();
    instance.closeSync();
  });
  afterAll(async () => {
    await fs.rm(modelsDir, { recursive: true, force: true });
    await fs.rm(work, { recursive: true, force: true });
  });
  beforeEach(() => {
    stubSfCommandUx($$.SANDBOX);
  });

  it('model export --target bigquery writes the files, features.sql as committed, model.onnx per column', async () => {
    const out = path.join(work, 'bq');
    const result = await ModelExport.run([
      '--models-dir',
      modelsDir,
      '--name',
      'lead-scoring',
      '--version',
      '4.1.0',
      '--target',
      'bigquery',
      '--out',
      out,
      '--json',
    ]);
    expectMatchesSchema('scoring-model-export', result);
    expect(result.files.sort()).toEqual([
      'README.md',
      'create_model.sql',
      'features.sql',
      'load_snapshots.sql',
      'model.onnx',
      'predict.sql',
    ]);
    expect(await fs.readFile(path.join(out, 'features.sql'), 'utf8')).toBe(readFileSync(EXPECTED, 'utf8'));
    const session = await ort.InferenceSession.create(await fs.readFile(path.join(out, 'model.onnx')));
    expect(session.inputNames).toEqual(result.columns);
    expect(result.columns).toHaveLength(41);
    expect(result.warnings).toEqual([]);
    const createModel = await fs.readFile(path.join(out, 'create_model.sql'), 'utf8');
    expect(createModel).toContain("MODEL_TYPE = 'ONNX'");
    const predict = await fs.readFile(path.join(out, 'predict.sql'), 'utf8');
    expect(predict).toContain(
      'ML.PREDICT(MODEL `lead_scoring.lead_scoring_4_1_0`, TABLE `lead_scoring.lead_scoring_4_1_0_features`)',
    );
    expect(predict).toContain("'Hot'");
  });

  it('model export --target duckdb writes the DuckDB dialect', async () => {
    const out = path.join(work, 'duck');
    const result = await ModelExport.run([
      '--models-dir',
      modelsDir,
      '--name',
      'lead-scoring',
      '--version',
      '4.1.0',
      '--target',
      'duckdb',
      '--out',
      out,
      '--json',
    ]);
    expect(result.files.sort()).toEqual(['README.md', 'features.sql', 'load_snapshots.sql', 'present.sql']);
    const features = await fs.readFile(path.join(out, 'features.sql'), 'utf8');
    expect(features).toContain(`getvariable('scoring_date')`);
    expect(features).not.toContain('`');
  });

  it('score --from a CSV and a Parquet file gives the library scores for the golden rows, with no org', async () => {
    const pkg = await loadPackage(modelsDir, 'lead-scoring', '4.1.0');
    const asOf = rows[0].asOf;
    expect(rows.every((r) => r.asOf === asOf)).toBe(true);
    const features = pkg.pipeline.transform(
      rows.map((r) => ({
        id: r.id,
        inputs: Object.fromEntries(Object.entries(r.inputs).filter(([, v]) => v !== null)),
      })),
      { asOf },
    );
    const session = await createSession(pkg.onnxBytes, { threads: 1 });
    const scores = await predictRows(session, pkg.manifest.model, features, rows.length);
    const want = new Map(rows.map((r, i) => [r.id, { score: scores[i], ...present(scores[i], pkg.manifest) }]));
    for (const [from, out] of [
      [csv, path.join(work, 'scores-from-csv.csv')],
      [parquet, path.join(work, 'scores-from-parquet.parquet')],
    ]) {
      const result = (await Score.run([
        '--models-dir',
        modelsDir,
        '--name',
        'lead-scoring',
        '--version',
        '4.1.0',
        '--from',
        from,
        '--out',
        out,
        '--scoring-date',
        asOf,
        '--json',
      ])) as FileScoreResult;
      expectMatchesSchema('scoring-score', result);
      expect(result).toMatchObject({ mode: 'file', version: '4.1.0', scored: rows.length, explainTop: 0 });
      const got = await readTable(out);
      expect(got).toHaveLength(rows.length);
      expect(Object.keys(got[0])).toEqual(['lead_id', 'score', 'scaled', 'decile', 'tier', 'version']);
      for (const g of got) {
        const w = want.get(g.lead_id as string);
        expect({
          id: g.lead_id,
          score: Number(g.score),
          scaled: Number(g.scaled),
          decile: Number(g.decile),
          tier: g.tier,
        }).toEqual({ id: g.lead_id, ...w });
      }
    }
  });

  it('score --from --explain 3 adds the reasons, computed locally', async () => {
    const out = path.join(work, 'reasons.parquet');
    await Score.run([
      '--models-dir',
      modelsDir,
      '--name',
      'lead-scoring',
      '--version',
      '4.1.0',
      '--from',
      csv,
      '--out',
      out,
      '--explain',
      '3',
      '--scoring-date',
      rows[0].asOf,
    ]);
    const got = await readTable(out);
    const reasons = JSON.parse(got[0].reasons as string) as { reasons: { input: string }[] };
    expect(reasons.reasons.length).toBeGreaterThan(0);
    expect(reasons.reasons.length).toBeLessThanOrEqual(3);
  });

  it('verify passes on the scores the DuckDB path wrote, and fails naming three altered ones', async () => {
    // verify reads one id column in both files: the inputs under the name score --from writes.
    const inputs = path.join(work, 'leads-lead-id.csv');
    const [header, ...body] = (await fs.readFile(csv, 'utf8')).split('\n');
    await fs.writeFile(inputs, [header.replace(/^id,/, 'lead_id,'), ...body].join('\n'));
    const scores = path.join(work, 'duckdb-scores.csv');
    const asOf = rows[0].asOf;
    await Score.run([
      '--models-dir',
      modelsDir,
      '--name',
      'lead-scoring',
      '--version',
      '4.1.0',
      '--from',
      inputs,
      '--id-column',
      'lead_id',
      '--out',
      scores,
      '--scoring-date',
      asOf,
    ]);
    const verify = async (file: string): Promise<VerifyResult> =>
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
        file,
        '--as-of',
        asOf,
        '--json',
      ]);
    const passed = await verify(scores);
    expect(passed.passed).toBe(true);
    expect(passed.outsideTolerance.count).toBe(0);
    expect(process.exitCode).toBeUndefined();

    const table = await readTable(scores);
    const altered = [rows[3].id, rows[50].id, rows[200].id];
    const changed = table.map((r) =>
      altered.includes(String(r.lead_id)) ? { ...r, score: String(Number(r.score) + 0.01) } : r,
    );
    const columns = Object.keys(table[0]);
    const tampered = path.join(work, 'duckdb-scores-tampered.csv');
    await fs.writeFile(tampered, stringify([columns, ...changed.map((r) => columns.map((c) => String(r[c])))]));
    const failed = await verify(tampered);
    expect(failed.passed).toBe(false);
    expect(failed.outsideTolerance.count).toBe(3);
    expect(failed.outsideTolerance.leads.map((l) => l.id).sort()).toEqual([...altered].sort());
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
  });

  it('score --from refuses an org flag and a missing --out; without --from an org is required', async () => {
    await expect(
      Score.run([
        '--models-dir',
        modelsDir,
        '--name',
        'lead-scoring',
        '--from',
        csv,
        '--out',
        path.join(work, 'x.csv'),
        '--where',
        "LeadSource = 'Web'",
      ]),
    ).rejects.toThrow(/--where/);
    await expect(
      Score.run(['--models-dir', modelsDir, '--name', 'lead-scoring', '--version', '4.1.0', '--from', csv]),
    ).rejects.toThrow(/--from needs --out/);
    // Without --from, an org is still required (no default org is configured here).
    await expect(Score.run(['--models-dir', modelsDir, '--name', 'lead-scoring'])).rejects.toThrow(/No org to score/);
  });
});
