jest.setTimeout(120_000);

import request from 'supertest';
import type { ScoringRecord } from '../../src/features/pipeline';
import { present } from '../../src/manifest/outputs';
import type { ScoreRequest } from '../../src/service/http/schemas';
import type { Service } from '../../src/service/service';
import { canaryBucket } from '../../src/service/usecases/canary';
import { auth, copyModels, editManifest, editRegistry, leads, rawPredict, sampleLead, startService } from './helpers';

const URL = '/v1/models/lead-scoring/score';

describe('POST /v1/models/{model}/score', () => {
  let service: Service;
  let models: ReturnType<typeof copyModels>;

  beforeAll(async () => {
    models = copyModels();
    editRegistry(models.dir, (r) => {
      r.models['lead-scoring'].aliases = { champion: '4.1.0', challenger: '4.0.0' };
    });
    service = await startService({ MODELS_DIR: models.dir, MAX_RECORDS_PER_REQUEST: '300', MAX_BODY_BYTES: '400000' });
  });
  afterAll(async () => {
    await service.close();
    models.cleanup();
  });

  it('scores with the champion and returns the probability ONNX Runtime computes, with scaled score, decile and tier', async () => {
    const records = leads(20);
    const res = await request(service.app).post(URL).set(auth()).send({ records, asOf: '2026-11-25' }).expect(200);
    expect(res.body).toMatchObject({ model: 'lead-scoring', version: '4.1.0' });
    expect(res.body.signature).toMatch(/^[0-9a-f]{64}$/);
    const served = service.deps.host.current.resolve('lead-scoring', '4.1.0').served;
    const features = served.pipeline.transform(records, { asOf: '2026-11-25' });
    const { scores } = await rawPredict('lead-scoring', '4.1.0', features, records.length, models.dir);
    res.body.results.forEach((result: Record<string, unknown>, i: number) => {
      expect(result.id).toBe(records[i].id);
      expect(result.role).toBe('champion');
      expect(result.version).toBe('4.1.0');
      expect(result.score).toBeCloseTo(scores[i], 7);
      expect(Number.isInteger(result.scaled)).toBe(true);
      expect(result.decile).toBeGreaterThanOrEqual(1);
      expect(result.decile).toBeLessThanOrEqual(10);
      const decile = result.decile as number;
      expect(result.tier).toBe(decile >= 9 ? 'Hot' : decile >= 6 ? 'Warm' : 'Cold');
      expect(result.explanation).toBeUndefined();
    });
  });

  it('explains with the top-k reasons by magnitude, and all contributions add up to the margin of the score', async () => {
    const records = leads(6);
    const top = await request(service.app)
      .post(URL)
      .set(auth())
      .send({ records, explain: { top: 5 } })
      .expect(200);
    const all = await request(service.app)
      .post(URL)
      .set(auth())
      .send({ records, explain: { all: true } })
      .expect(200);
    for (let i = 0; i < records.length; i++) {
      const reasons = top.body.results[i].explanation.reasons as {
        contribution: number;
        direction: string;
        text: string;
      }[];
      expect(reasons).toHaveLength(5);
      const magnitudes = reasons.map((r) => Math.abs(r.contribution));
      expect([...magnitudes].sort((a, b) => b - a)).toEqual(magnitudes);
      for (const r of reasons) {
        expect(r.direction).toBe(r.contribution >= 0 ? 'raises' : 'lowers');
        expect(r.text.length).toBeGreaterThan(0);
      }
      const explanation = all.body.results[i].explanation;
      expect(explanation.unit).toBe('log-odds');
      const sum = (explanation.reasons as { contribution: number }[]).reduce(
        (s, r) => s + r.contribution,
        explanation.base,
      );
      const p = all.body.results[i].score as number;
      expect(sum).toBeCloseTo(explanation.margin, 6);
      expect(explanation.margin).toBeCloseTo(Math.log(p / (1 - p)), 4);
      expect(all.body.results[i].score).toBe(top.body.results[i].score);
    }
  });

  it('scores an explicit version with role explicit, and the challenger alias with role challenger', async () => {
    const records = leads(3);
    const explicit = await request(service.app).post(URL).set(auth()).send({ version: '4.0.0', records }).expect(200);
    expect(explicit.body.version).toBe('4.0.0');
    expect(explicit.body.results.map((r: { role: string }) => r.role)).toEqual(['explicit', 'explicit', 'explicit']);
    const challenger = await request(service.app)
      .post(URL)
      .set(auth())
      .send({ version: 'challenger', records })
      .expect(200);
    expect(challenger.body.version).toBe('4.0.0');
    expect(challenger.body.results[0].role).toBe('challenger');
    expect(challenger.body.results.map((r: { score: number }) => r.score)).toEqual(
      explicit.body.results.map((r: { score: number }) => r.score),
    );
  });

  it('scores shadow versions on the same records in the same call', async () => {
    const records = leads(4);
    const res = await request(service.app)
      .post(URL)
      .set(auth())
      .send({ records, shadow: ['4.0.0'], explain: { top: 2 } })
      .expect(200);
    const alone = await request(service.app).post(URL).set(auth()).send({ records, version: '4.0.0' }).expect(200);
    expect(res.body.version).toBe('4.1.0');
    expect(res.body.shadow).toHaveLength(1);
    expect(res.body.shadow[0]).toMatchObject({ version: '4.0.0', role: 'explicit' });
    expect(res.body.shadow[0].results.map((r: { id: string }) => r.id)).toEqual(records.map((r) => r.id));
    expect(res.body.shadow[0].results.map((r: { score: number }) => r.score)).toEqual(
      alone.body.results.map((r: { score: number }) => r.score),
    );
    expect(res.body.shadow[0].results[0].explanation.reasons).toHaveLength(2);
  });

  it('sends the JSON that JSON.stringify gives for the same response built as objects (explanations spliced as text)', async () => {
    const records = leads(150, 'text'); // more than SPLIT_ROWS: parts from both workers
    const body = {
      records,
      asOf: '2026-11-25',
      canary: { percent: 40 },
      shadow: ['4.0.0'],
      explain: { top: 3 },
    } as ScoreRequest;
    const res = await request(service.app).post(URL).set(auth()).send(body).expect(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');

    // The same response built as objects from the pieces directly: canary hash, pipeline, pool (explanations as objects), outputs.
    const set = service.deps.host.current;
    const knownInputs = set.model('lead-scoring').knownInputs;
    const run = async (version: string, role: string, subset: ScoringRecord[]) => {
      const { served } = set.resolve('lead-scoring', version);
      const features = served.pipeline.transform(subset, { asOf: body.asOf, ignoreInputs: knownInputs });
      const out = await service.deps.pool.run(served.key, features, subset.length, served.manifest.model.columns, {
        top: 3,
        asOf: body.asOf,
        inputs: subset.map((r) => r.inputs),
      });
      if (out.explanations?.format !== 'objects') throw new Error('the pool was asked for explanation objects');
      const explanations = out.explanations.rows;
      return subset.map((r, i) => ({
        id: r.id,
        version: served.version,
        role,
        score: out.scores[i],
        ...present(out.scores[i], served.manifest),
        explanation: explanations[i],
      }));
    };
    const all = records as ScoringRecord[];
    const toChallenger = all.filter((r) => canaryBucket(r.id) < 40);
    const toChampion = all.filter((r) => canaryBucket(r.id) >= 40);
    expect(toChallenger.length).toBeGreaterThan(0);
    const byId = new Map(
      [...(await run('4.1.0', 'champion', toChampion)), ...(await run('4.0.0', 'challenger', toChallenger))].map(
        (r) => [r.id, r],
      ),
    );
    const signature = (version: string) => set.resolve('lead-scoring', version).served.manifest.signature;
    const objects = {
      model: 'lead-scoring',
      version: '4.1.0',
      signature: signature('4.1.0'),
      results: all.map((r) => byId.get(r.id)!),
      shadow: [
        {
          version: '4.0.0',
          role: 'explicit',
          signature: signature('4.0.0'),
          results: await run('4.0.0', 'explicit', all),
        },
      ],
    };
    expect(objects.results[0].explanation.reasons).toHaveLength(3);
    expect(res.text).toBe(JSON.stringify(objects));
  });

  it('splits a canary by a stable hash of the record id, the same way on every call', async () => {
    const records = leads(60, 'canary');
    const first = await request(service.app)
      .post(URL)
      .set(auth())
      .send({ records, canary: { percent: 30 } })
      .expect(200);
    const second = await request(service.app)
      .post(URL)
      .set(auth())
      .send({ records: [...records].reverse(), canary: { percent: 30 } })
      .expect(200);
    const roleOf = (body: { results: { id: string; role: string; version: string }[] }) =>
      new Map(body.results.map((r) => [r.id, r]));
    const a = roleOf(first.body);
    const b = roleOf(second.body);
    for (const record of records) {
      const expected = canaryBucket(record.id) < 30 ? 'challenger' : 'champion';
      expect(a.get(record.id)!.role).toBe(expected);
      expect(a.get(record.id)!.version).toBe(expected === 'challenger' ? '4.0.0' : '4.1.0');
      expect(b.get(record.id)!.role).toBe(expected);
    }
    const roles = new Set(first.body.results.map((r: { role: string }) => r.role));
    expect(roles).toEqual(new Set(['champion', 'challenger']));
    const none = await request(service.app)
      .post(URL)
      .set(auth())
      .send({ records, canary: { percent: 0 } })
      .expect(200);
    expect(none.body.results.every((r: { role: string }) => r.role === 'champion')).toBe(true);
    const all = await request(service.app)
      .post(URL)
      .set(auth())
      .send({ records, canary: { percent: 100 } })
      .expect(200);
    expect(all.body.results.every((r: { role: string }) => r.role === 'challenger')).toBe(true);
  });

  it('scores a lead with every input missing, as missing values', async () => {
    const res = await request(service.app)
      .post(URL)
      .set(auth())
      .send({
        records: [
          { id: 'empty', inputs: {} },
          { id: 'nulls', inputs: { industry: null, tenure_at_firm_months: null } },
        ],
      })
      .expect(200);
    expect(res.body.results[0].score).toBeGreaterThan(0);
    expect(res.body.results[0].score).toBeLessThan(1);
  });

  it('accepts an input that only another served version of the model uses (one mapping for champion and challenger)', async () => {
    await request(service.app)
      .post(URL)
      .set(auth())
      .send({ records: [{ id: 'a', inputs: sampleLead({ industry_tenure_months: 40 }) }] })
      .expect(200);
  });

  it('refuses inputs no version of the model knows with 422 naming them', async () => {
    const res = await request(service.app)
      .post(URL)
      .set(auth())
      .send({
        records: [
          { id: 'a', inputs: sampleLead() },
          { id: 'b', inputs: sampleLead({ tenure_months: 3 }) },
        ],
      })
      .expect(422)
      .expect('Content-Type', /application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 422, title: 'Unprocessable input' });
    expect(res.body.errors).toEqual([
      { path: 'records[1].inputs.tenure_months', message: expect.stringContaining('tenure_months') },
    ]);
  });

  it('refuses wrong types with 422 naming the record and input, without echoing the value', async () => {
    const res = await request(service.app)
      .post(URL)
      .set(auth())
      .send({ records: [{ id: 'a', inputs: sampleLead({ tenure_at_firm_months: 'thirty-seven', has_phone: 'yes' }) }] })
      .expect(422);
    const paths = res.body.errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(['records[0].inputs.has_phone', 'records[0].inputs.tenure_at_firm_months']);
    expect(JSON.stringify(res.body)).not.toContain('thirty-seven');
  });

  it('answers 400 with field paths when the body does not match the schema', async () => {
    const res = await request(service.app)
      .post(URL)
      .set(auth())
      .send({ records: [{ id: 'a', inputs: { industry: { nested: true } } }], explain: { top: 0 } })
      .expect(400);
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['records[0].inputs.industry', 'explain.top']));
    await request(service.app).post(URL).set(auth()).send({ records: [] }).expect(400);
    await request(service.app)
      .post(URL)
      .set(auth())
      .send({ records: [{ id: 'x', inputs: {} }], extra: 1 })
      .expect(400);
  });

  it('refuses duplicate record ids and a canary combined with an explicit version', async () => {
    const dup = await request(service.app)
      .post(URL)
      .set(auth())
      .send({
        records: [
          { id: 'a', inputs: {} },
          { id: 'a', inputs: {} },
        ],
      })
      .expect(400);
    expect(dup.body.errors).toEqual([{ path: 'records[1].id', message: 'duplicate record id' }]);
    await request(service.app)
      .post(URL)
      .set(auth())
      .send({ version: '4.1.0', canary: { percent: 10 }, records: [{ id: 'a', inputs: {} }] })
      .expect(400);
  });

  it('answers 400 for a path that is not valid URL encoding', async () => {
    const res = await request(service.app)
      .post('/v1/models/%E0%A4%A/score')
      .set(auth())
      .send({ records: [{ id: 'a', inputs: {} }] })
      .expect(400)
      .expect('Content-Type', /application\/problem\+json/);
    expect(res.body.detail).toBe('The request path is not valid URL encoding.');
  });

  it('answers 404 for an unknown model, version or alias', async () => {
    const model = await request(service.app)
      .post('/v1/models/nope/score')
      .set(auth())
      .send({ records: [{ id: 'a', inputs: {} }] })
      .expect(404);
    expect(model.body.detail).toContain('nope');
    await request(service.app)
      .post(URL)
      .set(auth())
      .send({ version: '9.9.9', records: [{ id: 'a', inputs: {} }] })
      .expect(404);
    await request(service.app)
      .post('/v1/models/gift-demand/score')
      .set(auth())
      .send({ version: 'challenger', records: [{ id: 'a', inputs: {} }] })
      .expect(404);
  });

  it('answers 413 above the record limit and above the body size limit', async () => {
    const tooMany = await request(service.app)
      .post(URL)
      .set(auth())
      .send({ records: leads(301) })
      .expect(413);
    expect(tooMany.body.detail).toContain('300');
    const big = 'x'.repeat(500_000);
    await request(service.app)
      .post(URL)
      .set(auth())
      .set('Content-Type', 'application/json')
      .send(`{"records":[{"id":"a","inputs":{"industry":"${big}"}}]}`)
      .expect(413);
  });

  it('answers 400 for malformed JSON, 415 for a body that is not JSON, 400 for a __proto__ key', async () => {
    const bad = await request(service.app)
      .post(URL)
      .set(auth())
      .set('Content-Type', 'application/json')
      .send('{"records": [')
      .expect(400);
    expect(bad.body.detail).toBe('The request body is not valid JSON.');
    await request(service.app).post(URL).set(auth()).set('Content-Type', 'text/plain').send('records').expect(415);
    const proto = await request(service.app)
      .post(URL)
      .set(auth())
      .set('Content-Type', 'application/json')
      .send('{"records":[{"id":"a","inputs":{"x":1}},{"id":"b","inputs":{"__proto__":{"polluted":true}}}]}')
      .expect(400);
    expect(proto.body.errors).toEqual([{ path: 'records.inputs', message: '__proto__ is not allowed' }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const deep = await request(service.app)
      .post(URL)
      .set(auth())
      .set('Content-Type', 'application/json')
      .send(`{"records":[{"id":"a","inputs":{"x":${'['.repeat(40)}${']'.repeat(40)}}}]}`)
      .expect(400);
    expect(deep.body.detail).toBe('The request body is nested deeper than 32 levels.');
  });
});

describe('strict and required inputs', () => {
  let service: Service;
  let models: ReturnType<typeof copyModels>;

  beforeAll(async () => {
    models = copyModels();
    editManifest(models.dir, 'lead-scoring', '4.1.0', (m) => {
      const industry = m.inputs.find((i) => i.name === 'industry')!;
      industry.strict = true;
      m.inputs.find((i) => i.name === 'lead_source')!.required = true;
    });
    editRegistry(models.dir, (r) => {
      delete r.models['lead-scoring'].versions['4.0.0'];
      r.models['lead-scoring'].aliases = { champion: '4.1.0' };
    });
    service = await startService({ MODELS_DIR: models.dir });
  });
  afterAll(async () => {
    await service.close();
    models.cleanup();
  });

  it("refuses a value outside a strict input's allowed set with 422, and accepts allowed values", async () => {
    await request(service.app)
      .post(URL)
      .set(auth())
      .send({ records: [{ id: 'a', inputs: sampleLead() }] })
      .expect(200);
    const res = await request(service.app)
      .post(URL)
      .set(auth())
      .send({ records: [{ id: 'a', inputs: sampleLead({ industry: 'Fintech' }) }] })
      .expect(422);
    expect(res.body.errors[0].path).toBe('records[0].inputs.industry');
    expect(res.body.errors[0].message).toContain('allowed');
    expect(JSON.stringify(res.body)).not.toContain('Fintech');
  });

  it('refuses a record missing a required input with 422', async () => {
    const inputs = sampleLead();
    delete inputs.lead_source;
    const res = await request(service.app)
      .post(URL)
      .set(auth())
      .send({ records: [{ id: 'a', inputs }] })
      .expect(422);
    expect(res.body.errors).toEqual([
      { path: 'records[0].inputs.lead_source', message: expect.stringContaining('required') },
    ]);
  });
});
