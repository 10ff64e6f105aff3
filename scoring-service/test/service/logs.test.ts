jest.setTimeout(120_000);

import request from 'supertest';
import type { Service } from '../../src/service/service';
import { auth, LogCapture, sampleLead, startService } from './helpers';

describe('request logs', () => {
  let service: Service;
  const logs = new LogCapture();
  beforeAll(async () => {
    service = await startService({}, { logs });
  });
  afterAll(async () => {
    await service.close();
  });

  it('carry the request id, route, model, version, record count and timings, and never an input value or key', async () => {
    const marker = 'Zebulon-Quartermaine';
    await request(service.app)
      .post('/v1/models/lead-scoring/score')
      .set(auth())
      .set('X-Request-Id', 'trace-123')
      .send({
        explain: { top: 3 },
        records: [{ id: '00QSECRET000001', inputs: sampleLead({ lead_source: marker, mobility_score: 98765.4321 }) }],
      })
      .expect(200);
    await request(service.app)
      .post('/v1/models/lead-scoring/score')
      .set(auth())
      .send({ records: [{ id: 'x', inputs: { tenure_at_firm_months: marker } }] })
      .expect(422);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const line = logs.lines.find((l) => l.reqId === 'trace-123' && l.msg === 'request')!;
    expect(line).toMatchObject({
      method: 'POST',
      route: '/v1/models/:model/score',
      status: 200,
      model: 'lead-scoring',
      version: '4.1.0',
      records: 1,
    });
    expect(line.timings).toEqual(expect.objectContaining({ features: expect.any(Number), pool: expect.any(Number) }));
    const text = logs.lines.map((l) => JSON.stringify(l)).join('\n');
    expect(text).not.toContain(marker);
    expect(text).not.toContain('98765');
    expect(text).not.toContain('00QSECRET');
    expect(text).not.toContain('test-client-key');
  });
});
