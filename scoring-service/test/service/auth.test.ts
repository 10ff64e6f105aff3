jest.setTimeout(120_000);

import request from 'supertest';
import { KeyRing } from '../../src/service/http/auth';
import { routes } from '../../src/service/http/routes';
import type { Service } from '../../src/service/service';
import { ADMIN_KEY, auth, CLIENT_KEY, startService } from './helpers';

/** A concrete URL for a declared route template. */
const concrete = (template: string) => template.replace('{model}', 'lead-scoring').replace('{version}', '4.1.0');

describe('authentication on every route', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startService();
  });
  afterAll(async () => {
    await service.close();
  });

  // The declarations are what the app mounts and /openapi.json documents, so this walks every route there is.
  const guarded = routes.filter((r) => r.access !== 'public');

  it('declares only the two health routes public, and the admin routes admin', () => {
    expect(routes.filter((r) => r.access === 'public').map((r) => r.path)).toEqual([
      '/v2/health/live',
      '/v2/health/ready',
    ]);
    expect(guarded.length).toBeGreaterThanOrEqual(15);
    expect(routes.filter((r) => r.access === 'admin').map((r) => r.path)).toEqual([
      '/v1/admin/reload',
      '/v1/admin/models/{model}/versions/{version}/load',
      '/v1/admin/models/{model}/versions/{version}/retire',
      '/v1/admin/models/{model}/rollout',
    ]);
  });

  it.each(guarded.map((r) => [r.method.toUpperCase(), r.path, r] as const))(
    '%s %s refuses a missing or wrong key with 401 problem+json',
    async (_m, _p, route) => {
      const url = concrete(route.path);
      const call = () =>
        route.method === 'get' ? request(service.app).get(url) : request(service.app)[route.method](url).send({});
      const missing = await call()
        .expect(401)
        .expect('Content-Type', /application\/problem\+json/);
      expect(missing.headers['www-authenticate']).toContain('Bearer');
      expect(missing.body).toMatchObject({
        status: 401,
        title: 'Unauthorized',
        type: expect.any(String),
        detail: expect.any(String),
      });
      await call().set('Authorization', `Bearer ${CLIENT_KEY}x`).expect(401);
      await call()
        .set('Authorization', `Basic ${Buffer.from(`user:${CLIENT_KEY}`).toString('base64')}`)
        .expect(401);
    },
  );

  it.each(guarded.filter((r) => r.access === 'admin').map((r) => [r.path, r] as const))(
    '%s refuses a client key with 403',
    async (_p, route) => {
      const agent = request(service.app);
      const res = await agent[route.method](concrete(route.path)).set(auth(CLIENT_KEY)).send({}).expect(403);
      expect(res.body.detail).toContain('admin');
    },
  );

  it('lets an admin key use client routes, and a client key the client routes', async () => {
    await request(service.app).get('/v1/models').set(auth(ADMIN_KEY)).expect(200);
    await request(service.app).get('/v1/models').set(auth(CLIENT_KEY)).expect(200);
  });

  it('keeps health routes open and sends hardened headers without CORS', async () => {
    const res = await request(service.app).get('/v2/health/ready').set('Origin', 'https://evil.example').expect(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes with 404 problem+json once authenticated', async () => {
    const res = await request(service.app).get('/v1/nothing').set(auth()).expect(404);
    expect(res.body.status).toBe(404);
  });
});

describe('KeyRing', () => {
  it('grants the role of the matching key, and nothing to keys that differ in content or length', () => {
    const ring = new KeyRing(['client-key-aaaaaaaaaaaa'], ['admin-key-bbbbbbbbbbbbb']);
    expect(ring.roleOf('client-key-aaaaaaaaaaaa')).toBe('client');
    expect(ring.roleOf('admin-key-bbbbbbbbbbbbb')).toBe('admin');
    expect(ring.roleOf('client-key-aaaaaaaaaaab')).toBeUndefined();
    expect(ring.roleOf('client-key-aaaaaaaaaaaa ')).toBeUndefined();
    expect(ring.roleOf('')).toBeUndefined();
  });
});
