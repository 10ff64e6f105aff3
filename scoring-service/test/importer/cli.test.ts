/**
 * The import as scripts and CI run it: files in, a registered package out. The CLI runs as a
 * real process (through tsx, so no build is needed); the library call covers the edge cases.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { featureColumnNames, importXgboostFile } from '../../src/importer';
import { loadPackage } from '../../src/package/loader';
import { readLedger } from '../../src/package/ledger';
import { readRegistry } from '../../src/package/registry';
import { FIXTURES, REPO } from './golden';
import { refusal } from '../package/refusal';

jest.setTimeout(60_000); // spawns node processes; the machine is shared

const CLI = path.join(__dirname, '../../src/cli/import.ts');
const LEAD = path.join(REPO, 'models/training/artifacts/lead-scoring/4.1.0');
const LEAD_OLD = path.join(REPO, 'models/training/artifacts/lead-scoring/4.0.0');
const GIFT = path.join(REPO, 'models/training/artifacts/gift-demand/2.1.0');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: REPO,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const sha = async (file: string): Promise<string> =>
  createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex');
let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'import-test-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('npm run model:import', () => {
  it('writes a package the loader accepts, registers it as a candidate and records the import', async () => {
    const models = path.join(dir, 'models');
    const run = await cli(
      '--xgboost',
      path.join(LEAD, 'xgboost.json'),
      '--metadata',
      path.join(LEAD, 'metadata.json'),
      '--name',
      'lead-scoring',
      '--version',
      '4.1.0',
      '--models-dir',
      models,
      '--actor',
      'ci',
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/imported lead-scoring 4.1.0/);

    const pkg = path.join(models, 'lead-scoring/4.1.0');
    expect((await fs.readdir(pkg)).sort()).toEqual(['background.json', 'manifest.json', 'model.onnx']);
    const manifest = JSON.parse(await fs.readFile(path.join(pkg, 'manifest.json'), 'utf8'));
    expect(manifest.files).toEqual({ 'background.json': await sha(path.join(LEAD, 'background.json')) });
    expect(manifest.sha256).toBe(await sha(path.join(pkg, 'model.onnx')));

    const loaded = await loadPackage(models, 'lead-scoring', '4.1.0');
    expect(loaded.manifest.model.columns).toBe(41);
    expect(loaded.background?.rows).toBe(200);

    const registry = await readRegistry(models);
    expect(registry.models['lead-scoring'].versions['4.1.0']).toMatchObject({
      status: 'candidate',
      sha256: manifest.sha256,
      signature: manifest.signature,
      path: 'lead-scoring/4.1.0',
    });
    const ledger = await readLedger(models);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({
      action: 'import',
      model: 'lead-scoring',
      version: '4.1.0',
      sha256: manifest.sha256,
      actor: 'ci',
      result: 'ok',
    });
  });

  it('is idempotent for the same bytes and refuses different bytes under an existing version', async () => {
    const models = path.join(dir, 'models');
    const args = ['--name', 'lead-scoring', '--version', '4.1.0', '--models-dir', models];
    expect(
      (await cli('--xgboost', path.join(LEAD, 'xgboost.json'), '--metadata', path.join(LEAD, 'metadata.json'), ...args))
        .code,
    ).toBe(0);
    const before = await fs.readFile(path.join(models, 'lead-scoring/4.1.0/manifest.json'), 'utf8');

    const again = await cli(
      '--xgboost',
      path.join(LEAD, 'xgboost.json'),
      '--metadata',
      path.join(LEAD, 'metadata.json'),
      ...args,
    );
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already imported \(same model, files and metadata\), nothing changed/);

    const other = await cli('--xgboost', path.join(FIXTURES, 'binary.model.json'), ...args, '--json');
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(
      /already holds lead-scoring 4.1.0 and its model.onnx sha256 is [0-9a-f]{64}, the new one [0-9a-f]{64}/,
    );
    expect(JSON.parse(other.stdout)).toMatchObject({ status: 1, code: 'version-exists' });

    expect(await fs.readFile(path.join(models, 'lead-scoring/4.1.0/manifest.json'), 'utf8')).toBe(before);
    expect(await readLedger(models)).toHaveLength(1);
  });

  it('refuses an unsupported model, naming the file, and writes nothing', async () => {
    const models = path.join(dir, 'models');
    const run = await cli(
      '--xgboost',
      path.join(FIXTURES, 'categorical.model.json'),
      '--name',
      'cats',
      '--version',
      '1.0.0',
      '--models-dir',
      models,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /import refused \(categorical-splits\): .*categorical\.model\.json: column 2 has feature type "c"/,
    );
    await expect(fs.stat(models)).rejects.toThrow();
  });

  it('explains its usage when arguments are missing', async () => {
    const run = await cli('--name', 'x');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/missing --xgboost, --version, --models-dir\nusage: npm run -s model:import/);
  });
});

describe('importXgboostFile', () => {
  async function copyArtifacts(from: string, to: string): Promise<void> {
    await fs.cp(from, to, { recursive: true });
  }

  it('ships the snapshot tables of lookup features and lists their sha256', async () => {
    const models = path.join(dir, 'models');
    const result = await importXgboostFile({
      xgboostFile: path.join(GIFT, 'xgboost.json'),
      metadataFile: path.join(GIFT, 'metadata.json'),
      name: 'gift-demand',
      version: '2.1.0',
      modelsDir: models,
      actor: 'ci',
    });
    const snapshots = await fs.readdir(path.join(GIFT, 'snapshots'));
    expect(snapshots.length).toBeGreaterThan(0);
    for (const file of snapshots)
      expect(result.manifest.files[`snapshots/${file}`]).toBe(await sha(path.join(GIFT, 'snapshots', file)));
    const loaded = await loadPackage(models, 'gift-demand', '2.1.0');
    expect(Object.keys(loaded.snapshots).length).toBeGreaterThan(0);
    expect(loaded.manifest.model).toMatchObject({ link: 'log', outputName: 'prediction' });
    // The importer's column names (checked against XGBoost's) are the feature pipeline's.
    expect(featureColumnNames(loaded.manifest.features)).toEqual(loaded.pipeline.columns);
  });

  it('writes a skeleton package the loader accepts when no metadata comes with the model', async () => {
    const models = path.join(dir, 'models');
    const result = await importXgboostFile({
      xgboostFile: path.join(FIXTURES, 'regression.model.json'),
      name: 'plain-regression',
      version: '0.1.0',
      modelsDir: models,
      actor: 'ci',
    });
    expect(result.warnings.join(' ')).toMatch(/skeleton/);
    const loaded = await loadPackage(models, 'plain-regression', '0.1.0');
    expect(loaded.manifest.inputs.map((i) => i.name)).toEqual(['f0', 'f1', 'f2', 'f3']);
    expect(loaded.pipeline.columns).toHaveLength(4);
  });

  it('refuses a lookup feature whose snapshot is missing, naming the file', async () => {
    const copy = path.join(dir, 'artifacts');
    await copyArtifacts(GIFT, copy);
    const [first] = await fs.readdir(path.join(copy, 'snapshots'));
    await fs.rm(path.join(copy, 'snapshots', first));
    const err = await refusal(
      importXgboostFile({
        xgboostFile: path.join(copy, 'xgboost.json'),
        metadataFile: path.join(copy, 'metadata.json'),
        name: 'gift-demand',
        version: '2.1.0',
        modelsDir: path.join(dir, 'models'),
      }),
    );
    expect(err.code).toBe('package-file-invalid');
    expect(err.message).toContain(path.join(copy, 'snapshots', first));
    await expect(fs.stat(path.join(dir, 'models'))).rejects.toThrow();
  });

  it('refuses background rows narrower than the model', async () => {
    const copy = path.join(dir, 'artifacts');
    await copyArtifacts(LEAD, copy);
    const rows = JSON.parse(await fs.readFile(path.join(copy, 'background.json'), 'utf8'));
    rows[7].pop();
    await fs.writeFile(path.join(copy, 'background.json'), JSON.stringify(rows));
    const err = await refusal(
      importXgboostFile({
        xgboostFile: path.join(copy, 'xgboost.json'),
        metadataFile: path.join(copy, 'metadata.json'),
        name: 'lead-scoring',
        version: '4.1.0',
        modelsDir: path.join(dir, 'models'),
      }),
    );
    expect(err.message).toBe(`${path.join(copy, 'background.json')}: row 7 has 40 columns; the model has 41`);
    await expect(fs.stat(path.join(dir, 'models'))).rejects.toThrow();
  });

  it('refuses metadata written for another model, naming the metadata file', async () => {
    const err = await refusal(
      importXgboostFile({
        xgboostFile: path.join(LEAD, 'xgboost.json'),
        metadataFile: path.join(LEAD_OLD, 'metadata.json'),
        name: 'lead-scoring',
        version: '4.0.0',
        modelsDir: path.join(dir, 'models'),
      }),
    );
    expect(err.message).toMatch(
      /4\.0\.0\/metadata\.json: .*features: the feature blocks make 45 columns but the XGBoost model was trained on 41/,
    );
  });
});
