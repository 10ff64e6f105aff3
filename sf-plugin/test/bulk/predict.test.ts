import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { stubSfCommandUx } from '@salesforce/sf-plugins-core';
import { TestContext } from '@salesforce/core/testSetup';
import Predict from '../../src/commands/scoring/predict.js';
import { REPO_ROOT } from '../helpers/models.js';
import { refusal } from '../helpers/refusal.js';

type GoldenRow = { inputs: Record<string, unknown>; asOf: string; prediction: number };

describe('scoring predict', () => {
  const $$ = new TestContext();
  const modelsDir = path.join(REPO_ROOT, 'models');
  let dir: string;
  let rows: GoldenRow[];
  let asOf: string;

  beforeEach(async () => {
    stubSfCommandUx($$.SANDBOX);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scoring-predict-'));
    const golden = JSON.parse(await fs.readFile(path.join(modelsDir, 'golden', 'gift-demand-2.1.0.json'), 'utf8')) as {
      rows: GoldenRow[];
    };
    // Rows of one reference day, so one --as-of fits them all.
    const byDay = new Map<string, GoldenRow[]>();
    for (const r of golden.rows) byDay.set(r.asOf, [...(byDay.get(r.asOf) ?? []), r]);
    [asOf, rows] = [...byDay].sort((a, b) => b[1].length - a[1].length)[0];
  });
  afterEach(async () => fs.rm(dir, { recursive: true, force: true }));

  const writeRows = async (list: Array<Record<string, unknown>>): Promise<string> => {
    const columns = Object.keys(list[0]);
    const file = path.join(dir, 'rows.csv');
    await fs.writeFile(
      file,
      stringify([columns, ...list.map((r) => columns.map((c) => (r[c] === null ? '' : String(r[c]))))]),
    );
    return file;
  };

  it("writes XGBoost's expected quantities summed per product", async () => {
    expect(rows.length).toBeGreaterThan(2);
    // Two copies of the day's rows: every product's total is twice its golden sum.
    const from = await writeRows([...rows, ...rows].map((r) => r.inputs));
    const out = path.join(dir, 'quantities.csv');
    const result = await Predict.run([
      '--models-dir',
      modelsDir,
      '--name',
      'gift-demand',
      '--from',
      from,
      '--out',
      out,
      '--as-of',
      asOf,
    ]);
    expect(result).toMatchObject({ version: '2.1.0', rows: rows.length * 2 });
    const expected = new Map<string, number>();
    for (const r of rows)
      expected.set(String(r.inputs.product_id), (expected.get(String(r.inputs.product_id)) ?? 0) + 2 * r.prediction);
    const written = parse(await fs.readFile(out, 'utf8'), { columns: true }) as Array<{
      product_id: string;
      expected_qty: string;
      confidence_score: string;
    }>;
    expect(written.map((w) => w.product_id).sort()).toEqual([...expected.keys()].sort());
    for (const w of written) {
      expect(Number(w.expected_qty)).toBeCloseTo(expected.get(w.product_id)!, 4);
      expect(Number(w.confidence_score)).toBeGreaterThanOrEqual(0.5);
      expect(Number(w.confidence_score)).toBeLessThanOrEqual(0.95);
    }
  });

  it('refuses a column the model does not take, naming it', async () => {
    const from = await writeRows(rows.map((r) => ({ ...r.inputs, discount: 3 })));
    const err = await refusal(
      Predict.run([
        '--models-dir',
        modelsDir,
        '--name',
        'gift-demand',
        '--from',
        from,
        '--out',
        path.join(dir, 'q.csv'),
      ]),
    );
    expect(err.message).toMatch(/not inputs of gift-demand 2\.1\.0: discount/);
  });

  it('refuses rows without a product_id, by CSV line', async () => {
    const from = await writeRows(rows.map((r, i) => ({ ...r.inputs, product_id: i === 1 ? '' : r.inputs.product_id })));
    const err = await refusal(
      Predict.run([
        '--models-dir',
        modelsDir,
        '--name',
        'gift-demand',
        '--from',
        from,
        '--out',
        path.join(dir, 'q.csv'),
      ]),
    );
    expect(err.message).toMatch(/CSV lines 3\b/);
  });
});
