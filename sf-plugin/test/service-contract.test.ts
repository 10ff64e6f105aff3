/**
 * The CLI's view of the scoring service checked against the real service: the version route,
 * the admin load route with the sha256 guard, and key handling, as `model deploy`, `promote`
 * and `rollback` use them (lib/service-check.ts).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ServiceClient } from '../src/lib/service/client.js';
import { ensureServed } from '../src/lib/service/check.js';
import { buildModelsDir } from './helpers/models.js';
import { readManifest } from './helpers/org-fixtures.js';
import { startRealService, type RealService } from './helpers/real-service.js';

describe('the CLI against the real scoring service', () => {
  let modelsDir: string;
  let service: RealService;
  let sha: Record<string, string>;

  beforeAll(async () => {
    modelsDir = await buildModelsDir();
    sha = { '4.0.0': (await readManifest(modelsDir, '4.0.0')).sha256, '4.1.0': (await readManifest(modelsDir, '4.1.0')).sha256 };
    // 4.1.0's package is on disk but not registered, so the service starts without it.
    const registryFile = path.join(modelsDir, 'registry.json');
    const registry = JSON.parse(await fs.readFile(registryFile, 'utf8'));
    delete registry.models['lead-scoring'].versions['4.1.0'];
    await fs.writeFile(registryFile, JSON.stringify(registry));
    service = await startRealService(modelsDir);
  }, 120_000);
  afterAll(async () => {
    await service?.stop();
    await fs.rm(modelsDir, { recursive: true, force: true });
  });

  const client = (): ServiceClient => new ServiceClient({ baseUrl: service.url, apiKey: service.apiKey, adminKey: service.adminKey });

  it('sees a served version with the sha256 of its package', async () => {
    const check = await ensureServed(client(), service.url, 'flag', 'lead-scoring', '4.0.0', sha['4.0.0']);
    expect(check).toEqual({ url: service.url, source: 'flag', loaded: false, sha256: sha['4.0.0'] });
  });

  it('gets 404 for a version the service does not have', async () => {
    expect(await client().getVersion('lead-scoring', '4.1.0')).toBeUndefined();
  });

  it('has the service refuse to load a version whose artifact differs from the expected sha256', async () => {
    await expect(ensureServed(client(), service.url, 'flag', 'lead-scoring', '4.1.0', 'a'.repeat(64))).rejects.toThrow(/answered 422 .*expects a{64}/);
    expect(await client().getVersion('lead-scoring', '4.1.0')).toBeUndefined();
  });

  it('loads a missing version through the admin route and reads back its sha256', async () => {
    const check = await ensureServed(client(), service.url, 'flag', 'lead-scoring', '4.1.0', sha['4.1.0']);
    expect(check).toMatchObject({ loaded: true, sha256: sha['4.1.0'] });
    expect((await client().getVersion('lead-scoring', '4.1.0'))?.sha256).toBe(sha['4.1.0']);
  });

  it('reports a wrong key as the service words it', async () => {
    const wrong = new ServiceClient({ baseUrl: service.url, apiKey: 'not-the-key-0000000000' });
    await expect(wrong.getVersion('lead-scoring', '4.0.0')).rejects.toThrow(/answered 401/);
  });

  it('cannot load without an admin key, and says which variable to set', async () => {
    const noAdmin = new ServiceClient({ baseUrl: service.url, apiKey: service.apiKey });
    await expect(ensureServed(noAdmin, service.url, 'flag', 'lead-scoring', '4.2.0', 'b'.repeat(64))).rejects.toThrow(/SCORING_ADMIN_KEY/);
  });
});
