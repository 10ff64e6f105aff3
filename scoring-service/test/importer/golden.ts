/**
 * Committed XGBoost references (written by models/training with Python, read here without it):
 * the bundled models' golden files, the extra training shapes, and this folder's small fixtures.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '../../..');
export const FIXTURES = path.join(__dirname, 'fixtures');

export interface GoldenCase {
  /** Label used in test titles. */
  label: string;
  /** XGBoost JSON model text. */
  xgboostText: string;
  /** Folder holding metadata.json, background.json, snapshots/ (training artifacts only). */
  artifactDir?: string;
  /** Bundled package folder (models/<name>/<version>) when the case is a bundled model. */
  packageDir?: string;
  name?: string;
  version?: string;
  rows: number[][];
  margin: number[];
  prediction: number[];
}

interface GoldenRow {
  features: (number | null)[];
  margin: number;
  prediction: number;
}
interface GoldenFile {
  rows: GoldenRow[];
}
interface ShapeFile extends GoldenFile {
  shape: string;
  objective: string;
  model: string;
}

const toRow = (r: (number | null)[]): number[] => r.map((v) => (v === null ? NaN : v));
const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/** models/golden/<name>-<version>.json with models/training/artifacts/<name>/<version>/xgboost.json. */
export function bundledCase(name: string, version: string): GoldenCase {
  const golden = readJson<GoldenFile>(path.join(REPO, 'models/golden', `${name}-${version}.json`));
  const artifactDir = path.join(REPO, 'models/training/artifacts', name, version);
  return {
    label: `${name} ${version}`,
    name,
    version,
    xgboostText: readFileSync(path.join(artifactDir, 'xgboost.json'), 'utf8'),
    artifactDir,
    packageDir: path.join(REPO, 'models', name, version),
    rows: golden.rows.map((r) => toRow(r.features)),
    margin: golden.rows.map((r) => r.margin),
    prediction: golden.rows.map((r) => r.prediction),
  };
}

/** Every models/golden/shapes/<shape>.json: models trained only to test the importer on shapes it was not written against. */
export function shapeCases(): GoldenCase[] {
  const dir = path.join(REPO, 'models/golden/shapes');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const golden = readJson<ShapeFile>(path.join(dir, f));
      return {
        label: `shape ${golden.shape} (${golden.objective})`,
        xgboostText: readFileSync(path.join(REPO, golden.model), 'utf8'),
        artifactDir: path.dirname(path.join(REPO, golden.model)),
        rows: golden.rows.map((r) => toRow(r.features)),
        margin: golden.rows.map((r) => r.margin),
        prediction: golden.rows.map((r) => r.prediction),
      };
    });
}

/** This folder's fixtures (make-fixtures.py): binary, poisson, regression. */
export function fixtureCase(name: 'binary' | 'poisson' | 'regression'): GoldenCase {
  const golden = readJson<{ rows: (number | null)[][]; margin: number[]; prediction: number[] }>(
    path.join(FIXTURES, `${name}.golden.json`),
  );
  return {
    label: `fixture ${name}`,
    xgboostText: readFileSync(path.join(FIXTURES, `${name}.model.json`), 'utf8'),
    rows: golden.rows.map(toRow),
    margin: golden.margin,
    prediction: golden.prediction,
  };
}

export function fixtureText(name: string): string {
  return readFileSync(path.join(FIXTURES, `${name}.model.json`), 'utf8');
}

export const BUNDLED: [string, string][] = [
  ['lead-scoring', '4.0.0'],
  ['lead-scoring', '4.1.0'],
  ['gift-demand', '2.1.0'],
];

/** Row-major float32 batch; NaN marks a missing value. */
export function batch(rows: number[][]): Float32Array {
  const width = rows[0].length;
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => out.set(r, i * width));
  return out;
}
