/**
 * Single-package MODELS_DIR: KServe's storage initializer copies an InferenceService's storageUri
 * (one package folder) to /mnt/models, so MODELS_DIR there holds a manifest.json and no registry.json.
 */
jest.setTimeout(120_000);

import { chmodSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Service } from '../../src/service/service';
import { auth, editJson, leads, MODELS_DIR, readManifest, startService } from './helpers';
import type { Manifest } from '../../src/manifest/schema';

function packageCopy(model: string, version: string): { dir: string; cleanup(): void } {
  const root = mkdtempSync(path.join(tmpdir(), 'single-package-'));
  const dir = path.join(root, 'models');
  cpSync(path.join(MODELS_DIR, model, version), dir, { recursive: true });
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

describe('MODELS_DIR pointing at one package folder', () => {
  let service: Service;
  let pkg: ReturnType<typeof packageCopy>;

  beforeAll(async () => {
    pkg = packageCopy('lead-scoring', '4.0.0');
    // Read-only, as the storage initializer's volume is mounted into kserve-container.
    chmodSync(pkg.dir, 0o555);
    service = await startService({ MODELS_DIR: pkg.dir });
  });
  afterAll(async () => {
    await service.close();
    chmodSync(pkg.dir, 0o755);
    pkg.cleanup();
  });

  it('serves that package as the champion of its model', async () => {
    await request(service.app).get('/v2/health/ready').expect(200, { ready: true });
    const catalog = await request(service.app).get('/v1/models').set(auth()).expect(200);
    const names = JSON.stringify(catalog.body);
    expect(names).toContain('lead-scoring');
    expect(names).not.toContain('gift-demand');
    const set = service.deps.host.current;
    expect([...set.models.keys()]).toEqual(['lead-scoring']);
    expect(set.model('lead-scoring').champion?.version).toBe('4.0.0');
    expect(set.model('lead-scoring').champion?.manifest.sha256).toBe(readManifest('lead-scoring', '4.0.0').sha256);
  });

  it('scores with it through the v1 route and answers the v2 (Open Inference Protocol) model metadata', async () => {
    const res = await request(service.app)
      .post('/v1/models/lead-scoring/score')
      .set(auth())
      .send({ records: leads(3) })
      .expect(200);
    expect(res.body).toMatchObject({ model: 'lead-scoring', version: '4.0.0' });
    expect(res.body.results).toHaveLength(3);
    await request(service.app).get('/v2/models/lead-scoring').set(auth()).expect(200);
  });
});

describe('a single package that fails verification', () => {
  it('is refused with the reason, and the service stays not ready', async () => {
    const pkg = packageCopy('lead-scoring', '4.0.0');
    editJson<Manifest>(path.join(pkg.dir, 'manifest.json'), (m) => {
      m.sha256 = '0'.repeat(64);
    });
    const service = await startService({ MODELS_DIR: pkg.dir });
    try {
      const ready = await request(service.app).get('/v2/health/ready').expect(503);
      expect(ready.body.reason).toContain('no model version could be loaded');
      expect(service.deps.host.current.versions).toHaveLength(0);
    } finally {
      await service.close();
      pkg.cleanup();
    }
  });
});

describe('a folder with both registry.json and manifest.json', () => {
  it('is read as a models directory: the registry decides what serves', async () => {
    const pkg = packageCopy('lead-scoring', '4.0.0');
    writeFileSync(path.join(pkg.dir, 'registry.json'), JSON.stringify({ schemaVersion: 1, models: {} }));
    const service = await startService({ MODELS_DIR: pkg.dir });
    try {
      expect(service.deps.host.current.versions).toHaveLength(0);
      await request(service.app).get('/v2/health/ready').expect(503);
    } finally {
      await service.close();
      pkg.cleanup();
    }
  });
});
