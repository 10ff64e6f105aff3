/**
 * @jest-environment ./test/ort-environment.js
 */
/**
 * The importer's promise: ONNX Runtime, running the model.onnx the importer writes, gives what
 * XGBoost gave (committed golden files), within 1e-6 on probabilities and expected counts
 * (relative to the count when it exceeds 1: float32 keeps ~7 significant digits) and 1e-5 on
 * margins, including rows with missing values and values exactly on split thresholds.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Manifest } from '../../src/manifest/schema';
import { importXgboost } from '../../src/importer';
import { treeEnsembleFromOnnx } from '../../src/trees/from-onnx';
import { predictMargin } from '../../src/trees/predict';
import { batch, BUNDLED, bundledCase, fixtureCase, shapeCases, type GoldenCase } from './golden';

jest.setTimeout(60_000);

const PREDICTION_TOLERANCE = 1e-6;
const MARGIN_TOLERANCE = 1e-5;

const cases: GoldenCase[] = [
  ...BUNDLED.map(([name, version]) => bundledCase(name, version)),
  ...shapeCases(),
  fixtureCase('binary'),
  fixtureCase('poisson'),
  fixtureCase('regression'),
];

function maxError(actual: ArrayLike<number>, expected: number[], relative: boolean): number {
  let worst = 0;
  expected.forEach((e, i) => {
    const err = Math.abs(actual[i] - e) / (relative ? Math.max(1, Math.abs(e)) : 1);
    worst = Math.max(worst, err);
  });
  return worst;
}

describe.each(cases.map((c) => [c.label, c] as const))('%s', (_label, golden) => {
  const fresh = importXgboost(golden.xgboostText, { name: 'parity-check', version: '1.0.0' });
  // Bundled models are checked in the form they ship: the committed package's model.onnx and manifest.
  const imported = golden.packageDir
    ? {
        onnx: new Uint8Array(readFileSync(path.join(golden.packageDir, 'model.onnx'))),
        manifest: JSON.parse(readFileSync(path.join(golden.packageDir, 'manifest.json'), 'utf8')) as Manifest,
      }
    : fresh;
  const { manifest } = imported;

  if (golden.packageDir) {
    it('ships the model.onnx the importer makes from the committed XGBoost JSON, byte for byte', () => {
      expect(manifest.sha256).toBe(fresh.manifest.sha256);
      expect(Buffer.from(imported.onnx).equals(Buffer.from(fresh.onnx))).toBe(true);
    });
  }

  it('has rows with missing values in its reference', () => {
    expect(golden.rows.some((r) => r.some(Number.isNaN))).toBe(true);
    expect(golden.rows[0]).toHaveLength(manifest.model.columns);
  });

  it('ONNX Runtime reproduces the XGBoost prediction of every reference row', async () => {
    // One intra-op thread: ORT then adds trees in order, as XGBoost does (see trees/to-onnx.ts).
    const session = await ort.InferenceSession.create(imported.onnx, { intraOpNumThreads: 1 });
    try {
      const n = golden.rows.length;
      const input = new ort.Tensor('float32', batch(golden.rows), [n, manifest.model.columns]);
      const out = await session.run({ [manifest.model.inputName]: input });
      const data = out[manifest.model.outputName].data as Float32Array;
      const width = manifest.model.link === 'logit' ? 2 : 1;
      const predictions = Array.from({ length: n }, (_, i) => data[i * width + width - 1]);
      expect(maxError(predictions, golden.prediction, manifest.model.link !== 'logit')).toBeLessThanOrEqual(
        manifest.model.link === 'identity' ? MARGIN_TOLERANCE : PREDICTION_TOLERANCE,
      );
      if (manifest.model.link === 'log') {
        // The regressor's own output is the margin (log of the expected count).
        expect(maxError(out.margin.data as Float32Array, golden.margin, false)).toBeLessThanOrEqual(MARGIN_TOLERANCE);
      }
    } finally {
      await session.release();
    }
  });

  it('the trees read back from the ONNX file give the XGBoost margins', () => {
    const { ensemble, covers } = treeEnsembleFromOnnx(imported.onnx);
    expect(covers).toBe('onnx');
    const margins = golden.rows.map((row) => predictMargin(ensemble, row));
    expect(maxError(margins, golden.margin, false)).toBeLessThanOrEqual(MARGIN_TOLERANCE);
  });
});
