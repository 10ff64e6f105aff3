/**
 * The Serving-Set header: every answer names the serving set that produced it, its value is the
 * documented digest (recomputed here from the package files, not by the service's function), it
 * changes with a reload, and an answer never pairs one set's header with another set's body.
 */
import { createHash } from 'node:crypto';
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Registry } from '../../src/manifest/schema';
import type { Service } from '../../src/service/service';
import { ADMIN_KEY, auth, copyModels, editManifest, editRegistry, leads, startService } from './helpers';

const SCORE = '/v1/models/lead-scoring/score';

/** The digest as docs/service.md defines it, from registry.json and each package's manifest.json. */
function expectedDigest(dir: string): string {
  const registry = JSON.parse(readFileSync(path.join(dir, 'registry.json'), 'utf8')) as Registry;
  const lines: string[] = [];
  for (const [name, model] of Object.entries(registry.models)) {
    for (const [version, entry] of Object.entries(model.versions)) {
      if (entry.status === 'archived') continue;
      const manifest = JSON.parse(readFileSync(path.join(dir, entry.path, 'manifest.json'), 'utf8')) as {
        sha256: string;
        signature: string;
      };
      lines.push(`${name}@${version}:${manifest.sha256}:${manifest.signature}`);
    }
    if (model.aliases?.champion) lines.push(`${name}:champion=${model.aliases.champion}`);
    if (model.aliases?.challenger) lines.push(`${name}:challenger=${model.aliases.challenger}`);
  }
  return createHash('sha256').update(lines.sort().join('\n')).digest('hex').slice(0, 16);
}

describe('the Serving-Set header', () => {
  let service: Service;
  let models: ReturnType<typeof copyModels>;
  const records = leads(5);
  const admin = (url: string) => request(service.app).post(url).set(auth(ADMIN_KEY)).send({});

  beforeAll(async () => {
    models = copyModels();
    // Every model names its aliases, so the expected digest needs no rule of its own for picking them.
    editRegistry(models.dir, (r) => {
      r.models['lead-scoring'].aliases = { champion: '4.1.0', challenger: '4.0.0' };
      r.models['gift-demand'].aliases = { champion: '2.1.0' };
    });
    service = await startService({ MODELS_DIR: models.dir });
  });
  afterAll(async () => {
    await service.close();
    models.cleanup();
  });

  it('is the documented digest of the served versions and aliases, on every kind of answer', async () => {
    const digest = expectedDigest(models.dir);
    const answers = await Promise.all([
      request(service.app).get('/v2/health/live').expect(200),
      request(service.app).get('/v2/health/ready').expect(200),
      request(service.app).get('/v1/models').set(auth()).expect(200),
      request(service.app).post(SCORE).set(auth()).send({ records }).expect(200),
      request(service.app).post(SCORE).set(auth()).send({ records: 'not a list' }).expect(400),
      request(service.app).post(SCORE).send({ records }).expect(401),
      request(service.app).get('/v1/models/no-such-model').set(auth()).expect(404),
      request(service.app).get('/no/such/route').set(auth()).expect(404),
      request(service.app).get('/v2/models/lead-scoring').set(auth()).expect(200),
    ]);
    for (const res of answers) expect(res.headers['serving-set']).toBe(digest);
  });

  it('is shown by GET /v1/models, which is what the CLI and operators compare', async () => {
    const res = await request(service.app).get('/v1/models').set(auth()).expect(200);
    expect(res.body.servingSet).toBe(res.headers['serving-set']);
    expect(res.body.servingSet).toMatch(/^[0-9a-f]{16}$/);
  });

  it('is described on every response of /openapi.json', async () => {
    const res = await request(service.app).get('/openapi.json').set(auth()).expect(200);
    expect(res.body.components.headers.ServingSet.schema.pattern).toBe('^[0-9a-f]{16}$');
    type Operation = { responses: Record<string, { headers?: Record<string, unknown> }> };
    for (const [route, methods] of Object.entries(res.body.paths as Record<string, Record<string, Operation>>))
      for (const [method, op] of Object.entries(methods))
        for (const [status, response] of Object.entries(op.responses))
          expect([route, method, status, response.headers?.['Serving-Set']]).toEqual([
            route,
            method,
            status,
            { $ref: '#/components/headers/ServingSet' },
          ]);
  });

  it('changes with a reload, and the reload answer names the new set', async () => {
    const before = (await request(service.app).get('/v1/models').set(auth())).headers['serving-set'];
    cpSync(path.join(models.dir, 'lead-scoring', '4.1.0'), path.join(models.dir, 'lead-scoring', '4.2.0'), {
      recursive: true,
    });
    editManifest(models.dir, 'lead-scoring', '4.2.0', (m) => {
      m.version = '4.2.0';
    });
    editRegistry(models.dir, (r) => {
      const v410 = r.models['lead-scoring'].versions['4.1.0'];
      r.models['lead-scoring'].versions['4.2.0'] = { ...v410, path: 'lead-scoring/4.2.0' };
      r.models['lead-scoring'].aliases = { champion: '4.2.0', challenger: '4.1.0' };
    });
    const reload = await admin('/v1/admin/reload').expect(200);
    const after = expectedDigest(models.dir);
    expect(after).not.toBe(before);
    expect(reload.headers['serving-set']).toBe(after);
    expect(reload.body.servingSet).toBe(after);
    const scored = await request(service.app).post(SCORE).set(auth()).send({ records }).expect(200);
    expect([scored.headers['serving-set'], scored.body.version]).toEqual([after, '4.2.0']);
  });

  it('never pairs one set with another set answer while reloads flip the champion', async () => {
    const setChampion = (champion: string, challenger: string) =>
      editRegistry(models.dir, (r) => {
        r.models['lead-scoring'].aliases = { champion, challenger };
      });
    // Each set's digest and the champion its answers must carry, worked out before any reload.
    setChampion('4.1.0', '4.2.0');
    const with410 = expectedDigest(models.dir);
    setChampion('4.2.0', '4.1.0');
    const with420 = expectedDigest(models.dir);
    const championOf = new Map([
      [with410, '4.1.0'],
      [with420, '4.2.0'],
    ]);
    const batch = leads(200);
    // Four reloads flip the champion while scoring calls keep running, four at a time.
    let flipping = true;
    const flips = (async () => {
      for (let i = 0; i < 4; i++) {
        if (i % 2 === 0) setChampion('4.1.0', '4.2.0');
        else setChampion('4.2.0', '4.1.0');
        await admin('/v1/admin/reload').expect(200);
      }
      flipping = false;
    })();
    const answers: request.Response[] = [];
    const caller = async () => {
      while (flipping) answers.push(await request(service.app).post(SCORE).set(auth()).send({ records: batch }));
    };
    await Promise.all([flips, caller(), caller(), caller(), caller()]);
    expect(answers.length).toBeGreaterThan(4);
    const pairs = answers.map((res) => [res.status, res.headers['serving-set'], res.body.version]);
    for (const [status, digest, version] of pairs) expect([status, version]).toEqual([200, championOf.get(digest)]);
  });

  it('lets go of a set once the answers pinned to it are sent, so a retired version is released', async () => {
    const key = service.deps.host.current.resolve('lead-scoring', '4.0.0').served.key;
    await request(service.app).post(SCORE).set(auth()).send({ version: '4.0.0', records }).expect(200);
    const retired = await admin('/v1/admin/models/lead-scoring/versions/4.0.0/retire').expect(200);
    expect(retired.headers['serving-set']).toBe(retired.body.servingSet);
    for (let i = 0; i < 50 && service.deps.pool.isLoaded(key); i++) await new Promise((r) => setTimeout(r, 100));
    expect(service.deps.pool.isLoaded(key)).toBe(false);
  });
});
