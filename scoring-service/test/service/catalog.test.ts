jest.setTimeout(120_000);

import request from 'supertest';
import { scoreRequestSchema } from '../../src/service/http/schemas';
import type { Service } from '../../src/service/service';
import { auth, leads, readManifest, startService } from './helpers';

describe('model catalog, metrics and the OpenAPI document', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startService({ PSI_WINDOW: '500' });
  });
  afterAll(async () => {
    await service.close();
  });

  it('lists served models with versions, statuses, roles and signatures', async () => {
    const res = await request(service.app).get('/v1/models').set(auth()).expect(200);
    const names = res.body.models.map((m: { name: string }) => m.name);
    expect(names).toEqual(['gift-demand', 'lead-scoring']);
    const lead = res.body.models.find((m: { name: string }) => m.name === 'lead-scoring');
    expect(lead.champion).toBe('4.1.0');
    expect(lead.versions.map((v: { version: string }) => v.version)).toEqual(['4.1.0', '4.0.0']);
    const v410 = lead.versions[0];
    expect(v410).toMatchObject({
      status: expect.any(String),
      role: 'champion',
      task: 'binary-classification',
      columns: 41,
      explainer: 'tree-shap',
    });
    expect(v410.signature).toBe(readManifest('lead-scoring', '4.1.0').signature);
    await request(service.app).get('/v1/models/lead-scoring').set(auth()).expect(200);
  });

  it('returns one version with its manifest, by number or alias, and 404 for unknown ones', async () => {
    const res = await request(service.app).get('/v1/models/lead-scoring/versions/4.0.0').set(auth()).expect(200);
    expect(res.body.manifest.inputs).toHaveLength(23);
    expect(res.body.sha256).toBe(readManifest('lead-scoring', '4.0.0').sha256);
    const champion = await request(service.app)
      .get('/v1/models/lead-scoring/versions/champion')
      .set(auth())
      .expect(200);
    expect(champion.body.version).toBe('4.1.0');
    await request(service.app).get('/v1/models/lead-scoring/versions/3.0.0').set(auth()).expect(404);
    await request(service.app).get('/v1/models/nope/versions/1.0.0').set(auth()).expect(404);
  });

  it('exports request counts and latency by model and version, score distributions and PSI against the baseline', async () => {
    await request(service.app)
      .post('/v1/models/lead-scoring/score')
      .set(auth())
      .send({ records: leads(150) })
      .expect(200);
    await request(service.app)
      .post('/v1/models/nope/score')
      .set(auth())
      .send({ records: leads(1) })
      .expect(404);
    const res = await request(service.app).get('/metrics').set(auth()).expect(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.text;
    expect(text).toMatch(
      /scoring_http_requests_total\{method="POST",route="\/v1\/models\/:model\/score",model="lead-scoring",version="4.1.0",status="200"\} 1/,
    );
    expect(text).toMatch(
      /scoring_http_requests_total\{method="POST",route="\/v1\/models\/:model\/score",model="",version="",status="404"\} 1/,
    );
    expect(text).toMatch(
      /scoring_http_request_duration_seconds_count\{method="POST",route="\/v1\/models\/:model\/score",model="lead-scoring",version="4.1.0"\} 1/,
    );
    expect(text).toMatch(/scoring_scaled_score_count\{model="lead-scoring",version="4.1.0"\} 150/);
    expect(text).toMatch(
      /scoring_records_total\{model="lead-scoring",version="4.1.0",role="champion",explained="false"\} 150/,
    );
    const psi = /scoring_score_psi\{model="lead-scoring",version="4.1.0"\} ([0-9.e+-]+)/.exec(text);
    expect(psi).not.toBeNull();
    expect(Number(psi![1])).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/scoring_score_psi_sample_size\{model="lead-scoring",version="4.1.0"\} 150/);
  });

  it('serves an OpenAPI 3.1 document whose request schema is the one that validates requests', async () => {
    const res = await request(service.app).get('/openapi.json').set(auth()).expect(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/v1/models/{model}/score', '/predict', '/v2/models/{model}/infer', '/v1/admin/reload']),
    );
    const schema = res.body.components.schemas.ScoreRequest;
    expect(schema.required).toEqual(['records']);
    expect(schema.additionalProperties).toBe(false);
    expect(
      schema.properties.records.items.properties.inputs.additionalProperties.anyOf
        .map((s: { type: string }) => s.type)
        .sort(),
    ).toEqual(['boolean', 'null', 'number', 'string']);
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(scoreRequestSchema.shape).sort());
    expect(res.body.paths['/v2/health/live'].get.security).toEqual([]);
    expect(res.body.paths['/v1/admin/reload'].post.security).toEqual([{ adminKey: [] }]);
  });
});
