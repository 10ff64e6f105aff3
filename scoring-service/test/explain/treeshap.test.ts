import { readFileSync, readdirSync, existsSync } from 'fs';
import { join, resolve } from 'path';
import { MessageChannel } from 'node:worker_threads';
import {
  blockEntriesFor,
  createTreeExplainer,
  treeExplainerFromTables,
  type TreeExplainerOptions,
  type TreeShapTables,
} from '../../src/explain/treeshap';
import { coversFromBackground } from '../../src/explain/covers';
import type { Tree, TreeEnsemble } from '../../src/trees/ensemble';
import { treeEnsembleFromXgboost } from '../../src/trees/from-xgboost';
import { treeEnsembleFromOnnx } from '../../src/trees/from-onnx';
import { bruteForcePathDependent, randomRows, randomTree, referenceMargin, rng } from './brute-force';

const MODELS = resolve(__dirname, '../../../models');

/** The most distinct features on any root-to-leaf path of a tree. */
function uniquePathFeatures(t: Tree): number {
  const walk = (node: number, seen: Set<number>): number =>
    t.feature[node] < 0
      ? seen.size
      : Math.max(
          walk(t.yes[node], new Set(seen).add(t.feature[node])),
          walk(t.no[node], new Set(seen).add(t.feature[node])),
        );
  return walk(0, new Set());
}

function tree(
  nodes: Array<
    [feature: number, threshold: number, yes: number, no: number, missingYes: number, value: number, cover: number]
  >,
): Tree {
  return {
    feature: Int32Array.from(nodes.map((n) => n[0])),
    threshold: Float32Array.from(nodes.map((n) => n[1])),
    yes: Int32Array.from(nodes.map((n) => n[2])),
    no: Int32Array.from(nodes.map((n) => n[3])),
    missingYes: Uint8Array.from(nodes.map((n) => n[4])),
    value: Float64Array.from(nodes.map((n) => n[5])),
    cover: Float64Array.from(nodes.map((n) => n[6])),
  };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  if (!(worst <= tolerance))
    throw new Error(`${what}: value ${at} is ${actual[at]}, expected ${expected[at]} (error ${worst} > ${tolerance})`);
}

describe('exact path-dependent TreeSHAP', () => {
  // x0 < 1 ? (x1 < 2 ? 1 : 3) : 5, covers 10 = 6 (4 + 2) + 4
  const small: TreeEnsemble = {
    nFeatures: 2,
    baseMargin: 0.5,
    link: 'identity',
    trees: [
      tree([
        [0, 1, 1, 4, 1, 0, 10],
        [1, 2, 2, 3, 0, 0, 6],
        [-1, 0, -1, -1, 0, 1, 4],
        [-1, 0, -1, -1, 0, 3, 2],
        [-1, 0, -1, -1, 0, 5, 4],
      ]),
    ],
  };

  it('gives the textbook values on a two-feature tree, with the expected value and base margin as bias', () => {
    const explainer = createTreeExplainer(small);
    // E = 0.4*1 + 0.2*3 + 0.4*5 = 3; row (0, 0) lands on leaf value 1.
    expect(explainer.expectedValue).toBeCloseTo(3.5, 12);
    const phi = explainer.explain(Float32Array.from([0, 0]), 1);
    // v({}) = 3, v({x0}) = (4*1 + 2*3)/6 = 5/3, v({x1}) = 0.6*1 + 0.4*5 = 2.6, v({x0,x1}) = 1
    expectClose(phi, [0.5 * (5 / 3 - 3) + 0.5 * (1 - 2.6), 0.5 * (2.6 - 3) + 0.5 * (1 - 5 / 3), 3.5], 1e-6, 'phi');
  });

  it('sends a value equal to the threshold to `no` and a missing value by missingYes', () => {
    const explainer = createTreeExplainer(small);
    for (const row of [
      [1, 0], // tie on x0: goes no -> leaf 5
      [NaN, 2], // x0 missing goes yes; tie on x1 goes no -> leaf 3
      [0, NaN], // x1 missing goes no -> leaf 3
    ]) {
      const phi = explainer.explain(Float32Array.from(row), 1);
      expectClose(phi, bruteForcePathDependent(small, row), 1e-6, `row ${row}`);
      expect(phi.reduce((a, b) => a + b, 0)).toBeCloseTo(referenceMargin(small, row), 6);
    }
  });

  it.each([
    ['tables', {}],
    ['the path method', { pathMethod: 'all' }],
  ] as const)('merges a feature that appears twice on a path, as XGBoost does (%s)', (_, options) => {
    // x0 < 2 ? (x0 < 1 ? (x1 < 1 ? -1 : 2) : 4) : 0
    const repeated: TreeEnsemble = {
      nFeatures: 2,
      baseMargin: 0,
      link: 'identity',
      trees: [
        tree([
          [0, 2, 1, 6, 0, 0, 20],
          [0, 1, 2, 5, 0, 0, 12],
          [1, 1, 3, 4, 1, 0, 7],
          [-1, 0, -1, -1, 0, -1, 3],
          [-1, 0, -1, -1, 0, 2, 4],
          [-1, 0, -1, -1, 0, 4, 5],
          [-1, 0, -1, -1, 0, 0, 8],
        ]),
      ],
    };
    const explainer = createTreeExplainer(repeated, options);
    for (const row of [
      [0, 0],
      [1.5, 0],
      [3, 5],
      [NaN, NaN],
      [0.5, 1],
    ]) {
      expectClose(
        explainer.explain(Float32Array.from(row), 1),
        bruteForcePathDependent(repeated, row),
        1e-6,
        `row ${row}`,
      );
    }
  });

  const layouts: Array<[string, TreeExplainerOptions]> = [
    ['default blocks', {}],
    ['leaf-sized blocks', { maxBlockEntries: 1 }],
    ['large blocks', { maxBlockEntries: 1 << 14 }],
    ['no tables at all (per-row formula, leaf by leaf)', { tableBudgetBytes: 0, pathMethod: 'off' }],
    ['no tables at all (the path method chosen for every tree)', { tableBudgetBytes: 0 }],
    ['the path method for every tree', { pathMethod: 'all' }],
  ];
  it.each(layouts)('equals brute-force Shapley values on random ensembles with %s', (_, options) => {
    const random = rng(42);
    for (let m = 0; m < 25; m++) {
      const nFeatures = 2 + Math.floor(random() * 5);
      const ensemble: TreeEnsemble = {
        nFeatures,
        baseMargin: random() - 0.5,
        link: 'logit',
        trees: Array.from({ length: 1 + Math.floor(random() * 4) }, () =>
          randomTree(random, { nFeatures, maxDepth: 1 + Math.floor(random() * 6) }),
        ),
      };
      const explainer = createTreeExplainer(ensemble, options);
      // The layout asked for is the one built: the path method takes every tree that has a split.
      const splitting = ensemble.trees.filter((t) => t.feature[0] >= 0).length;
      if (options.pathMethod === 'all' || (options.tableBudgetBytes === 0 && options.pathMethod !== 'off'))
        expect(explainer.pathTrees).toBe(splitting);
      else expect(explainer.pathTrees).toBe(0);
      const rows = randomRows(random, 6, nFeatures);
      const phi = explainer.explain(rows, 6);
      for (let r = 0; r < 6; r++) {
        const row = rows.subarray(r * nFeatures, (r + 1) * nFeatures);
        const got = phi.subarray(r * (nFeatures + 1), (r + 1) * (nFeatures + 1));
        expectClose(got, bruteForcePathDependent(ensemble, row), 1e-6, `model ${m} row ${r}`);
        expect(Math.abs(got.reduce((a, b) => a + b, 0) - referenceMargin(ensemble, row))).toBeLessThan(1e-6);
      }
    }
  });

  it('equals brute-force Shapley values on deep random trees (7-9 features on a path), whose blocks are sized by depth', () => {
    expect(blockEntriesFor(6)).toBeLessThan(blockEntriesFor(7)); // deep trees do get the other block size
    const random = rng(1234);
    let deepest = 0;
    for (let m = 0; m < 6; m++) {
      const nFeatures = 8 + (m % 2);
      const ensemble: TreeEnsemble = {
        nFeatures,
        baseMargin: 0.3,
        link: 'logit',
        trees: Array.from({ length: 2 }, () => randomTree(random, { nFeatures, maxDepth: 9 })),
      };
      deepest = Math.max(deepest, ...ensemble.trees.map(uniquePathFeatures));
      const explainer = createTreeExplainer(ensemble);
      const rows = randomRows(random, 4, nFeatures);
      const phi = explainer.explain(rows, 4);
      for (let r = 0; r < 4; r++) {
        const row = rows.subarray(r * nFeatures, (r + 1) * nFeatures);
        const got = phi.subarray(r * (nFeatures + 1), (r + 1) * (nFeatures + 1));
        expectClose(got, bruteForcePathDependent(ensemble, row), 1e-6, `deep model ${m} row ${r}`);
      }
    }
    expect(deepest).toBeGreaterThanOrEqual(7); // the trees really are that deep
  });

  it('shares its tables with another thread: posted, they are the same memory and explain the same values', async () => {
    const random = rng(5);
    const nFeatures = 5;
    const ensemble: TreeEnsemble = {
      nFeatures,
      baseMargin: -0.2,
      link: 'logit',
      trees: Array.from({ length: 6 }, () => randomTree(random, { nFeatures, maxDepth: 6 })),
    };
    const explainer = createTreeExplainer(ensemble);
    expect(explainer.tables.table.buffer).toBeInstanceOf(SharedArrayBuffer);
    const { port1, port2 } = new MessageChannel();
    const received = await new Promise<TreeShapTables>((resolve) => {
      port2.once('message', resolve);
      port1.postMessage(explainer.tables);
    });
    port1.close();
    const rows = randomRows(random, 8, nFeatures);
    const there = treeExplainerFromTables(received);
    expect(Array.from(there.explain(rows, 8))).toEqual(Array.from(explainer.explain(rows, 8)));
    // The same memory, not a copy: a write through the received view shows in the original.
    const before = explainer.tables.table[0];
    received.table[0] = before + 1;
    expect(explainer.tables.table[0]).toBe(Math.fround(before + 1));
    received.table[0] = before;
  });

  it.each([
    ['tables', {}],
    ['the path method', { pathMethod: 'all' }],
    ['leaf by leaf', { tableBudgetBytes: 0, pathMethod: 'off' }],
  ] as const)('handles nodes no data reached (zero covers) and single-leaf trees (%s)', (_, options) => {
    const random = rng(7);
    const nFeatures = 4;
    const stump: Tree = tree([[-1, 0, -1, -1, 0, 0.25, 0]]);
    const ensemble: TreeEnsemble = {
      nFeatures,
      baseMargin: 0,
      link: 'identity',
      trees: [
        ...Array.from({ length: 4 }, () => randomTree(random, { nFeatures, maxDepth: 5, zeroCovers: true })),
        stump,
      ],
    };
    const explainer = createTreeExplainer(ensemble, options);
    const rows = randomRows(random, 20, nFeatures);
    const phi = explainer.explain(rows, 20);
    for (let r = 0; r < 20; r++) {
      const row = rows.subarray(r * nFeatures, (r + 1) * nFeatures);
      const got = phi.subarray(r * (nFeatures + 1), (r + 1) * (nFeatures + 1));
      expect(got.every(Number.isFinite)).toBe(true);
      expectClose(got, bruteForcePathDependent(ensemble, row), 1e-6, `row ${r}`);
    }
  });

  it('refuses rows that do not match the model and trees that are not trees', () => {
    const explainer = createTreeExplainer(small);
    expect(() => explainer.explain(new Float32Array(3), 2)).toThrow(/2 rows of 2 columns need 4/);
    const cyclic = tree([
      [0, 1, 1, 1, 0, 0, 1],
      [-1, 0, -1, -1, 0, 1, 1],
    ]);
    expect(() => createTreeExplainer({ ...small, trees: [cyclic] })).toThrow(/same yes and no child|reached twice/);
    const outOfRange = tree([
      [5, 1, 1, 2, 0, 0, 2],
      [-1, 0, -1, -1, 0, 1, 1],
      [-1, 0, -1, -1, 0, 1, 1],
    ]);
    expect(() => createTreeExplainer({ ...small, trees: [outOfRange] })).toThrow(/splits on column 5, the model has 2/);
  });
});

describe('agreement with XGBoost pred_contribs (committed golden files)', () => {
  interface GoldenRow {
    id: string;
    features: (number | null)[];
    margin: number;
    contribs: number[];
  }
  const goldens: Array<{ name: string; golden: string; xgboost: string; onnx?: string }> = [];
  for (const file of readdirSync(join(MODELS, 'golden')).filter((f) => /^[a-z-]+-\d+\.\d+\.\d+\.json$/.test(f))) {
    const [, model, version] = /^(.*)-(\d+\.\d+\.\d+)\.json$/.exec(file)!;
    const onnx = join(MODELS, model, version, 'model.onnx');
    goldens.push({
      name: `${model} ${version}`,
      golden: join(MODELS, 'golden', file),
      xgboost: join(MODELS, 'training/artifacts', model, version, 'xgboost.json'),
      onnx: existsSync(onnx) ? onnx : undefined,
    });
  }
  for (const file of readdirSync(join(MODELS, 'golden/shapes'))) {
    const golden = join(MODELS, 'golden/shapes', file);
    const { model } = JSON.parse(readFileSync(golden, 'utf8')) as { model: string };
    goldens.push({ name: `shape ${file.replace(/\.json$/, '')}`, golden, xgboost: resolve(MODELS, '..', model) });
  }

  it('covers every bundled model and every extra shape', () => {
    const names = goldens.map((g) => g.name);
    expect(names).toEqual(expect.arrayContaining(['lead-scoring 4.1.0', 'lead-scoring 4.0.0', 'gift-demand 2.1.0']));
    expect(names.filter((n) => n.startsWith('shape ')).length).toBeGreaterThanOrEqual(8);
  });

  function check(ensemble: TreeEnsemble, rows: GoldenRow[], options: TreeExplainerOptions = {}): void {
    const n = rows.length;
    const width = ensemble.nFeatures;
    const x = new Float32Array(n * width);
    rows.forEach((row, i) => row.features.forEach((v, j) => (x[i * width + j] = v === null ? NaN : v)));
    const phi = createTreeExplainer(ensemble, options).explain(x, n);
    rows.forEach((row, i) => {
      const got = phi.subarray(i * (width + 1), (i + 1) * (width + 1));
      expectClose(got, row.contribs, 1e-5, `${row.id}`);
      // Additive: the values sum to the model's margin (XGBoost's margin, accumulated in float32).
      expect(Math.abs(got.reduce((a, b) => a + b, 0) - row.margin)).toBeLessThan(1e-5);
    });
  }

  it.each(goldens.map((g) => [g.name, g] as const))(
    '%s: XGBoost JSON trees match within 1e-5 per value and add up to the margin',
    (_, g) => {
      const golden = JSON.parse(readFileSync(g.golden, 'utf8')) as { rows: GoldenRow[] };
      expect(golden.rows.some((r) => r.features.some((v) => v === null))).toBe(true); // rows with missing values are in
      check(treeEnsembleFromXgboost(readFileSync(g.xgboost, 'utf8')), golden.rows);
    },
  );

  const deep = goldens.filter((g) => /depth(8|10|12)|deep/.test(g.name));
  it.each(deep.map((g) => [g.name, g] as const))(
    '%s: the path method for every tree matches XGBoost within 1e-5 too',
    (_, g) => {
      const golden = JSON.parse(readFileSync(g.golden, 'utf8')) as { rows: GoldenRow[] };
      const ensemble = treeEnsembleFromXgboost(readFileSync(g.xgboost, 'utf8'));
      expect(createTreeExplainer(ensemble, { pathMethod: 'all', tableBudgetBytes: 0 }).pathTrees).toBe(
        ensemble.trees.filter((t) => t.feature[0] >= 0).length,
      );
      check(ensemble, golden.rows, { pathMethod: 'all', tableBudgetBytes: 0 });
    },
  );

  const packaged = goldens.filter((g) => g.onnx);
  it.each(packaged.map((g) => [g.name, g] as const))(
    '%s: the packaged ONNX model (covers in nodes_hitrates) matches too',
    (_, g) => {
      const golden = JSON.parse(readFileSync(g.golden, 'utf8')) as { rows: GoldenRow[] };
      const read = treeEnsembleFromOnnx(readFileSync(g.onnx!));
      expect(read.covers).toBe('onnx');
      check(read.ensemble, golden.rows);
    },
  );
});

describe('covers from background rows', () => {
  it('counts the background rows through each node, and the explainer is exact for those covers', () => {
    const random = rng(99);
    const nFeatures = 4;
    const ensemble: TreeEnsemble = {
      nFeatures,
      baseMargin: 0.1,
      link: 'logit',
      trees: Array.from({ length: 3 }, () => randomTree(random, { nFeatures, maxDepth: 4 })),
    };
    const background = randomRows(random, 50, nFeatures);
    const counted = coversFromBackground(ensemble, background, 50);
    counted.trees.forEach((t) => {
      expect(t.cover[0]).toBe(50);
      for (let n = 0; n < t.feature.length; n++)
        if (t.feature[n] >= 0) expect(t.cover[t.yes[n]] + t.cover[t.no[n]]).toBe(t.cover[n]);
    });
    expect(ensemble.trees[0].cover).not.toBe(counted.trees[0].cover); // the input is left alone
    const explainer = createTreeExplainer(counted);
    // With counted covers, the bias is the background's mean margin.
    let mean = 0;
    for (let r = 0; r < 50; r++)
      mean += referenceMargin(ensemble, background.subarray(r * nFeatures, (r + 1) * nFeatures)) / 50;
    expect(explainer.expectedValue).toBeCloseTo(mean, 9);
    const rows = randomRows(random, 5, nFeatures);
    const phi = explainer.explain(rows, 5);
    for (let r = 0; r < 5; r++) {
      const row = rows.subarray(r * nFeatures, (r + 1) * nFeatures);
      expectClose(
        phi.subarray(r * (nFeatures + 1), (r + 1) * (nFeatures + 1)),
        bruteForcePathDependent(counted, row),
        1e-6,
        `row ${r}`,
      );
    }
  });

  it('refuses an empty background', () => {
    expect(() =>
      coversFromBackground({ nFeatures: 1, baseMargin: 0, link: 'identity', trees: [] }, new Float32Array(0), 0),
    ).toThrow(/at least one background row/);
  });
});
