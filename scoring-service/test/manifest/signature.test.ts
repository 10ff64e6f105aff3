import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { manifestSchema } from '../../src/manifest/schema';
import { canonicalJson, featureSignature } from '../../src/manifest/signature';
import { formatPath, zodIssues } from '../../src/manifest/issues';

const bundled = JSON.parse(
  readFileSync(path.join(__dirname, '../../../models/lead-scoring/4.1.0/manifest.json'), 'utf8'),
);

describe('feature signature', () => {
  it('is the sha256 of the sorted-key JSON of input names/types and features, as docs/model-package.md says', () => {
    const manifest = manifestSchema.parse(bundled);
    const inputs = manifest.inputs.map((i) => ({ name: i.name, type: i.type }));
    expect(canonicalJson({ b: 1, a: [{ d: 'x', c: null }], e: undefined })).toBe('{"a":[{"c":null,"d":"x"}],"b":1}');
    const expected = createHash('sha256')
      .update(canonicalJson({ features: manifest.features, inputs }))
      .digest('hex');
    expect(featureSignature(manifest.inputs, manifest.features)).toBe(expected);
    expect(manifest.signature).toBe(expected);
  });

  it('ignores labels, units and fields but changes with a renamed input or a changed feature', () => {
    const manifest = manifestSchema.parse(bundled);
    const base = featureSignature(manifest.inputs, manifest.features);
    const relabelled = manifest.inputs.map((i) => ({ ...i, label: 'x', unit: 'y', field: 'Lead.Other__c' }));
    expect(featureSignature(relabelled, manifest.features)).toBe(base);
    const renamed = manifest.inputs.map((i, k) => (k === 0 ? { ...i, name: 'leadsource' } : i));
    expect(featureSignature(renamed, manifest.features)).not.toBe(base);
    const retyped = manifest.inputs.map((i, k) => (k === 4 ? { ...i, type: 'number' as const } : i));
    expect(featureSignature(retyped, manifest.features)).not.toBe(base);
    const reordered = [manifest.features[1], manifest.features[0], ...manifest.features.slice(2)];
    expect(featureSignature(manifest.inputs, reordered)).not.toBe(base);
  });

  it('signs features with schema defaults filled in, so omitting a default does not change it', () => {
    const inputs = [{ name: 'source', type: 'string' as const }];
    const explicit = manifestSchema.shape.features.parse([
      { kind: 'onehot', input: 'source', categories: ['Web'], unknown: true },
    ]);
    const implicit = manifestSchema.shape.features.parse([{ kind: 'onehot', input: 'source', categories: ['Web'] }]);
    expect(featureSignature(inputs, implicit)).toBe(featureSignature(inputs, explicit));
  });
});

describe('manifest schema errors', () => {
  it('name every failing field with a readable path', () => {
    const bad = {
      ...bundled,
      version: 'v4',
      features: [{ ...bundled.features[0], kind: 'onehots' }, ...bundled.features.slice(1)],
    };
    const result = manifestSchema.safeParse(bad);
    expect(result.success).toBe(false);
    const paths = zodIssues(result.error!).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['version', 'features[0].kind']));
  });

  it('formats registry-style keys unambiguously', () => {
    expect(formatPath(['models', 'lead-scoring', 'versions', '4.1.0', 'status'])).toBe(
      'models["lead-scoring"].versions["4.1.0"].status',
    );
    expect(formatPath([])).toBe('(root)');
  });
});
