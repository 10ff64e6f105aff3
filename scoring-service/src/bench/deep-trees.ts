/**
 * Deep trees: how each TreeSHAP layout costs on the deep golden shapes (depth 8 x 120 trees,
 * depth 10 x 30, depth 12 x 8), single thread, in-process, the golden rows:
 *  - tables with blocks of up to 1,024 / 4,096 / 16,384 values for every tree;
 *  - the default (block size per tree by depth, the path method where tables do not fit);
 *  - no tables, every leaf by the formula one by one;
 *  - the path method for every tree.
 *
 *   npm run build -w scoring-service && node scoring-service/dist/bench/deep-trees.js [--json]
 *
 * The crossover in docs/performance.md ("Deep trees") comes from this script.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createTreeExplainer, type TreeExplainerOptions } from '../explain/treeshap';
import { treeEnsembleFromXgboost } from '../trees/from-xgboost';

const SHAPES = ['binary-depth8-bench', 'binary-depth10', 'reg-depth12'];
const LAYOUTS: Array<[string, TreeExplainerOptions, 'fast' | 'slow']> = [
  ['tables, blocks <= 1,024', { maxBlockEntries: 1024 }, 'fast'],
  ['tables, blocks <= 4,096', { maxBlockEntries: 4096 }, 'fast'],
  ['tables, blocks <= 16,384', { maxBlockEntries: 16384 }, 'fast'],
  ['default (per tree)', {}, 'fast'],
  ['no tables, leaf by leaf', { tableBudgetBytes: 0, pathMethod: 'off' }, 'slow'],
  ['path method, every tree', { pathMethod: 'all' }, 'slow'],
];

interface Row {
  shape: string;
  layout: string;
  batchUsPerRow: number;
  singleUsPerRow: number;
  tableMiB: number;
  buildMs: number;
  pathTrees: number;
  untabulatedLeaves: number;
}

function modelsDir(): string {
  return process.env.MODELS_DIR ?? path.resolve(__dirname, '../../../models');
}

function best(times: number[]): number {
  return times.reduce((a, b) => Math.min(a, b), Infinity);
}

function measure(shape: string): Row[] {
  const dir = modelsDir();
  const ensemble = treeEnsembleFromXgboost(
    readFileSync(path.join(dir, 'training/artifacts/shapes', shape, 'xgboost.json'), 'utf8'),
  );
  const golden = JSON.parse(readFileSync(path.join(dir, 'golden/shapes', `${shape}.json`), 'utf8')) as {
    rows: { features: (number | null)[] }[];
  };
  const width = ensemble.nFeatures;
  return LAYOUTS.map(([layout, options, speed]) => {
    // The slow layouts take milliseconds per row: fewer rows and repeats keep the run short.
    const n = speed === 'fast' ? golden.rows.length : 20;
    const repeats = speed === 'fast' ? 10 : 3;
    const rows = new Float32Array(n * width);
    golden.rows.slice(0, n).forEach((r, i) => r.features.forEach((v, j) => (rows[i * width + j] = v ?? NaN)));
    const started = performance.now();
    const explainer = createTreeExplainer(ensemble, options);
    const buildMs = performance.now() - started;
    const out = new Float64Array(n * (width + 1));
    for (let i = 0; i < 2; i++) explainer.explain(rows, n, out);
    const batch: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t = performance.now();
      explainer.explain(rows, n, out);
      batch.push(((performance.now() - t) * 1000) / n);
    }
    const one = new Float64Array(width + 1);
    const single: number[] = [];
    for (let i = 0; i < Math.max(2, repeats / 3); i++) {
      const t = performance.now();
      for (let r = 0; r < n; r++) explainer.explain(rows.subarray(r * width, (r + 1) * width), 1, one);
      single.push(((performance.now() - t) * 1000) / n);
    }
    return {
      shape,
      layout,
      batchUsPerRow: +best(batch).toFixed(1),
      singleUsPerRow: +best(single).toFixed(1),
      tableMiB: +(explainer.tableBytes / 2 ** 20).toFixed(1),
      buildMs: Math.round(buildMs),
      pathTrees: explainer.pathTrees,
      untabulatedLeaves: explainer.untabulatedLeaves,
    };
  });
}

if (require.main === module) {
  const rows = SHAPES.flatMap(measure);
  if (process.argv.includes('--json')) console.log(JSON.stringify(rows));
  else {
    console.log('Deep trees: TreeSHAP layouts, 1 thread, in-process (us per row: in a batch / one row per call)');
    for (const r of rows) {
      console.log(
        `  ${r.shape.padEnd(20)} ${r.layout.padEnd(26)} ${String(r.batchUsPerRow).padStart(8)} / ${String(r.singleUsPerRow).padStart(8)} us/row  tables ${String(r.tableMiB).padStart(5)} MiB, built in ${r.buildMs} ms${r.pathTrees ? `, ${r.pathTrees} trees by the path method` : ''}${r.untabulatedLeaves ? `, ${r.untabulatedLeaves} leaves one by one` : ''}`,
      );
    }
  }
}
