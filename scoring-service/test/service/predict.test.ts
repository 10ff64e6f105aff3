jest.setTimeout(120_000);

import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Service } from '../../src/service/service';
import { auth, MODELS_DIR, rawPredict, startService } from './helpers';

interface GoldenRow {
  id: string;
  inputs: Record<string, unknown>;
  asOf: string;
  prediction: number;
}

const golden = (
  JSON.parse(readFileSync(path.join(MODELS_DIR, 'golden', 'gift-demand-2.1.0.json'), 'utf8')) as { rows: GoldenRow[] }
).rows;

describe('POST /predict (count models)', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startService();
  });
  afterAll(async () => {
    await service.close();
  });

  it("sums expected counts over each product's rows and gives the Poisson confidence of the sum", async () => {
    const rows = golden.slice(0, 40).map((r) => r.inputs);
    const asOf = golden[0].asOf;
    const res = await request(service.app).post('/predict').set(auth()).send({ rows, asOf }).expect(200);
    const served = service.deps.host.current.resolve('gift-demand', undefined).served;
    const features = served.pipeline.transform(
      rows.map((inputs, i) => ({ id: String(i), inputs })),
      { asOf },
    );
    const { scores } = await rawPredict('gift-demand', '2.1.0', features, rows.length);
    const expected = new Map<string, number>();
    rows.forEach((row, i) =>
      expected.set(row.product_id as string, (expected.get(row.product_id as string) ?? 0) + scores[i]),
    );

    expect(res.body.map((r: { product_id: string }) => r.product_id)).toEqual([...expected.keys()]);
    for (const item of res.body as { product_id: string; expected_qty: number; confidence_score: number }[]) {
      const q = expected.get(item.product_id)!;
      expect(item.expected_qty).toBeCloseTo(q, 5);
      const confidence = Math.min(0.95, Math.max(0.5, 1 - 1 / (1 + Math.sqrt(q))));
      expect(item.confidence_score).toBeCloseTo(confidence, 10);
    }
    expect(new Set(rows.map((r) => r.product_id)).size).toBeLessThan(rows.length); // some products do have several rows
  });

  it('matches the XGBoost reference predictions for single rows', async () => {
    const sample = golden
      .filter((r, i, all) => all.findIndex((o) => o.inputs.product_id === r.inputs.product_id) === i)
      .slice(0, 5);
    for (const row of sample) {
      const res = await request(service.app)
        .post('/predict')
        .set(auth())
        .send({ model: 'gift-demand', rows: [row.inputs], asOf: row.asOf })
        .expect(200);
      expect(res.body[0].expected_qty).toBeCloseTo(row.prediction, 5);
    }
  });

  it('refuses rows without product_id with 422 naming the row', async () => {
    const { product_id: _drop, ...inputs } = golden[0].inputs;
    const res = await request(service.app)
      .post('/predict')
      .set(auth())
      .send({ rows: [golden[1].inputs, inputs] })
      .expect(422);
    expect(res.body.errors).toEqual([{ path: 'rows[1].product_id', message: expect.stringContaining('product_id') }]);
  });

  it('refuses unknown inputs with 422 and a binary model with 400', async () => {
    const res = await request(service.app)
      .post('/predict')
      .set(auth())
      .send({ rows: [{ ...golden[0].inputs, shop_size: 3 }] })
      .expect(422);
    expect(res.body.errors[0].path).toBe('rows[0].shop_size');
    await request(service.app)
      .post('/predict')
      .set(auth())
      .send({ model: 'lead-scoring', rows: [{ product_id: 'x' }] })
      .expect(400);
    await request(service.app)
      .post('/predict')
      .set(auth())
      .send({ model: 'nope', rows: [{ product_id: 'x' }] })
      .expect(404);
  });
});
