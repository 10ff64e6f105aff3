/**
 * The held-out model of `npm run bench`: shape binary-depth8-bench (XGBoost, depth 8 x 120 trees,
 * 30 columns; models/training/train_shapes.py), which nothing in the project was tuned on.
 * It is imported the way a customer imports a model (importer/import-file.ts) into a models
 * folder of its own, made champion there, and served like any package. The rows come from its
 * golden file and its background sample, so the reference (reference.ts) scores the same values.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { importXgboostFile } from '../importer/import-file';
import { setAlias } from '../package/registry';

export const HELD_OUT = { model: 'shape-binary-depth8-bench', version: '1.0.0', shape: 'binary-depth8-bench' } as const;

export interface HeldOutModel {
  modelsDir: string;
  /** XGBoost's own file, for the reference. */
  xgboostFile: string;
  columns: string[];
  /** Feature rows (null = missing), the same for both sides. */
  rows: (number | null)[][];
  records(from: number, n: number): { id: string; inputs: Record<string, number> }[];
  remove(): void;
}

export async function prepareHeldOut(repoModels: string, nRows: number): Promise<HeldOutModel> {
  const shapeDir = path.join(repoModels, 'training/artifacts/shapes', HELD_OUT.shape);
  const xgboostFile = path.join(shapeDir, 'xgboost.json');
  const golden = JSON.parse(readFileSync(path.join(repoModels, 'golden/shapes', `${HELD_OUT.shape}.json`), 'utf8')) as {
    columns: string[];
    rows: { features: (number | null)[] }[];
  };
  const background = JSON.parse(readFileSync(path.join(shapeDir, 'background.json'), 'utf8')) as (number | null)[][];
  const distinct = [...golden.rows.map((r) => r.features), ...background];
  // More rows than the files hold: each further row takes every column from a different row (same marginals).
  const rows = Array.from({ length: nRows }, (_, i) =>
    i < distinct.length ? distinct[i] : golden.columns.map((_, j) => distinct[(i * 7 + j * 13) % distinct.length][j]),
  );
  const modelsDir = mkdtempSync(path.join(tmpdir(), 'bench-models-'));
  // The importer starts registry.json when the folder has none; the new version becomes champion there.
  await importXgboostFile({
    xgboostFile,
    name: HELD_OUT.model,
    version: HELD_OUT.version,
    modelsDir,
    metadataFile: path.join(shapeDir, 'metadata.json'),
    actor: 'bench',
  });
  await setAlias(modelsDir, HELD_OUT.model, 'champion', HELD_OUT.version);
  const columns = golden.columns;
  return {
    modelsDir,
    xgboostFile,
    columns,
    rows,
    records: (from, n) =>
      Array.from({ length: n }, (_, k) => {
        const i = (from + k) % rows.length;
        const inputs: Record<string, number> = {};
        rows[i].forEach((v, j) => {
          if (v !== null) inputs[columns[j]] = v;
        });
        return { id: `row-${from + k}`, inputs };
      }),
    remove: () => rmSync(modelsDir, { recursive: true, force: true }),
  };
}
