/**
 * SHAP benchmark: this service's exact TreeSHAP against XGBoost's own pred_contribs, on
 * lead-scoring 4.1.0, single thread each, the same 200 rows, in the same run.
 *
 *   npm run build -w scoring-service && node scoring-service/dist/bench/shap.js [--json]
 *
 * XGBoost runs through /usr/bin/python3 (Debian's python3-xgboost, nthread=1); when it
 * cannot be imported that column is skipped with a message. Figures go to docs/performance.md.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { createTreeExplainer } from '../explain/treeshap';
import type { TreeEnsemble } from '../trees/ensemble';
import { treeEnsembleFromOnnx } from '../trees/from-onnx';
import { treeEnsembleFromXgboost } from '../trees/from-xgboost';

const MODEL = 'lead-scoring';
const VERSION = '4.1.0';
const ROWS = 200;
const PYTHON = '/usr/bin/python3';

interface Result {
  model: string;
  source: string;
  trees: number;
  columns: number;
  rows: number;
  loadMs: number;
  tableMiB: number;
  oursBatchUsPerRow: number;
  oursBatchMsFor200: number;
  oursSingleRowUsPerRow: number;
  xgboost?: { version: string; usPerRow: number; maxAbsDiff: number };
  xgboostSkipped?: string;
  speedup?: number;
  node: string;
  cpu: string;
}

function modelsDir(): string {
  return process.env.MODELS_DIR ?? resolve(__dirname, '../../../models');
}

function loadEnsemble(dir: string): { ensemble: TreeEnsemble; source: string } {
  const onnx = join(dir, MODEL, VERSION, 'model.onnx');
  if (existsSync(onnx))
    return {
      ensemble: treeEnsembleFromOnnx(readFileSync(onnx)).ensemble,
      source: `models/${MODEL}/${VERSION}/model.onnx`,
    };
  const json = join(dir, 'training/artifacts', MODEL, VERSION, 'xgboost.json');
  return {
    ensemble: treeEnsembleFromXgboost(readFileSync(json, 'utf8')),
    source: `models/training/artifacts/${MODEL}/${VERSION}/xgboost.json`,
  };
}

/** The same 200 rows for both sides: the golden file's feature rows (missing values included). */
function benchRows(dir: string, width: number): { rows: Float32Array; json: (number | null)[][] } {
  const golden = JSON.parse(readFileSync(join(dir, 'golden', `${MODEL}-${VERSION}.json`), 'utf8')) as {
    rows: Array<{ features: (number | null)[] }>;
  };
  const json = golden.rows.slice(0, ROWS).map((r) => r.features);
  if (json.length < ROWS) throw new Error(`the golden file has ${json.length} rows; the benchmark needs ${ROWS}`);
  const rows = new Float32Array(ROWS * width);
  json.forEach((r, i) => r.forEach((v, j) => (rows[i * width + j] = v === null ? NaN : v)));
  return { rows, json };
}

function minOf(samples: number[]): number {
  return samples.reduce((a, b) => Math.min(a, b), Infinity);
}

const XGBOOST_SCRIPT = `
import json, sys, time
import numpy as np
import xgboost as xgb
model, rows_file, out_file = sys.argv[1], sys.argv[2], sys.argv[3]
rows = np.array([[np.nan if v is None else v for v in r] for r in json.load(open(rows_file))], dtype=np.float32)
booster = xgb.Booster(model_file=model)
booster.set_param({"nthread": 1})
data = xgb.DMatrix(rows, missing=np.nan, nthread=1, feature_names=booster.feature_names)
booster.predict(data, pred_contribs=True)  # warm-up
times = []
for _ in range(int(sys.argv[4])):
    start = time.perf_counter()
    contribs = booster.predict(data, pred_contribs=True)
    times.append(time.perf_counter() - start)
json.dump({"version": xgb.__version__, "seconds": min(times), "contribs": contribs.tolist()}, open(out_file, "w"))
`;

function runXgboost(
  dir: string,
  json: (number | null)[][],
  repeats: number,
): { version: string; seconds: number; contribs: number[][] } | string {
  const probe = spawnSync(PYTHON, ['-c', 'import xgboost'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0)
    return `XGBoost column skipped: ${PYTHON} cannot import xgboost (install Debian's python3-xgboost)`;
  const work = mkdtempSync(join(tmpdir(), 'shap-bench-'));
  try {
    const rowsFile = join(work, 'rows.json');
    const outFile = join(work, 'out.json');
    writeFileSync(rowsFile, JSON.stringify(json));
    const model = join(dir, 'training/artifacts', MODEL, VERSION, 'xgboost.json');
    const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };
    const run = spawnSync(PYTHON, ['-c', XGBOOST_SCRIPT, model, rowsFile, outFile, String(repeats)], {
      encoding: 'utf8',
      env,
    });
    if (run.status !== 0)
      return `XGBoost column skipped: the Python run failed: ${run.stderr.trim().split('\n').pop()}`;
    return JSON.parse(readFileSync(outFile, 'utf8')) as { version: string; seconds: number; contribs: number[][] };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function runShapBenchmark(options: { repeats?: number } = {}): Result {
  const repeats = options.repeats ?? 30;
  const dir = modelsDir();
  const { ensemble, source } = loadEnsemble(dir);
  const width = ensemble.nFeatures;
  const { rows, json } = benchRows(dir, width);

  const loadStart = process.hrtime.bigint();
  const explainer = createTreeExplainer(ensemble);
  const loadMs = Number(process.hrtime.bigint() - loadStart) / 1e6;

  const out = new Float64Array(ROWS * (width + 1));
  for (let i = 0; i < 5; i++) explainer.explain(rows, ROWS, out); // warm-up (JIT)
  const batch: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = process.hrtime.bigint();
    explainer.explain(rows, ROWS, out);
    batch.push(Number(process.hrtime.bigint() - start) / 1e3);
  }
  const single: number[] = [];
  const one = new Float64Array(width + 1);
  for (let i = 0; i < Math.max(3, repeats / 5); i++) {
    const start = process.hrtime.bigint();
    for (let r = 0; r < ROWS; r++) explainer.explain(rows.subarray(r * width, (r + 1) * width), 1, one);
    single.push(Number(process.hrtime.bigint() - start) / 1e3 / ROWS);
  }
  const oursBatchUs = minOf(batch);

  const result: Result = {
    model: `${MODEL} ${VERSION}`,
    source,
    trees: ensemble.trees.length,
    columns: width,
    rows: ROWS,
    loadMs: Math.round(loadMs),
    tableMiB: +(explainer.tableBytes / 2 ** 20).toFixed(1),
    oursBatchUsPerRow: +(oursBatchUs / ROWS).toFixed(1),
    oursBatchMsFor200: +(oursBatchUs / 1e3).toFixed(2),
    oursSingleRowUsPerRow: +minOf(single).toFixed(1),
    node: process.version,
    cpu: (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [])[1] ?? 'unknown',
  };

  const xgb = runXgboost(dir, json, Math.max(3, Math.round(repeats / 6)));
  if (typeof xgb === 'string') {
    result.xgboostSkipped = xgb;
  } else {
    let maxAbsDiff = 0;
    xgb.contribs.forEach((row, r) =>
      row.forEach((v, j) => (maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v - out[r * (width + 1) + j])))),
    );
    const usPerRow = (xgb.seconds * 1e6) / ROWS;
    result.xgboost = { version: xgb.version, usPerRow: +usPerRow.toFixed(1), maxAbsDiff: +maxAbsDiff.toExponential(2) };
    result.speedup = +(usPerRow / (oursBatchUs / ROWS)).toFixed(1);
  }
  return result;
}

function print(r: Result): void {
  const lines = [
    `SHAP benchmark: ${r.model} (${r.trees} trees, ${r.columns} columns) from ${r.source}`,
    `  ${r.rows} rows, single thread, best of repeated runs; node ${r.node}; ${r.cpu}`,
    `  explainer load (per model, once): ${r.loadMs} ms, tables ${r.tableMiB} MiB`,
    `  this service, batch of ${r.rows}:   ${r.oursBatchUsPerRow} us/row  (${r.oursBatchMsFor200} ms for ${r.rows} rows)`,
    `  this service, one row per call: ${r.oursSingleRowUsPerRow} us/row`,
  ];
  if (r.xgboost) {
    lines.push(`  XGBoost ${r.xgboost.version} pred_contribs (nthread=1): ${r.xgboost.usPerRow} us/row`);
    lines.push(`  speed-up over XGBoost: ${r.speedup}x   (max |difference| in values: ${r.xgboost.maxAbsDiff})`);
  } else {
    lines.push(`  ${r.xgboostSkipped}`);
  }
  console.log(lines.join('\n'));
}

if (require.main === module) {
  const result = runShapBenchmark();
  if (process.argv.includes('--json')) console.log(JSON.stringify(result));
  else print(result);
}
