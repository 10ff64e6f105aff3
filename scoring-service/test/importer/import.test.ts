import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { featureColumnNames, importXgboost } from '../../src/importer';
import { manifestSchema } from '../../src/manifest/schema';
import { featureSignature } from '../../src/manifest/signature';
import { treeEnsembleFromOnnx } from '../../src/trees/from-onnx';
import { bundledCase, fixtureText } from './golden';
import { refusal } from '../package/refusal';

const lead = bundledCase('lead-scoring', '4.1.0');
// Tests edit arbitrary manifest fields, so the metadata is typed loosely on purpose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const leadMetadata = (): any => JSON.parse(readFileSync(path.join(lead.artifactDir!, 'metadata.json'), 'utf8'));

describe('importXgboost with training metadata', () => {
  const created = '2026-11-25T12:00:00.000Z';
  const result = importXgboost(lead.xgboostText, {
    name: 'lead-scoring',
    version: '4.1.0',
    metadata: leadMetadata(),
    created,
    files: { 'background.json': 'a'.repeat(64) },
  });
  const { manifest } = result;

  it('produces a manifest the package schema accepts, with the training fields merged in', () => {
    expect(manifestSchema.parse(manifest)).toEqual(manifest);
    const metadata = leadMetadata();
    expect(manifest.inputs.map((i) => i.name)).toEqual(metadata.inputs.map((i: { name: string }) => i.name));
    expect(manifest.metrics.auc_test).toBe(metadata.metrics.auc_test);
    expect(manifest.outputs.deciles).toEqual(metadata.outputs.deciles);
    expect(manifest).toMatchObject({
      schemaVersion: 1,
      name: 'lead-scoring',
      version: '4.1.0',
      task: 'binary-classification',
      created,
      files: { 'background.json': 'a'.repeat(64) },
    });
  });

  it('describes the ONNX model it wrote: sha256, input, output, link, covers and source', () => {
    expect(manifest.sha256).toBe(createHash('sha256').update(result.onnx).digest('hex'));
    expect(manifest.model).toEqual({
      format: 'onnx',
      inputName: 'input',
      columns: 41,
      outputName: 'probabilities',
      link: 'logit',
      covers: 'onnx',
      source: { framework: 'xgboost', version: '1.7.4', objective: 'binary:logistic' },
    });
    const read = treeEnsembleFromOnnx(result.onnx);
    expect(read.outputName).toBe(manifest.model.outputName);
    expect(read.ensemble.nFeatures).toBe(manifest.model.columns);
  });

  it('signs the feature schema the way the loader checks it', () => {
    expect(manifest.signature).toBe(featureSignature(manifest.inputs, manifest.features));
  });

  it('writes the same ONNX bytes for the same model, whatever the package name or time', () => {
    const again = importXgboost(lead.xgboostText, { name: 'other-name', version: '9.9.9' });
    expect(Buffer.from(again.onnx).equals(Buffer.from(result.onnx))).toBe(true);
  });
});

describe('importXgboost without metadata', () => {
  it('builds a usable skeleton from XGBoost feature names, keeping the original names as column names', () => {
    const { manifest, warnings } = importXgboost(lead.xgboostText, { name: 'lead-skeleton', version: '0.1.0' });
    expect(manifest.inputs).toHaveLength(41);
    expect(manifest.inputs[4]).toMatchObject({
      name: 'lead_source_cold_call',
      type: 'number',
      label: 'lead_source=Cold Call',
    });
    expect(manifest.features[4]).toEqual({
      kind: 'number',
      input: 'lead_source_cold_call',
      name: 'lead_source=Cold Call',
    });
    expect(manifest.features[15]).toEqual({ kind: 'number', input: 'seniority' });
    expect(featureColumnNames(manifest.features)).toEqual(JSON.parse(lead.xgboostText).learner.feature_names);
    expect(new Set(manifest.inputs.map((i) => i.name)).size).toBe(41);
    expect(warnings.join(' ')).toMatch(/skeleton/);
  });

  it('names columns f0..fn when the model has no feature names, and sets a count model up with a confidence range', () => {
    const { manifest } = importXgboost(fixtureText('poisson'), { name: 'counts', version: '1.0.0' });
    expect(manifest.inputs.map((i) => i.name)).toEqual(['f0', 'f1', 'f2', 'f3', 'f4']);
    expect(manifest.task).toBe('poisson-regression');
    expect(manifest.model).toMatchObject({ link: 'log', outputName: 'prediction', columns: 5 });
    expect(manifest.outputs.confidence).toEqual({ min: 0.5, max: 0.95 });
  });
});

describe('importXgboost refuses mismatches, naming the field', () => {
  it('refuses metadata for another version or task', () => {
    expect(
      refusal(() =>
        importXgboost(lead.xgboostText, { name: 'lead-scoring', version: '4.2.0', metadata: leadMetadata() }),
      ).message,
    ).toMatch(/metadata version is "4.1.0" but the import is for version "4.2.0"/);
    expect(
      refusal(() =>
        importXgboost(fixtureText('poisson'), { name: 'lead-scoring', version: '4.1.0', metadata: leadMetadata() }),
      ).message,
    ).toMatch(/task is "binary-classification" but the XGBoost objective count:poisson is a poisson-regression model/);
  });

  it('refuses features that do not make the model columns, in count or in order', () => {
    const fewer = leadMetadata();
    fewer.features.pop();
    expect(
      refusal(() => importXgboost(lead.xgboostText, { name: 'lead-scoring', version: '4.1.0', metadata: fewer }))
        .message,
    ).toMatch(/feature blocks make 40 columns but the XGBoost model was trained on 41/);
    const swapped = leadMetadata();
    [swapped.features[5], swapped.features[6]] = [swapped.features[6], swapped.features[5]];
    expect(
      refusal(() => importXgboost(lead.xgboostText, { name: 'lead-scoring', version: '4.1.0', metadata: swapped }))
        .message,
    ).toMatch(/column 24 is "years_experience" in the manifest but "tenure_at_firm_months" in the XGBoost model/);
  });

  it('reports every invalid manifest field by path', () => {
    const bad = leadMetadata();
    bad.inputs[2].type = 'text';
    bad.outputs.deciles = [0.1];
    const err = refusal(() =>
      importXgboost(lead.xgboostText, { name: 'lead-scoring', version: '4.1.0', metadata: bad }),
    );
    expect(err.code).toBe('manifest-invalid');
    expect(err.issues?.map((i) => i.path)).toEqual(expect.arrayContaining(['inputs[2].type', 'outputs.deciles']));
    expect(err.message).toMatch(/inputs\[2\]\.type: .*outputs\.deciles: /s);
  });

  it('refuses a bad package name or version', () => {
    const err = refusal(() => importXgboost(fixtureText('binary'), { name: 'Lead Scoring', version: 'v1' }));
    expect(err.issues?.map((i) => i.path)).toEqual(['name', 'version']);
  });

  it('refuses unsupported models before writing anything', () => {
    expect(refusal(() => importXgboost(fixtureText('multiclass'), { name: 'm', version: '1.0.0' })).code).toBe(
      'multi-class',
    );
  });
});
