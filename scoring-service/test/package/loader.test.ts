import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { featureSignature } from '../../src/manifest/signature';
import { sha256Hex } from '../../src/package/files';
import { loadPackage, loadPackageDir, loadServingSet } from '../../src/package/loader';
import { setStatus, upsertVersion } from '../../src/package/registry';
import { readManifestJson, TINY_NAME, TINY_VERSION, writeManifestJson, writeTinyPackage } from './tiny-package';
import { refusal } from './refusal';

let modelsDir: string;
let dir: string;
beforeEach(async () => {
  modelsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'loader-'));
  dir = await writeTinyPackage(modelsDir);
});
afterEach(async () => {
  await fs.rm(modelsDir, { recursive: true, force: true });
});

async function register(extra: { sha256?: string; signature?: string } = {}) {
  const manifest = await readManifestJson(dir);
  await upsertVersion(modelsDir, TINY_NAME, TINY_VERSION, {
    status: 'candidate',
    sha256: extra.sha256 ?? manifest.sha256,
    signature: extra.signature ?? manifest.signature,
    created: manifest.created,
    path: `${TINY_NAME}/${TINY_VERSION}`,
  });
}

describe('package loader', () => {
  it('loads a complete package with its snapshots, background and a pipeline of the right width', async () => {
    await register();
    const pkg = await loadPackage(modelsDir, TINY_NAME, TINY_VERSION);
    expect(pkg.manifest.name).toBe(TINY_NAME);
    expect(pkg.modelPath).toBe(path.join(dir, 'model.onnx'));
    expect(pkg.onnxBytes.length).toBeGreaterThan(100);
    expect(pkg.snapshots.shops.defaults).toEqual([7]);
    expect(pkg.background?.rows).toBe(2);
    expect(Number.isNaN(pkg.background!.values[8])).toBe(true);
    expect(pkg.pipeline.columns).toEqual(['source=Web', 'source=Event', 'source=__unknown__', 'opens', 'shop_size']);
    expect(
      Array.from(pkg.pipeline.transform([{ id: '1', inputs: { source: 'Web', opens: 2, shop_id: 'S1' } }])),
    ).toEqual([1, 0, 0, 2, 12]);
  });

  it('refuses a missing model.onnx, naming it', async () => {
    await fs.rm(path.join(dir, 'model.onnx'));
    const err = await refusal(loadPackageDir(dir));
    expect(err.code).toBe('file-missing');
    expect(err.file).toBe(path.join(dir, 'model.onnx'));
    expect(err.message).toContain('model.onnx is missing');
  });

  it('refuses a missing manifest.json and a missing listed file', async () => {
    await fs.rm(path.join(dir, 'snapshots', 'shops.json'));
    const missingSnapshot = await refusal(loadPackageDir(dir));
    expect(missingSnapshot.code).toBe('file-missing');
    expect(missingSnapshot.message).toContain(path.join('snapshots', 'shops.json'));
    await fs.rm(path.join(dir, 'manifest.json'));
    expect((await refusal(loadPackageDir(dir))).message).toContain('manifest.json is missing');
  });

  it('refuses a corrupted model.onnx with the expected and actual sha256', async () => {
    const bytes = await fs.readFile(path.join(dir, 'model.onnx'));
    bytes[bytes.length - 5] ^= 0xff;
    await fs.writeFile(path.join(dir, 'model.onnx'), bytes);
    const err = await refusal(loadPackageDir(dir));
    const manifest = await readManifestJson(dir);
    expect(err.code).toBe('sha256-mismatch');
    expect(err.expected).toBe(manifest.sha256);
    expect(err.actual).toBe(sha256Hex(bytes));
    expect(err.message).toContain(`model.onnx has sha256 ${sha256Hex(bytes)}, manifest.json says ${manifest.sha256}`);
  });

  it('refuses a truncated model.onnx even when the manifest was updated to its sha256', async () => {
    const bytes = await fs.readFile(path.join(dir, 'model.onnx'));
    const truncated = bytes.subarray(0, Math.floor(bytes.length / 2));
    await fs.writeFile(path.join(dir, 'model.onnx'), truncated);
    expect((await refusal(loadPackageDir(dir))).code).toBe('sha256-mismatch');
    const manifest = await readManifestJson(dir);
    await writeManifestJson(dir, { ...manifest, sha256: sha256Hex(truncated) });
    const err = await refusal(loadPackageDir(dir));
    expect(err.code).toBe('onnx-invalid');
    expect(err.message).toContain('model.onnx is not a readable ONNX model');
  });

  it('refuses a changed snapshot file by its sha256', async () => {
    await fs.writeFile(
      path.join(dir, 'snapshots', 'shops.json'),
      JSON.stringify({ columns: ['shop_size'], index: {}, defaults: [8] }),
    );
    const err = await refusal(loadPackageDir(dir));
    expect(err.code).toBe('sha256-mismatch');
    expect(err.message).toContain('files["snapshots/shops.json"]');
  });

  it('refuses a manifest whose features changed after import (signature)', async () => {
    const manifest = await readManifestJson(dir);
    manifest.features[0].categories = ['Web', 'Event', 'Partner'];
    await writeManifestJson(dir, manifest);
    const err = await refusal(loadPackageDir(dir));
    expect(err.code).toBe('signature-mismatch');
    expect(err.expected).toBe(manifest.signature);
    expect(err.actual).toBe(featureSignature(manifest.inputs, manifest.features));
    expect(err.message).toContain('manifest.json');
  });

  it('refuses an invalid manifest naming the file and the field paths', async () => {
    const manifest = await readManifestJson(dir);
    manifest.task = 'ranking';
    manifest.features[1].kind = 'numeric';
    await writeManifestJson(dir, manifest);
    const err = await refusal(loadPackageDir(dir));
    expect(err.code).toBe('manifest-invalid');
    expect(err.message).toContain(path.join(dir, 'manifest.json'));
    expect(err.issues?.map((i) => i.path)).toEqual(expect.arrayContaining(['task', 'features[1].kind']));
  });

  it('refuses when the feature blocks do not produce model.columns columns', async () => {
    const manifest = await readManifestJson(dir);
    await writeManifestJson(dir, { ...manifest, model: { ...manifest.model, columns: 6 } });
    const err = await refusal(loadPackageDir(dir));
    expect(err.code).toBe('columns-mismatch');
    expect(err.message).toContain('the feature blocks produce 5 columns, model.columns says 6');
  });

  it('refuses an ONNX graph whose input width differs from the manifest', async () => {
    await fs.rm(modelsDir, { recursive: true, force: true });
    dir = await writeTinyPackage(modelsDir, { onnxColumns: 7 });
    const err = await refusal(loadPackageDir(dir));
    expect(err.code).toBe('onnx-input-mismatch');
    expect(err.expected).toBe(5);
    expect(err.actual).toBe(7);
    expect(err.message).toContain('model.onnx: input input has 7 columns, manifest.json model.columns says 5');
  });

  it('refuses a wrong input or output name', async () => {
    const manifest = await readManifestJson(dir);
    await writeManifestJson(dir, { ...manifest, model: { ...manifest.model, inputName: 'features' } });
    expect((await refusal(loadPackageDir(dir))).message).toContain('has no input named features');
    await writeManifestJson(dir, { ...manifest, model: { ...manifest.model, outputName: 'score' } });
    expect((await refusal(loadPackageDir(dir))).message).toContain('has no output named score');
  });

  it('refuses a lookup table that is not listed in files, and paths outside the package', async () => {
    const manifest = await readManifestJson(dir);
    const files = { ...manifest.files };
    delete files['snapshots/shops.json'];
    await writeManifestJson(dir, { ...manifest, files });
    expect((await refusal(loadPackageDir(dir))).message).toContain('files has no entry for snapshots/shops.json');
    await writeManifestJson(dir, { ...manifest, files: { ...manifest.files, '../../registry.json': 'a'.repeat(64) } });
    expect((await refusal(loadPackageDir(dir))).message).toContain('points outside the package folder');
  });

  it('refuses a background sample whose rows do not have model.columns values', async () => {
    const background = JSON.stringify([[1, 0, 0, 3]]);
    await fs.writeFile(path.join(dir, 'background.json'), background);
    const manifest = await readManifestJson(dir);
    await writeManifestJson(dir, {
      ...manifest,
      files: { ...manifest.files, 'background.json': sha256Hex(Buffer.from(background)) },
    });
    const err = await refusal(loadPackageDir(dir));
    expect(err.code).toBe('background-invalid');
    expect(err.message).toContain('row 0 has 4 columns; the model has 5');
  });

  it('refuses a package whose registry entry records another sha256, or another name/version', async () => {
    await register({ sha256: 'f'.repeat(64) });
    const err = await refusal(loadPackage(modelsDir, TINY_NAME, TINY_VERSION));
    expect(err.code).toBe('sha256-mismatch');
    expect(err.message).toContain('registry.json');
    const manifest = await readManifestJson(dir);
    await writeManifestJson(dir, { ...manifest, version: '1.0.1' });
    expect((await refusal(loadPackage(modelsDir, TINY_NAME, TINY_VERSION))).code).toBe('identity-mismatch');
  });

  it('refuses names and versions that could reach outside the models directory', async () => {
    expect((await refusal(loadPackage(modelsDir, '../etc', TINY_VERSION))).code).toBe('unknown-model');
    expect((await refusal(loadPackage(modelsDir, TINY_NAME, '../../1.0.0'))).code).toBe('unknown-version');
  });

  it('loads the serving set, reporting a bad version without dropping the good ones', async () => {
    await register();
    const goodDir = dir;
    // A second version: a copy with a corrupted model.onnx.
    const badDir = path.join(modelsDir, TINY_NAME, '1.1.0');
    await fs.cp(goodDir, badDir, { recursive: true });
    const manifest = await readManifestJson(badDir);
    await writeManifestJson(badDir, { ...manifest, version: '1.1.0' });
    await fs.appendFile(path.join(badDir, 'model.onnx'), 'garbage');
    await upsertVersion(modelsDir, TINY_NAME, '1.1.0', {
      status: 'candidate',
      sha256: manifest.sha256,
      signature: manifest.signature,
      created: manifest.created,
      path: `${TINY_NAME}/1.1.0`,
    });
    // An archived version is not loaded at all.
    await upsertVersion(modelsDir, TINY_NAME, '0.9.0', {
      status: 'candidate',
      sha256: manifest.sha256,
      signature: manifest.signature,
      created: manifest.created,
      path: `${TINY_NAME}/0.9.0`,
    });
    await setStatus(modelsDir, TINY_NAME, '0.9.0', 'archived');

    const set = await loadServingSet(modelsDir);
    expect(set.packages.map((p) => p.version)).toEqual(['1.0.0']);
    expect(set.errors.map((e) => [e.version, e.error.code])).toEqual([['1.1.0', 'sha256-mismatch']]);
    expect(set.errors[0].error.message).toContain(path.join('1.1.0', 'model.onnx'));
  });
});
