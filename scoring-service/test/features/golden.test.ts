/**
 * The bundled packages' feature pipelines against the Python trainer: for every golden
 * row, pipeline(inputs, asOf) equals the features the model was trained and checked on,
 * to float32 precision (NaN where the trainer had a missing value).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseManifest } from '../../src/package/loader';
import { compilePipeline } from '../../src/features/pipeline';
import type { SnapshotTable } from '../../src/manifest/schema';

const models = path.join(__dirname, '../../../models');

interface GoldenRow {
  id: string;
  inputs: Record<string, unknown>;
  asOf: string;
  features: (number | null)[];
}

const cases: [string, string][] = [
  ['lead-scoring', '4.0.0'],
  ['lead-scoring', '4.1.0'],
  ['gift-demand', '2.1.0'],
];

describe.each(cases)('%s %s features', (name, version) => {
  const dir = path.join(models, name, version);
  const manifest = parseManifest(JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')));
  const golden: { columns: string[]; rows: GoldenRow[] } = JSON.parse(
    readFileSync(path.join(models, 'golden', `${name}-${version}.json`), 'utf8'),
  );
  const snapshots: Record<string, SnapshotTable> = {};
  for (const f of manifest.features) {
    if (f.kind === 'lookup')
      snapshots[f.table] = JSON.parse(readFileSync(path.join(dir, 'snapshots', `${f.table}.json`), 'utf8'));
  }
  const pipeline = compilePipeline(manifest, snapshots);
  const known = new Set(manifest.inputs.map((i) => i.name));

  it('names the same columns as the trainer', () => {
    expect(pipeline.columns).toEqual(golden.columns);
  });

  it('reproduces the trainer features of every golden row, missing values included', () => {
    expect(golden.rows.length).toBeGreaterThanOrEqual(100);
    expect(golden.rows.some((r) => r.features.includes(null))).toBe(true);
    const mismatches: string[] = [];
    for (const row of golden.rows) {
      // Golden rows carry every generated input; a version scores only the ones its manifest declares.
      const inputs = Object.fromEntries(Object.entries(row.inputs).filter(([k]) => known.has(k)));
      const out = pipeline.transform([{ id: row.id, inputs }], { asOf: row.asOf });
      row.features.forEach((f, c) => {
        const want = f === null ? NaN : Math.fround(f);
        if (!Object.is(out[c], want) && !(want === 0 && out[c] === 0))
          mismatches.push(`${row.id} ${golden.columns[c]}: ${out[c]} != ${f}`);
      });
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });

  it('gives the same rows when the golden rows are scored as one batch', () => {
    const byAsOf = new Map<string, GoldenRow[]>();
    for (const row of golden.rows) byAsOf.set(row.asOf, [...(byAsOf.get(row.asOf) ?? []), row]);
    for (const [asOf, rows] of byAsOf) {
      const batch = pipeline.transform(
        rows.map((r) => ({
          id: r.id,
          inputs: Object.fromEntries(Object.entries(r.inputs).filter(([k]) => known.has(k))),
        })),
        { asOf },
      );
      rows.forEach((row, r) => {
        const single = pipeline.transform(
          [{ id: row.id, inputs: Object.fromEntries(Object.entries(row.inputs).filter(([k]) => known.has(k))) }],
          { asOf },
        );
        expect(Array.from(batch.subarray(r * pipeline.columns.length, (r + 1) * pipeline.columns.length))).toEqual(
          Array.from(single),
        );
      });
    }
  });
});
