/**
 * Issue 14, the data scientist's hand-over: what the importer accepts the loader and service accept,
 * a never-deployed candidate can be fixed, typos are refused with the key that was meant, a count
 * model without product_id is warned about, and importing never makes a candidate the champion.
 * The model is models/training/example_own_model.py's (10 inputs of mixed types), committed.
 */
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importXgboost, importXgboostFile } from '../../src/importer';
import { loadPackage, loadServingSet } from '../../src/package/loader';
import { appendLedger, readLedger } from '../../src/package/ledger';
import { readRegistry } from '../../src/package/registry';
import { ServingSet, type ServedVersion } from '../../src/service/serving/serving-set';
import { FIXTURES, REPO } from './golden';
import { refusal } from '../package/refusal';

jest.setTimeout(60_000);

const OWN = path.join(REPO, 'models/training/artifacts/own-leads/1.0.0');
// Tests edit arbitrary metadata fields, so it is typed loosely on purpose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const ownMetadata = (): any => JSON.parse(readFileSync(path.join(OWN, 'metadata.json'), 'utf8'));

let dir: string;
let models: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'handover-test-'));
  models = path.join(dir, 'models');
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

/** metadata.json edited by `edit`, beside a copy of the example's background.json. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function metadataFile(edit: (m: any) => void, name = 'metadata.json'): Promise<string> {
  const folder = path.join(dir, 'artifacts');
  await fs.mkdir(folder, { recursive: true });
  await fs.copyFile(path.join(OWN, 'background.json'), path.join(folder, 'background.json'));
  const m = ownMetadata();
  edit(m);
  const file = path.join(folder, name);
  await fs.writeFile(file, JSON.stringify(m));
  return file;
}

const importOwn = (metadataPath: string, extra: Partial<Parameters<typeof importXgboostFile>[0]> = {}) =>
  importXgboostFile({
    xgboostFile: path.join(OWN, 'xgboost.json'),
    metadataFile: metadataPath,
    name: 'own-leads',
    version: '1.0.0',
    modelsDir: models,
    actor: 'test',
    ...extra,
  });

describe('problem 1: the importer runs the loader checks, before writing, and reports every problem', () => {
  it('imports the example as is, and the loader accepts what it wrote', async () => {
    const written = await importOwn(path.join(OWN, 'metadata.json'));
    expect(written.outcome).toBe('created');
    const loaded = await loadPackage(models, 'own-leads', '1.0.0');
    expect(loaded.pipeline.columns).toHaveLength(16);
  });

  it('refuses an undeclared input, days_since on a string input and a duplicated input, all at once, writing nothing', async () => {
    const file = await metadataFile((m) => {
      m.features[0].input = 'anual_revenue'; // typo of annual_revenue: no such input
      m.features[6].input = 'industry'; // days_since on a string input
      m.inputs.push({ ...m.inputs[1] }); // employees declared twice
    });
    const err = await refusal(importOwn(file));
    expect(err.code).toBe('validation-failed');
    const issues = Object.fromEntries((err.issues ?? []).map((i) => [i.path, i.message]));
    expect(issues['features[0].input']).toMatch(/unknown input anual_revenue/);
    expect(issues['features[6].input']).toMatch(/days_since block needs a date input/);
    expect(issues['inputs[10].name']).toMatch(/duplicate input employees/);
    await expect(fs.stat(models)).rejects.toThrow(); // nothing written, not even the folder
  });

  it('--dry-run checks everything and says what would be written, writing nothing', async () => {
    const planned = await importOwn(path.join(OWN, 'metadata.json'), { dryRun: true });
    expect(planned).toMatchObject({ dryRun: true, outcome: 'created' });
    expect(planned.files.map((f) => f.path).sort()).toEqual(['background.json', 'manifest.json', 'model.onnx']);
    await expect(fs.stat(models)).rejects.toThrow();
  });
});

describe('problem 2: fix-forward for a version no org has received', () => {
  it('refuses changed metadata under the same version unless --replace, then replaces it and records that', async () => {
    const first = await importOwn(path.join(OWN, 'metadata.json'));
    const fixed = await metadataFile((m) => {
      m.inputs[0].label = 'Annual revenue (USD)';
    });
    const refused = await refusal(importOwn(fixed));
    expect(refused.code).toBe('version-exists');
    expect(refused.message).toMatch(/the metadata differs/);
    expect(refused.actions?.join(' ')).toMatch(/--replace/);

    const replaced = await importOwn(fixed, { replace: true });
    expect(replaced.outcome).toBe('replaced');
    const loaded = await loadPackage(models, 'own-leads', '1.0.0');
    expect(loaded.manifest.inputs[0].label).toBe('Annual revenue (USD)');
    const last = (await readLedger(models)).pop()!;
    expect(last).toMatchObject({ action: 'import', details: { replaced: { sha256: first.manifest.sha256 } } });
  });

  it('refuses --replace once an org has received the version, saying to import a new version', async () => {
    const first = await importOwn(path.join(OWN, 'metadata.json'));
    await appendLedger(models, {
      action: 'deploy',
      model: 'own-leads',
      version: '1.0.0',
      sha256: first.manifest.sha256,
      org: { id: '00D000000000001', username: 'admin@sandbox', isSandbox: true },
      role: 'challenger',
      actor: 'test',
      result: 'ok',
    });
    const fixed = await metadataFile((m) => {
      m.description = 'fixed';
    });
    const err = await refusal(importOwn(fixed, { replace: true }));
    expect(err.code).toBe('version-deployed');
    expect(err.message).toMatch(/admin@sandbox/);
    expect(err.message).toMatch(/new version \(1\.0\.1\)/);
  });
});

describe('problem 3: metadata keys are strict, with the key that was meant', () => {
  it('refuses misspelt keys at every level, naming the closest known key', async () => {
    const file = await metadataFile((m) => {
      m.gate = m.gates;
      m.gates.promotion.max_overfit_gapp = 0.1;
      m.gates.require_warehouse_verfy = true;
      m.inputs[0].requried = true;
      m.descripton = 'typo';
      m.outputs.tier = m.outputs.tiers;
      m.metrics.auc_tset = m.metrics.auc_test;
    });
    const err = await refusal(importOwn(file));
    const issues = Object.fromEntries((err.issues ?? []).map((i) => [i.path, i.message]));
    expect(issues).toMatchObject({
      gate: 'unknown key; did you mean `gates`?',
      'gates.promotion.max_overfit_gapp': 'unknown key; did you mean `max_overfit_gap`?',
      'gates.require_warehouse_verfy': 'unknown key; did you mean `require_warehouse_verify`?',
      'inputs[0].requried': 'unknown key; did you mean `required`?',
      descripton: 'unknown key; did you mean `description`?',
      'outputs.tier': 'unknown key; did you mean `tiers`?',
      'metrics.auc_tset': 'unknown metric; did you mean `auc_test`?',
    });
  });

  it('keeps extra metrics that are not near a known one', async () => {
    const file = await metadataFile((m) => {
      m.metrics.n_validation = 600;
    });
    const written = await importOwn(file);
    expect(written.manifest.metrics).toMatchObject({ n_validation: 600 });
  });
});

describe('problem 6: what the docs promise', () => {
  it('warns when a count model has no product_id input, and not when it has one', () => {
    const poisson = readFileSync(path.join(FIXTURES, 'poisson.model.json'), 'utf8');
    const { warnings } = importXgboost(poisson, { name: 'counts', version: '0.1.0' });
    expect(warnings.join('\n')).toMatch(/product_id/);
    const gift = path.join(REPO, 'models/training/artifacts/gift-demand/2.1.0');
    const withProduct = importXgboost(readFileSync(path.join(gift, 'xgboost.json'), 'utf8'), {
      name: 'gift-demand',
      version: '2.1.0',
      metadata: JSON.parse(readFileSync(path.join(gift, 'metadata.json'), 'utf8')),
    });
    expect(withProduct.warnings.join('\n')).not.toMatch(/product_id/);
  });

  it('imports the minimal metadata example of docs/model-package.md verbatim', async () => {
    const doc = readFileSync(path.join(REPO, 'docs/model-package.md'), 'utf8');
    const block = /<!-- minimal-metadata -->\s*```json\n([\s\S]*?)```/.exec(doc);
    expect(block).not.toBeNull();
    const folder = path.join(dir, 'minimal');
    await fs.mkdir(folder);
    await fs.writeFile(path.join(folder, 'metadata.json'), block![1]);
    const written = await importOwn(path.join(folder, 'metadata.json'));
    expect(written.outcome).toBe('created');
    const loaded = await loadPackage(models, 'own-leads', '1.0.0');
    expect(loaded.manifest.inputs).toHaveLength(10);
  });
});

describe('problem 7: importing never makes a candidate the champion', () => {
  const served = (version: string, status: ServedVersion['status']): ServedVersion =>
    ({ name: 'own-leads', version, status, manifest: { inputs: [] } }) as unknown as ServedVersion;

  it('a model with only a candidate has no default champion; a production version is chosen over a newer candidate', () => {
    expect(new ServingSet([served('1.0.0', 'candidate')], undefined).models.get('own-leads')?.champion).toBeUndefined();
    const set = new ServingSet([served('1.0.0', 'production'), served('1.1.0', 'candidate')], undefined);
    expect(set.models.get('own-leads')?.champion?.version).toBe('1.0.0');
  });

  it('a freshly imported model loads on reload, but not as champion', async () => {
    await importOwn(path.join(OWN, 'metadata.json'));
    const { registry, packages } = await loadServingSet(models);
    expect(registry.models['own-leads'].versions['1.0.0'].status).toBe('candidate');
    const set = new ServingSet(
      packages.map((p) => served(p.version, registry.models[p.name].versions[p.version].status)),
      registry,
    );
    expect(set.models.get('own-leads')?.champion).toBeUndefined();
    expect((await readRegistry(models)).models['own-leads'].aliases).toEqual({});
  });
});
