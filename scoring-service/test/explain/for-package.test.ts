import { readFileSync } from 'fs';
import { join, resolve } from 'path';
import { explainerForPackage } from '../../src/explain/for-package';
import { manifestSchema, type Manifest } from '../../src/manifest/schema';
import { encodeModel, onnx, tensorInfo } from '../../src/onnx/proto';
import { treeEnsembleToOnnx } from '../../src/trees/to-onnx';
import type { TreeEnsemble } from '../../src/trees/ensemble';
import { treeEnsembleFromXgboost } from '../../src/trees/from-xgboost';
import { referenceMargin } from './brute-force';

const MODELS = resolve(__dirname, '../../../models');
const SHAPE = join(MODELS, 'training/artifacts/shapes/binary-ties');

function background(file: string, width: number) {
  const json = JSON.parse(readFileSync(file, 'utf8')) as (number | null)[][];
  const values = new Float32Array(json.length * width);
  json.forEach((r, i) => r.forEach((v, j) => (values[i * width + j] = v === null ? NaN : v)));
  return { rows: json.length, values };
}

describe('choosing how a package is explained', () => {
  it('uses exact TreeSHAP with the ONNX covers for a bundled package, matching pred_contribs', () => {
    const dir = join(MODELS, 'lead-scoring/4.1.0');
    const manifest = manifestSchema.parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
    const chosen = explainerForPackage({ onnxBytes: readFileSync(join(dir, 'model.onnx')), manifest });
    expect(chosen.method).toBe('treeshap');
    if (chosen.method !== 'treeshap') return;
    expect(chosen.covers).toBe('onnx');
    const golden = JSON.parse(readFileSync(join(MODELS, 'golden/lead-scoring-4.1.0.json'), 'utf8')) as {
      rows: Array<{ features: (number | null)[]; contribs: number[] }>;
    };
    const row = Float32Array.from(golden.rows[0].features, (v) => (v === null ? NaN : v));
    const phi = chosen.explainer.explain(row, 1);
    golden.rows[0].contribs.forEach((v, j) => expect(Math.abs(phi[j] - v)).toBeLessThan(1e-5));
  });

  describe('a tree model whose ONNX file has no covers', () => {
    const ensemble = treeEnsembleFromXgboost(readFileSync(join(SHAPE, 'xgboost.json'), 'utf8'));
    const bare: TreeEnsemble = {
      ...ensemble,
      trees: ensemble.trees.map((t) => ({ ...t, cover: new Float64Array(t.cover.length) })),
    };
    const onnxBytes = treeEnsembleToOnnx(bare).bytes;
    const model = (covers: Manifest['model']['covers']): Pick<Manifest, 'model'> => ({
      model: {
        format: 'onnx',
        inputName: 'input',
        columns: ensemble.nFeatures,
        outputName: 'probabilities',
        link: 'logit',
        covers,
      },
    });
    const bg = background(join(SHAPE, 'background.json'), ensemble.nFeatures);

    it('counts covers from background.json and says so', () => {
      const chosen = explainerForPackage({ onnxBytes, manifest: model('background'), background: bg });
      expect(chosen).toMatchObject({ method: 'treeshap', covers: 'background' });
      if (chosen.method !== 'treeshap') return;
      // With counted covers the bias is the background's mean margin (the ONNX file adds its base-margin tree).
      let mean = 0;
      for (let r = 0; r < bg.rows; r++)
        mean +=
          referenceMargin(ensemble, bg.values.subarray(r * ensemble.nFeatures, (r + 1) * ensemble.nFeatures)) / bg.rows;
      expect(chosen.explainer.expectedValue).toBeCloseTo(mean, 5);
    });

    it('refuses without background rows, or when the manifest claims ONNX covers', () => {
      expect(() => explainerForPackage({ onnxBytes, manifest: model('background') })).toThrow(
        /no background.json to compute them from/,
      );
      expect(() => explainerForPackage({ onnxBytes, manifest: model('onnx'), background: bg })).toThrow(
        /carries no positive covers/,
      );
    });
  });

  it('falls back to sampling for a graph that is not a tree ensemble', () => {
    const FLOAT = onnx.TensorProto.DataType.FLOAT;
    const onnxBytes = encodeModel({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'not_trees',
        node: [{ opType: 'Sigmoid', input: ['input'], output: ['probabilities'] }],
        input: [tensorInfo('input', FLOAT, ['N', 1])],
        output: [tensorInfo('probabilities', FLOAT, ['N', 1])],
      },
    });
    const manifest: Pick<Manifest, 'model'> = {
      model: {
        format: 'onnx',
        inputName: 'input',
        columns: 1,
        outputName: 'probabilities',
        link: 'logit',
        covers: 'none',
      },
    };
    const bg = { rows: 1, values: Float32Array.of(0) };
    expect(explainerForPackage({ onnxBytes, manifest, background: bg })).toMatchObject({
      method: 'sampling',
      why: expect.stringMatching(/not a tree ensemble/),
    });
    expect(explainerForPackage({ onnxBytes, manifest })).toMatchObject({
      method: 'none',
      why: expect.stringMatching(/no background.json/),
    });
  });
});
