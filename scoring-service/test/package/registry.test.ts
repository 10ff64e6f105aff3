import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  compareVersions,
  readRegistry,
  resolveVersion,
  servingVersions,
  setAlias,
  setStatus,
  upsertVersion,
  writeRegistry,
  type RegistryVersion,
} from '../../src/package/registry';
import { refusal } from './refusal';

const sha = (c: string) => c.repeat(64);
const entry = (version: string, status: RegistryVersion['status'] = 'candidate'): RegistryVersion => ({
  status,
  sha256: sha('a'),
  signature: sha('b'),
  created: '2026-11-25T10:00:00Z',
  path: `lead-scoring/${version}`,
});

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'registry-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('registry', () => {
  it('refuses a missing registry unless allowMissing, then returns an empty one', async () => {
    const err = await refusal(readRegistry(dir));
    expect(err.code).toBe('registry-missing');
    expect(err.message).toContain('registry.json');
    expect(await readRegistry(dir, { allowMissing: true })).toEqual({ schemaVersion: 1, models: {} });
  });

  it('creates the registry on first upsert and keeps versions in semver order', async () => {
    await upsertVersion(dir, 'lead-scoring', '4.10.0', entry('4.10.0'));
    await upsertVersion(dir, 'lead-scoring', '4.1.0', entry('4.1.0'), { description: 'Lead conversion' });
    const registry = await readRegistry(dir);
    expect(Object.keys(registry.models['lead-scoring'].versions)).toEqual(['4.1.0', '4.10.0']);
    expect(registry.models['lead-scoring'].description).toBe('Lead conversion');
    const text = await fs.readFile(path.join(dir, 'registry.json'), 'utf8');
    expect(text.indexOf('"4.1.0"')).toBeLessThan(text.indexOf('"4.10.0"'));
    expect((await fs.readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('names the file and the field path of every invalid field', async () => {
    const bad = {
      schemaVersion: 1,
      models: {
        'lead-scoring': { aliases: {}, versions: { '4.1.0': { ...entry('4.1.0'), status: 'live', sha256: 'xyz' } } },
      },
    };
    await fs.writeFile(path.join(dir, 'registry.json'), JSON.stringify(bad));
    const err = await refusal(readRegistry(dir));
    expect(err.code).toBe('registry-invalid');
    expect(err.file).toBe(path.join(dir, 'registry.json'));
    expect(err.message).toContain('models["lead-scoring"].versions["4.1.0"].status');
    expect(err.message).toContain('models["lead-scoring"].versions["4.1.0"].sha256');
  });

  it('reports broken JSON with the file name', async () => {
    await fs.writeFile(path.join(dir, 'registry.json'), '{"schemaVersion": 1, "models": {');
    const err = await refusal(readRegistry(dir));
    expect(err.code).toBe('json-invalid');
    expect(err.message).toContain('registry.json');
  });

  it('refuses an alias that points at an unknown version', async () => {
    const bad = {
      schemaVersion: 1,
      models: { 'lead-scoring': { aliases: { champion: '9.9.9' }, versions: { '4.1.0': entry('4.1.0') } } },
    };
    const err = await refusal(writeRegistry(dir, bad as never));
    expect(err.code).toBe('registry-invalid');
    expect(err.message).toContain('aliases.champion');
    await expect(fs.access(path.join(dir, 'registry.json'))).rejects.toThrow();
  });

  it('sets statuses with reasons and aliases, and resolves aliases', async () => {
    await upsertVersion(dir, 'lead-scoring', '4.0.0', entry('4.0.0', 'production'));
    await upsertVersion(dir, 'lead-scoring', '4.1.0', entry('4.1.0'));
    await setAlias(dir, 'lead-scoring', 'champion', '4.0.0');
    await setAlias(dir, 'lead-scoring', 'challenger', '4.1.0');
    let registry = await setStatus(dir, 'lead-scoring', '4.1.0', 'staging');
    expect(resolveVersion(registry, 'lead-scoring', 'champion')).toBe('4.0.0');
    expect(resolveVersion(registry, 'lead-scoring', 'challenger')).toBe('4.1.0');
    expect(resolveVersion(registry, 'lead-scoring', '4.1.0')).toBe('4.1.0');
    expect(resolveVersion(registry, 'lead-scoring', '5.0.0')).toBeUndefined();
    expect(resolveVersion(registry, 'gift-demand', 'champion')).toBeUndefined();

    const conflict = await refusal(setStatus(dir, 'lead-scoring', '4.0.0', 'deprecated', 'lift dropped'));
    expect(conflict.code).toBe('registry-conflict');
    await setAlias(dir, 'lead-scoring', 'champion', '4.1.0');
    await setAlias(dir, 'lead-scoring', 'challenger', undefined);
    registry = await setStatus(dir, 'lead-scoring', '4.0.0', 'deprecated', 'lift dropped');
    expect(registry.models['lead-scoring'].versions['4.0.0']).toMatchObject({
      status: 'deprecated',
      statusReason: 'lift dropped',
    });
    expect(registry.models['lead-scoring'].aliases).toEqual({ champion: '4.1.0' });
  });

  it('refuses unknown models and versions and aliasing an archived version', async () => {
    await upsertVersion(dir, 'lead-scoring', '4.0.0', entry('4.0.0', 'archived'));
    expect((await refusal(setStatus(dir, 'lead-scoring', '9.0.0', 'staging'))).code).toBe('unknown-version');
    expect((await refusal(setStatus(dir, 'other-model', '1.0.0', 'staging'))).code).toBe('unknown-model');
    expect((await refusal(setAlias(dir, 'lead-scoring', 'champion', '4.0.0'))).code).toBe('registry-conflict');
  });

  it('keeps every version when upserts run concurrently', async () => {
    await Promise.all(['1.0.0', '1.1.0', '1.2.0', '2.0.0'].map((v) => upsertVersion(dir, 'lead-scoring', v, entry(v))));
    expect(Object.keys((await readRegistry(dir)).models['lead-scoring'].versions)).toEqual([
      '1.0.0',
      '1.1.0',
      '1.2.0',
      '2.0.0',
    ]);
  });

  it('waits for another process holding the registry lock, and takes over a stale lock', async () => {
    const lock = path.join(dir, 'registry.json.lock');
    await fs.writeFile(lock, '99999\n');
    let done = false;
    const pending = upsertVersion(dir, 'lead-scoring', '4.1.0', entry('4.1.0')).then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(done).toBe(false);
    await fs.rm(lock);
    await pending;
    expect(Object.keys((await readRegistry(dir)).models['lead-scoring'].versions)).toEqual(['4.1.0']);

    await fs.writeFile(lock, '99999\n');
    const old = new Date(Date.now() - 60_000);
    await fs.utimes(lock, old, old);
    await upsertVersion(dir, 'lead-scoring', '4.2.0', entry('4.2.0'));
    expect(Object.keys((await readRegistry(dir)).models['lead-scoring'].versions)).toEqual(['4.1.0', '4.2.0']);
    await expect(fs.access(lock)).rejects.toThrow();
  });

  it('lists every non-archived version for serving', async () => {
    await upsertVersion(dir, 'lead-scoring', '4.0.0', entry('4.0.0', 'archived'));
    await upsertVersion(dir, 'lead-scoring', '4.1.0', entry('4.1.0', 'production'));
    await upsertVersion(dir, 'gift-demand', '2.1.0', { ...entry('2.1.0', 'deprecated'), path: 'gift-demand/2.1.0' });
    const serving = servingVersions(await readRegistry(dir)).map((s) => `${s.name}@${s.version}`);
    expect(serving).toEqual(['gift-demand@2.1.0', 'lead-scoring@4.1.0']);
  });

  it('orders semantic versions numerically with pre-releases first', () => {
    expect(['4.10.0', '4.2.0', '4.2.0-rc.1', '10.0.0'].sort(compareVersions)).toEqual([
      '4.2.0-rc.1',
      '4.2.0',
      '4.10.0',
      '10.0.0',
    ]);
  });
});
