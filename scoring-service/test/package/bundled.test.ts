/** The bundled model packages load cleanly, and damaged copies of them are refused. */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sha256Hex } from '../../src/package/files';
import { loadPackageDir, loadServingSet } from '../../src/package/loader';
import { refusal } from './refusal';

const models = path.join(__dirname, '../../../models');

describe('bundled packages', () => {
  it('serve every registered version without a refusal', async () => {
    const set = await loadServingSet(models);
    expect(set.errors.map((e) => e.error.message)).toEqual([]);
    const loaded = set.packages.map((p) => `${p.name}@${p.version}:${p.pipeline.columns.length}`);
    expect(loaded).toEqual(
      expect.arrayContaining(['lead-scoring@4.0.0:45', 'lead-scoring@4.1.0:41', 'gift-demand@2.1.0:116']),
    );
    const gift = set.packages.find((p) => p.name === 'gift-demand')!;
    expect(Object.keys(gift.snapshots)).toEqual(['shop_features']);
    expect(gift.pipeline.blocks.filter((b) => b.kind === 'hash').map((b) => b.width)).toEqual([32, 32, 32]);
  });

  describe('a copy of lead-scoring 4.1.0', () => {
    let dir: string;
    beforeEach(async () => {
      dir = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'bundled-')), '4.1.0');
      await fs.cp(path.join(models, 'lead-scoring', '4.1.0'), dir, { recursive: true });
    });
    afterEach(async () => {
      await fs.rm(path.dirname(dir), { recursive: true, force: true });
    });

    it('loads as it is', async () => {
      const pkg = await loadPackageDir(dir, { name: 'lead-scoring', version: '4.1.0' });
      expect(pkg.manifest.model.columns).toBe(41);
    });

    it('is refused with one flipped byte in model.onnx', async () => {
      const file = path.join(dir, 'model.onnx');
      const bytes = await fs.readFile(file);
      bytes[1000] ^= 1;
      await fs.writeFile(file, bytes);
      const err = await refusal(loadPackageDir(dir));
      expect(err.code).toBe('sha256-mismatch');
      expect(err.message).toMatch(/model\.onnx has sha256 [0-9a-f]{64}, manifest\.json says [0-9a-f]{64}/);
    });

    it('is refused when background.json is truncated', async () => {
      const file = path.join(dir, 'background.json');
      const text = await fs.readFile(file, 'utf8');
      await fs.writeFile(file, text.slice(0, text.length / 2));
      const err = await refusal(loadPackageDir(dir));
      expect(err.code).toBe('sha256-mismatch');
      expect(err.file).toBe(file);
    });

    it('is refused when an input is renamed in the manifest', async () => {
      const file = path.join(dir, 'manifest.json');
      const manifest = JSON.parse(await fs.readFile(file, 'utf8'));
      manifest.inputs[0].name = 'leadsource';
      manifest.features[0].input = 'leadsource';
      await fs.writeFile(file, JSON.stringify(manifest));
      const err = await refusal(loadPackageDir(dir));
      expect(err.code).toBe('signature-mismatch');
    });

    it('is refused when the model is the 4.0.0 graph (45 columns for 41)', async () => {
      const other = await fs.readFile(path.join(models, 'lead-scoring', '4.0.0', 'model.onnx'));
      await fs.writeFile(path.join(dir, 'model.onnx'), other);
      const file = path.join(dir, 'manifest.json');
      const manifest = JSON.parse(await fs.readFile(file, 'utf8'));
      manifest.sha256 = sha256Hex(other);
      await fs.writeFile(file, JSON.stringify(manifest));
      const err = await refusal(loadPackageDir(dir));
      expect(err.code).toBe('onnx-input-mismatch');
      expect(err.message).toContain('has 45 columns, manifest.json model.columns says 41');
    });
  });
});
