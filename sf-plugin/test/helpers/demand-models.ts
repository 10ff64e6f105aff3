/**
 * Count-model worlds for --actuals tests: gift-demand versions imported with the real importer
 * from the committed training artifacts. A challenger is the same trees with XGBoost's
 * base_score scaled, so its expected quantities are the champion's times `scale` on every row
 * (the margin starts from ln(base_score)): how much better or worse it is follows from the
 * actuals a test draws, not from the code under test.
 */
import { promises as fs, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importXgboostFile } from '@lead-scoring/scoring-service/importer';
import { setAlias, setStatus } from '@lead-scoring/scoring-service/package';
import { stringify } from 'csv-stringify/sync';
import { REPO_ROOT } from './models.js';

const ARTIFACTS = path.join(REPO_ROOT, 'models', 'training', 'artifacts', 'gift-demand', '2.1.0');

export type DemandVersion = { version: string; scale: number; rollback?: Record<string, unknown> };

/** A models directory with each version imported; the first is production and champion. */
export async function buildDemandModelsDir(versions: DemandVersion[]): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scoring-demand-models-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'scoring-demand-artifacts-'));
  try {
    const xgboost = JSON.parse(await fs.readFile(path.join(ARTIFACTS, 'xgboost.json'), 'utf8')) as {
      learner: { learner_model_param: { base_score: string } };
    };
    const baseScore = Number(xgboost.learner.learner_model_param.base_score);
    const metadata = JSON.parse(await fs.readFile(path.join(ARTIFACTS, 'metadata.json'), 'utf8')) as Record<string, unknown> & {
      gates: { rollback: Record<string, unknown> };
    };
    for (const v of versions) {
      const src = path.join(work, v.version);
      await fs.cp(ARTIFACTS, src, { recursive: true });
      xgboost.learner.learner_model_param.base_score = String(baseScore * v.scale);
      await fs.writeFile(path.join(src, 'xgboost.json'), JSON.stringify(xgboost));
      const meta = { ...metadata, version: v.version, gates: { ...metadata.gates, rollback: { ...metadata.gates.rollback, ...(v.rollback ?? {}) } } };
      await fs.writeFile(path.join(src, 'metadata.json'), JSON.stringify(meta));
      await importXgboostFile({
        xgboostFile: path.join(src, 'xgboost.json'),
        metadataFile: path.join(src, 'metadata.json'),
        name: 'gift-demand',
        version: v.version,
        modelsDir: dir,
        actor: 'test',
      });
    }
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
  await setStatus(dir, 'gift-demand', versions[0].version, 'production');
  await setAlias(dir, 'gift-demand', 'champion', versions[0].version);
  return dir;
}

type GoldenRow = { inputs: Record<string, unknown>; asOf: string; prediction: number };

/** The golden rows of gift-demand 2.1.0: inputs, their day, and XGBoost's own expected quantity. */
export async function goldenDemandRows(): Promise<GoldenRow[]> {
  const golden = JSON.parse(await fs.readFile(path.join(REPO_ROOT, 'models', 'golden', 'gift-demand-2.1.0.json'), 'utf8')) as { rows: GoldenRow[] };
  return golden.rows;
}

/** Knuth's Poisson sampler (fine for the small means here). */
export function poisson(mean: number, random: () => number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

export type ActualsSpec = {
  cycles: string[];
  /** Copies of each golden row per cycle (a copy is a new draw). */
  copies: number;
  /** Actual mean of a row = truth(cycle) x XGBoost's expected quantity for the champion. */
  truth: (cycle: string) => number;
  random: () => number;
  /** Who served the row (the version column), if any. */
  servedBy?: (row: number) => string;
  /** Cycles whose actuals are not known yet (actual_qty left empty). */
  open?: string[];
};

/** Rows of actuals: the golden rows' inputs, as_of their day, actual_qty drawn from a Poisson around the chosen mean. */
export function makeActuals(golden: GoldenRow[], spec: ActualsSpec): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const cycle of spec.cycles) {
    for (let c = 0; c < spec.copies; c++) {
      for (const g of golden) {
        const actual = spec.open?.includes(cycle) ? null : poisson(spec.truth(cycle) * g.prediction, spec.random);
        out.push({
          ...g.inputs,
          as_of: g.asOf,
          cycle,
          actual_qty: actual,
          ...(spec.servedBy ? { version: spec.servedBy(out.length) } : {}),
        });
      }
    }
  }
  return out;
}

/** Writes rows as CSV (null = empty cell), columns from the first row. */
export async function writeCsv(file: string, rows: Array<Record<string, unknown>>): Promise<string> {
  const columns = Object.keys(rows[0]);
  await fs.writeFile(file, stringify([columns, ...rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? '' : String(r[c]))))]));
  return file;
}
