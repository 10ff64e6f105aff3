jest.setTimeout(180_000);

import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Service } from '../../src/service/service';
import type { ScoreRequest } from '../../src/service/http/schemas';
import { scoreRecords } from '../../src/service/usecases/score-records';
import { ADMIN_KEY, auth, copyModels, editManifest, editRegistry, leads, MODELS_DIR, startService } from './helpers';

const URL = '/v1/models/lead-scoring/score';
const scoresOf = (body: { results: { score: number }[] }) => body.results.map((r) => r.score);

describe('reloading the serving set', () => {
  let service: Service;
  let models: ReturnType<typeof copyModels>;
  const records = leads(10);

  beforeAll(async () => {
    models = copyModels();
    editRegistry(models.dir, (r) => {
      r.models['lead-scoring'].aliases = { champion: '4.1.0' };
    });
    service = await startService({ MODELS_DIR: models.dir });
  });
  afterAll(async () => {
    await service.close();
    models.cleanup();
  });

  const admin = (url: string, body: object = {}) => request(service.app).post(url).set(auth(ADMIN_KEY)).send(body);

  it('refuses a corrupted artifact with the reason, and the previous version keeps answering the same scores', async () => {
    const before = await request(service.app).post(URL).set(auth()).send({ records }).expect(200);
    const onnx = path.join(models.dir, 'lead-scoring', '4.1.0', 'model.onnx');
    const bytes = readFileSync(onnx);
    bytes[bytes.length - 100] ^= 0xff;
    writeFileSync(onnx, bytes);

    const res = await admin('/v1/admin/reload').expect(422);
    expect(res.body.errors).toEqual([
      {
        path: 'lead-scoring/4.1.0',
        message: expect.stringMatching(/model\.onnx has sha256 [0-9a-f]{64}, manifest\.json says/),
      },
    ]);
    expect(res.body.detail).toContain('keep serving their previous verified artifact');

    const after = await request(service.app).post(URL).set(auth()).send({ records }).expect(200);
    expect(after.body.version).toBe('4.1.0');
    expect(scoresOf(after.body)).toEqual(scoresOf(before.body));
    await request(service.app).get('/v2/health/ready').expect(200);
  });

  it('makes a good new version available without a restart', async () => {
    cpSync(
      path.join(MODELS_DIR, 'lead-scoring', '4.1.0', 'model.onnx'),
      path.join(models.dir, 'lead-scoring', '4.1.0', 'model.onnx'),
    );
    cpSync(path.join(models.dir, 'lead-scoring', '4.0.0'), path.join(models.dir, 'lead-scoring', '4.2.0'), {
      recursive: true,
    });
    editManifest(models.dir, 'lead-scoring', '4.2.0', (m) => {
      m.version = '4.2.0';
    });
    editRegistry(models.dir, (r) => {
      const v400 = r.models['lead-scoring'].versions['4.0.0'];
      r.models['lead-scoring'].versions['4.2.0'] = { ...v400, status: 'staging', path: 'lead-scoring/4.2.0' };
    });
    await request(service.app).post(URL).set(auth()).send({ version: '4.2.0', records }).expect(404);

    const res = await admin('/v1/admin/reload').expect(200);
    expect(res.body.refused).toEqual([]);
    expect(res.body.serving).toEqual(
      expect.arrayContaining([expect.objectContaining({ model: 'lead-scoring', version: '4.2.0', status: 'staging' })]),
    );

    const v420 = await request(service.app).post(URL).set(auth()).send({ version: '4.2.0', records }).expect(200);
    const v400 = await request(service.app).post(URL).set(auth()).send({ version: '4.0.0', records }).expect(200);
    expect(scoresOf(v420.body)).toEqual(scoresOf(v400.body)); // same artifact, new version number
    const challenger = await request(service.app)
      .post(URL)
      .set(auth())
      .send({ version: 'challenger', records })
      .expect(200);
    expect(challenger.body.version).toBe('4.2.0'); // the highest staging version
  });

  it('lets a request that started on the old set finish on it while its version is retired', async () => {
    const host = service.deps.host;
    const key = host.current.resolve('lead-scoring', '4.2.0').served.key;
    const response = await host.withSet(async (set) => {
      await host.retireVersion('lead-scoring', '4.2.0');
      expect(host.current.models.get('lead-scoring')!.versions.has('4.2.0')).toBe(false);
      const answer = await scoreRecords({ pool: service.deps.pool }, set, 'lead-scoring', {
        version: '4.2.0',
        records: records as ScoreRequest['records'],
        explain: { top: 3 },
      });
      return JSON.parse(answer.json) as { version: string; results: unknown[] };
    });
    expect(response.version).toBe('4.2.0');
    expect(response.results).toHaveLength(records.length);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(service.deps.pool.isLoaded(key)).toBe(false); // released once the old set drained
    await request(service.app).post(URL).set(auth()).send({ version: '4.2.0', records }).expect(404);
  });

  it('loads one version through the admin route, checking its sha256, and retires it', async () => {
    const sha = JSON.parse(readFileSync(path.join(models.dir, 'lead-scoring', '4.2.0', 'manifest.json'), 'utf8'))
      .sha256 as string;
    const wrong = await admin('/v1/admin/models/lead-scoring/versions/4.2.0/load', { sha256: '0'.repeat(64) }).expect(
      422,
    );
    expect(wrong.body.detail).toContain('sha256');
    await admin('/v1/admin/models/lead-scoring/versions/4.2.0/load', { sha256: sha }).expect(200);
    await request(service.app).post(URL).set(auth()).send({ version: '4.2.0', records }).expect(200);
    await admin('/v1/admin/models/lead-scoring/versions/4.2.0/retire').expect(200);
    await admin('/v1/admin/models/lead-scoring/versions/4.2.0/retire').expect(404);
  });

  it('refuses to retire the champion, and load paths outside MODELS_DIR', async () => {
    await admin('/v1/admin/models/lead-scoring/versions/4.1.0/retire').expect(409);
    const escape = await admin('/v1/admin/models/lead-scoring/versions/4.3.0/load', { path: '../../etc' }).expect(400);
    expect(escape.body.detail).toContain('MODELS_DIR');
    await admin('/v1/admin/models/lead-scoring/versions/4.3.0/load', { path: '/etc' }).expect(400);
    await admin('/v1/admin/models/lead-scoring/versions/4.3.0/load').expect(404);
    await admin('/v1/admin/models/Lead..Scoring/versions/4.3.0/load').expect(400);
  });

  it('keeps serving when the registry itself becomes unreadable', async () => {
    writeFileSync(path.join(models.dir, 'registry.json'), '{ not json');
    const res = await admin('/v1/admin/reload').expect(422);
    expect(res.body.detail).toContain('serving set is unchanged');
    await request(service.app).post(URL).set(auth()).send({ records }).expect(200);
  });
});

describe('starting without loadable models', () => {
  const records = leads(3);
  let service: Service;
  let empty: ReturnType<typeof copyModels>;

  beforeAll(async () => {
    empty = copyModels();
    rmSync(path.join(empty.dir, 'registry.json'));
    service = await startService({ MODELS_DIR: empty.dir });
  });
  afterAll(async () => {
    await service.close();
    empty.cleanup();
  });

  it('is live but not ready, says why, and answers model routes with 503', async () => {
    await request(service.app).get('/v2/health/live').expect(200);
    const ready = await request(service.app).get('/v2/health/ready').expect(503);
    expect(ready.body).toEqual({ ready: false, reason: expect.stringContaining('registry.json') });
    const res = await request(service.app).post(URL).set(auth()).send({ records }).expect(503);
    expect(res.body.detail).toContain('not ready');
    expect(res.headers['retry-after']).toBe('5');
  });

  it('becomes ready on reload once the registry is there, without a restart', async () => {
    cpSync(path.join(MODELS_DIR, 'registry.json'), path.join(empty.dir, 'registry.json'));
    await request(service.app).post('/v1/admin/reload').set(auth(ADMIN_KEY)).expect(200);
    await request(service.app).get('/v2/health/ready').expect(200, { ready: true });
    await request(service.app).post(URL).set(auth()).send({ records }).expect(200);
  });
});
