/**
 * The background and snapshot rules are one module; these tests hold the importer's check
 * (checkPackageFiles) and the loader to the same verdict on the same files.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkPackageFiles, type PackageFiles } from '../../src/importer';
import type { Manifest } from '../../src/manifest/schema';
import { sha256Hex } from '../../src/package/files';
import { loadPackageDir } from '../../src/package/loader';
import { parseBackground } from '../../src/package/package-files';
import { readManifestJson, writeManifestJson, writeTinyPackage } from './tiny-package';
import { refusal } from './refusal';

let modelsDir: string;
let dir: string;
beforeEach(async () => {
  modelsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'package-files-'));
  dir = await writeTinyPackage(modelsDir);
});
afterEach(async () => {
  await fs.rm(modelsDir, { recursive: true, force: true });
});

/** Replaces one file of the tiny package (and its sha256 in the manifest); returns what the importer would be handed. */
async function replaceFile(relative: string, content: unknown): Promise<{ manifest: Manifest; files: PackageFiles }> {
  const bytes = Buffer.from(JSON.stringify(content));
  await fs.writeFile(path.join(dir, relative), bytes);
  const manifest = await readManifestJson(dir);
  manifest.files[relative] = sha256Hex(bytes);
  await writeManifestJson(dir, manifest);
  const files: PackageFiles = new Map();
  for (const name of Object.keys(manifest.files)) files.set(name, await fs.readFile(path.join(dir, name)));
  return { manifest: manifest as Manifest, files };
}

describe('package files: one rule for the importer and the loader', () => {
  it('refuses a snapshot without a column its lookup reads, with the same message from both', async () => {
    const { manifest, files } = await replaceFile('snapshots/shops.json', {
      columns: ['shop_area'],
      index: { shop_id: { S1: [3] } },
      defaults: [1],
    });
    const imported = refusal(() => checkPackageFiles(manifest, files, dir));
    const loaded = await refusal(loadPackageDir(dir));
    expect(imported.code).toBe('package-file-invalid');
    expect(loaded.code).toBe('snapshot-invalid');
    expect(loaded.message).toBe(
      `${path.join(dir, 'snapshots/shops.json')}: has no column shop_size, which the lookup feature on table "shops" reads (its columns: shop_area)`,
    );
    expect(imported.message).toBe(loaded.message);
  });

  it('refuses an index row of the wrong width in both (the importer used to let it through)', async () => {
    const { manifest, files } = await replaceFile('snapshots/shops.json', {
      columns: ['shop_size'],
      index: { shop_id: { S1: [12, 4] } },
      defaults: [7],
    });
    const message = `${path.join(dir, 'snapshots/shops.json')}: index.shop_id["S1"] has 2 values for 1 columns`;
    expect(refusal(() => checkPackageFiles(manifest, files, dir)).message).toBe(message);
    expect((await refusal(loadPackageDir(dir))).message).toBe(message);
  });

  it('accepts in both a snapshot with more columns than the lookup reads, and the loader serves the right one', async () => {
    const { manifest, files } = await replaceFile('snapshots/shops.json', {
      columns: ['shop_area', 'shop_size'],
      index: { shop_id: { S1: [99, 12] } },
      defaults: [98, 7],
    });
    expect(() => checkPackageFiles(manifest, files, dir)).not.toThrow();
    const pkg = await loadPackageDir(dir);
    const row = pkg.pipeline.transform([{ id: '1', inputs: { source: 'Web', opens: 2, shop_id: 'S1' } }]);
    expect(Array.from(row)).toEqual([1, 0, 0, 2, 12]);
  });

  it('refuses a background value that is neither a number nor null in both, naming row and column', async () => {
    const { manifest, files } = await replaceFile('background.json', [
      [1, 0, 0, 3, 12],
      [0, 0, 1, 'x', 7],
    ]);
    const message = `${path.join(dir, 'background.json')}: row 1 column 3 must be a number or null`;
    expect(refusal(() => checkPackageFiles(manifest, files, dir)).message).toBe(message);
    const loaded = await refusal(loadPackageDir(dir));
    expect([loaded.code, loaded.message]).toEqual(['background-invalid', message]);
  });

  it('refuses a background sample whose row count differs from background.rows', async () => {
    const { manifest, files } = await replaceFile('background.json', [[1, 0, 0, 3, 12]]);
    const message = `${path.join(dir, 'background.json')} has 1 rows, but manifest.json background.rows says 2`;
    expect(refusal(() => checkPackageFiles(manifest, files, dir)).message).toBe(message);
    expect((await refusal(loadPackageDir(dir))).message).toBe(message);
  });

  it('reads background rows as float32 with null as NaN, and refuses an empty or non-array sample', () => {
    const manifest = { model: { columns: 2 }, background: { file: 'background.json', rows: 2 } } as Pick<
      Manifest,
      'model' | 'background'
    >;
    const sample = parseBackground(Buffer.from('[[0.1, null], [2, 3]]'), manifest, 'bg.json');
    expect(sample.rows).toBe(2);
    expect(Array.from(sample.values)).toEqual([Math.fround(0.1), NaN, 2, 3]);
    for (const text of ['[]', '{"rows": []}']) {
      const err = refusal(() => parseBackground(Buffer.from(text), manifest, 'bg.json'));
      expect([err.code, err.message]).toEqual([
        'background-invalid',
        'bg.json: must be a non-empty array of feature rows',
      ]);
    }
    const bad = refusal(() => parseBackground(Buffer.from('[[1, 2], 3]'), manifest, 'bg.json'));
    expect(bad.message).toBe('bg.json: row 1 must be an array of 2 numbers or nulls');
    expect(refusal(() => parseBackground(Buffer.from('[[1, 2],'), manifest, 'bg.json')).code).toBe('json-invalid');
  });
});
