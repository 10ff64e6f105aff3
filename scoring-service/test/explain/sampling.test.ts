import { readFileSync } from 'fs';
import { resolve } from 'path';
import { explainBySampling, type PredictMargin } from '../../src/explain/sampling';
import { createTreeExplainer } from '../../src/explain/treeshap';
import type { TreeEnsemble } from '../../src/trees/ensemble';
import { treeEnsembleFromXgboost } from '../../src/trees/from-xgboost';
import { bruteForceInterventional, referenceMargin } from './brute-force';

const SHAPE = resolve(__dirname, '../../../models/training/artifacts/shapes/binary-ties');

function rowsOf(json: (number | null)[][], width: number): Float32Array {
  const out = new Float32Array(json.length * width);
  json.forEach((r, i) => r.forEach((v, j) => (out[i * width + j] = v === null ? NaN : v)));
  return out;
}

describe('model-agnostic SHAP by permutation sampling', () => {
  // A real XGBoost model (30 trees, 5 columns, ties and missing values) stands in for "any model":
  // the sampler only sees its margins through the batch callback.
  const ensemble: TreeEnsemble = treeEnsembleFromXgboost(readFileSync(`${SHAPE}/xgboost.json`, 'utf8'));
  const width = ensemble.nFeatures;
  const backgroundJson = JSON.parse(readFileSync(`${SHAPE}/background.json`, 'utf8')) as (number | null)[][];
  const nBackground = 40;
  const background = rowsOf(backgroundJson.slice(0, nBackground), width);
  const leads = rowsOf(backgroundJson.slice(60, 68), width);
  const nLeads = 8;
  const calls: number[] = [];
  const predictMargin: PredictMargin = async (rows, n) => {
    calls.push(n);
    const out = new Float64Array(n);
    for (let r = 0; r < n; r++) out[r] = referenceMargin(ensemble, rows.subarray(r * width, (r + 1) * width));
    return out;
  };
  const single = (row: Float32Array) => referenceMargin(ensemble, row);

  it('lands within its stated error of the exact interventional values (brute force, same background)', async () => {
    const result = await explainBySampling(leads, nLeads, {
      predictMargin,
      nFeatures: width,
      background,
      nBackground,
      pairs: 48,
      seed: 3,
    });
    let within2 = 0;
    let total = 0;
    for (let r = 0; r < nLeads; r++) {
      const lead = leads.subarray(r * width, (r + 1) * width);
      const exact = bruteForceInterventional(single, width, lead, background, nBackground);
      for (let i = 0; i < width; i++) {
        const estimate = result.values[r * (width + 1) + i];
        const se = result.standardError[r * width + i];
        expect(Math.abs(estimate - exact[i])).toBeLessThanOrEqual(4 * se + 1e-9);
        if (Math.abs(estimate - exact[i]) <= 2 * se + 1e-9) within2++;
        total++;
      }
      expect(result.values[r * (width + 1) + width]).toBeCloseTo(exact[width], 9); // the bias is exact
    }
    // Roughly 95% of estimates should lie within two standard errors.
    expect(within2 / total).toBeGreaterThanOrEqual(0.8);
  });

  it('is additive: values plus the expected value give the margin exactly, whatever the sample', async () => {
    const result = await explainBySampling(leads, nLeads, {
      predictMargin,
      nFeatures: width,
      background,
      nBackground,
      pairs: 2,
      seed: 11,
    });
    for (let r = 0; r < nLeads; r++) {
      const sum = result.values.subarray(r * (width + 1), (r + 1) * (width + 1)).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(single(leads.subarray(r * width, (r + 1) * width)), 9);
    }
  });

  it('treats a group of columns as one player, within its error of the exact grouped values', async () => {
    const groups = [[0, 1], [2], [3, 4]];
    const result = await explainBySampling(leads, 3, {
      predictMargin,
      nFeatures: width,
      background,
      nBackground,
      groups,
      pairs: 48,
      seed: 5,
    });
    expect(result.nPlayers).toBe(3);
    for (let r = 0; r < 3; r++) {
      const exact = bruteForceInterventional(
        single,
        width,
        leads.subarray(r * width, (r + 1) * width),
        background,
        nBackground,
        groups,
      );
      for (let p = 0; p < 3; p++) {
        expect(Math.abs(result.values[r * 4 + p] - exact[p])).toBeLessThanOrEqual(
          4 * result.standardError[r * 3 + p] + 1e-9,
        );
      }
    }
  });

  it('is a different target from path-dependent TreeSHAP, as the docs say', async () => {
    // Same model and lead: the exact interventional values differ from pred_contribs-style values.
    const lead = leads.subarray(0, width);
    const interventional = bruteForceInterventional(single, width, lead, background, nBackground);
    const pathDependent = createTreeExplainer(ensemble).explain(lead, 1);
    const largest = Math.max(
      ...Array.from({ length: width }, (_, i) => Math.abs(interventional[i] - pathDependent[i])),
    );
    expect(largest).toBeGreaterThan(1e-3);
  });

  it('batches every coalition of a lead into a few model calls and repeats itself for the same seed', async () => {
    calls.length = 0;
    const a = await explainBySampling(leads, 2, {
      predictMargin,
      nFeatures: width,
      background,
      nBackground,
      pairs: 16,
      seed: 9,
    });
    // 1 call for the background, then per lead: the coalitions (2 x 16 walks x 4 steps x 40 rows = 5120 rows) in one call, plus the lead itself.
    expect(calls).toEqual([nBackground, 5120, 1, 5120, 1]);
    expect(a.evaluations).toBe(nBackground + 2 * (5120 + 1));
    const b = await explainBySampling(leads, 2, {
      predictMargin,
      nFeatures: width,
      background,
      nBackground,
      pairs: 16,
      seed: 9,
    });
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
    calls.length = 0;
    await explainBySampling(leads, 1, {
      predictMargin,
      nFeatures: width,
      background,
      nBackground,
      pairs: 16,
      seed: 9,
      maxBatchRows: 2000,
    });
    expect(calls.every((n) => n <= 2000)).toBe(true);
  });

  it('refuses options that cannot work, naming the problem', async () => {
    const base = { predictMargin, nFeatures: width, background, nBackground };
    await expect(explainBySampling(leads, 1, { ...base, nBackground: 0 })).rejects.toThrow(
      /at least one background row/,
    );
    await expect(explainBySampling(leads, 1, { ...base, pairs: 1 })).rejects.toThrow(/pairs must be an integer >= 2/);
    await expect(
      explainBySampling(leads, 1, {
        ...base,
        groups: [
          [0, 1],
          [1, 2, 3, 4],
        ],
      }),
    ).rejects.toThrow(/column 1 is in more than one group/);
    await expect(explainBySampling(leads, 1, { ...base, groups: [[0, 1]] })).rejects.toThrow(
      /groups cover 2 of 5 columns/,
    );
  });
});
