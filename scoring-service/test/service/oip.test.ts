jest.setTimeout(120_000);

import request from 'supertest';
import type { Service } from '../../src/service/service';
import { auth, leads, rawPredict, startService } from './helpers';

describe('Open Inference Protocol v2', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startService();
  });
  afterAll(async () => {
    await service.close();
  });

  it('answers liveness and readiness without a key', async () => {
    await request(service.app).get('/v2/health/live').expect(200, { live: true });
    await request(service.app).get('/v2/health/ready').expect(200, { ready: true });
  });

  it('describes a model: versions, platform, input and output tensors', async () => {
    const res = await request(service.app).get('/v2/models/lead-scoring/versions/4.1.0').set(auth()).expect(200);
    expect(res.body).toEqual({
      name: 'lead-scoring',
      versions: ['4.1.0', '4.0.0'],
      platform: 'onnx_onnxv1',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 41] }],
      outputs: expect.arrayContaining([{ name: 'probabilities', datatype: 'FP32', shape: [-1, 2] }]),
    });
    const champion = await request(service.app).get('/v2/models/lead-scoring').set(auth()).expect(200);
    expect(champion.body.name).toBe('lead-scoring');
    await request(service.app)
      .get('/v2/models/lead-scoring/ready')
      .set(auth())
      .expect(200, { name: 'lead-scoring', version: '4.1.0', ready: true });
    await request(service.app)
      .get('/v2/models/lead-scoring/versions/4.0.0/ready')
      .set(auth())
      .expect(200, { name: 'lead-scoring', version: '4.0.0', ready: true });
    await request(service.app).get('/v2').set(auth()).expect(200);
  });

  it('infers on raw tensors and returns exactly what ONNX Runtime returns', async () => {
    const records = leads(8);
    const served = service.deps.host.current.resolve('lead-scoring', '4.1.0').served;
    const features = served.pipeline.transform(records, { asOf: '2026-11-25' });
    const rows: (number | null)[][] = [];
    for (let r = 0; r < records.length; r++)
      rows.push(Array.from(features.subarray(r * 41, (r + 1) * 41), (v) => (Number.isNaN(v) ? null : v)));
    const res = await request(service.app)
      .post('/v2/models/lead-scoring/versions/4.1.0/infer')
      .set(auth())
      .send({ id: 'req-1', inputs: [{ name: 'input', shape: [8, 41], datatype: 'FP32', data: rows }] })
      .expect(200);
    const { outputs } = await rawPredict('lead-scoring', '4.1.0', features, 8);
    expect(res.body.model_name).toBe('lead-scoring');
    expect(res.body.model_version).toBe('4.1.0');
    expect(res.body.id).toBe('req-1');
    for (const out of res.body.outputs as { name: string; datatype: string; shape: number[]; data: number[] }[]) {
      const raw = outputs[out.name];
      expect(out.shape).toEqual(raw.dims);
      expect(out.data).toEqual(raw.data);
    }
    expect(res.body.outputs.map((o: { name: string }) => o.name).sort()).toEqual(Object.keys(outputs).sort());
    const flat = await request(service.app)
      .post('/v2/models/lead-scoring/infer')
      .set(auth())
      .send({
        inputs: [{ name: 'input', shape: [8, 41], datatype: 'FP32', data: rows.flat() }],
        outputs: [{ name: 'probabilities' }],
      })
      .expect(200);
    expect(flat.body.outputs).toHaveLength(1);
    expect(flat.body.outputs[0].data).toEqual(outputs.probabilities.data);
  });

  it('refuses tensors that do not fit the model with 400, and unknown models with 404, as problem+json with error', async () => {
    const bad = await request(service.app)
      .post('/v2/models/lead-scoring/infer')
      .set(auth())
      .send({ inputs: [{ name: 'input', shape: [1, 40], datatype: 'FP32', data: new Array(40).fill(0) }] })
      .expect(400)
      .expect('Content-Type', /application\/problem\+json/);
    expect(bad.body.error).toContain('shape');
    expect(bad.body.errors[0].path).toBe('inputs[0].shape');
    const count = await request(service.app)
      .post('/v2/models/lead-scoring/infer')
      .set(auth())
      .send({ inputs: [{ name: 'input', shape: [2, 41], datatype: 'FP32', data: new Array(41).fill(0) }] })
      .expect(400);
    expect(count.body.errors[0].path).toBe('inputs[0].data');
    await request(service.app)
      .post('/v2/models/lead-scoring/infer')
      .set(auth())
      .send({ inputs: [{ name: 'features', shape: [1, 41], datatype: 'FP32', data: new Array(41).fill(0) }] })
      .expect(400);
    await request(service.app)
      .post('/v2/models/lead-scoring/infer')
      .set(auth())
      .send({ inputs: [{ name: 'input', shape: [1, 41], datatype: 'INT64', data: new Array(41).fill(0) }] })
      .expect(400);
    const missing = await request(service.app).get('/v2/models/nope').set(auth()).expect(404);
    expect(missing.body.error).toBe(missing.body.detail);
    await request(service.app).get('/v2/models/lead-scoring/versions/1.0.0/ready').set(auth()).expect(404);
  });
});
