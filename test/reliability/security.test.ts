/**
 * Security checks a reviewer would ask for, against the real service over real sockets:
 * every route but health refuses missing, wrong and non-admin keys (the route list comes from
 * the service's own /openapi.json, and every route express serves must be in it); keys are
 * compared in constant time; admin routes cannot load packages from outside MODELS_DIR;
 * responses carry hardened headers and no CORS; logs never carry input values or keys.
 */
jest.setTimeout(300_000);

import crypto from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import { KeyRing } from '../../scoring-service/src/service/http/auth';
import type { RawResponse } from './support/http';
import {
  ADMIN_KEY,
  CLIENT_KEY,
  copyModels,
  editRegistry,
  leads,
  listenService,
  LogCapture,
  MODELS_DIR,
  sampleLead,
  type Listening,
} from './support/service';

interface Route {
  method: 'get' | 'post';
  path: string;
  admin: boolean;
  public: boolean;
}

const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

/** Routes from the OpenAPI document: the security requirement says public, client or admin. */
function routesOf(doc: { paths: Record<string, Record<string, { security?: Record<string, unknown>[] }>> }): Route[] {
  return Object.entries(doc.paths).flatMap(([p, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method as 'get' | 'post',
      path: p,
      public: Array.isArray(op.security) && op.security.length === 0,
      admin: (op.security ?? []).some((s) => 'adminKey' in s),
    })),
  );
}

/**
 * Every route express will answer, as OpenAPI templates ("/v1/models/{model}"), read from the
 * app itself: a route mounted outside the declarations (routes.ts) would escape /openapi.json
 * and so every check below.
 */
function expressRoutes(app: Express): string[] {
  type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route)
        for (const m of Object.keys(layer.route.methods))
          out.push(`${m} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
      else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}

const concrete = (template: string) => template.replace('{model}', 'lead-scoring').replace('{version}', '4.1.0');

function expectProblem(res: RawResponse, status: number): void {
  expect({ status: res.status, type: res.headers['content-type'] }).toEqual({
    status,
    type: expect.stringMatching(/^application\/problem\+json/),
  });
  expect(res.json).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
}

describe('authentication and authorization on every route in /openapi.json', () => {
  let running: Listening;
  let routes: Route[];

  beforeAll(async () => {
    running = await listenService();
    const doc = await running.client.send({ method: 'GET', path: '/openapi.json', headers: bearer(CLIENT_KEY) });
    expect(doc.status).toBe(200);
    routes = routesOf(doc.json as Parameters<typeof routesOf>[0]);
  });
  afterAll(async () => {
    await running?.close();
  });

  const call = (route: Route, headers: Record<string, string>, extra: { path?: string; body?: unknown } = {}) =>
    running.client.send({
      method: route.method.toUpperCase(),
      path: extra.path ?? concrete(route.path),
      headers: route.method === 'post' ? { 'Content-Type': 'application/json', ...headers } : headers,
      body: route.method === 'post' ? (extra.body ?? {}) : undefined,
    });

  it('documents every route the app serves, only the two health routes as public, and the admin routes as admin', () => {
    const documented = new Set(routes.map((r) => `${r.method} ${r.path}`));
    const served = expressRoutes(running.service.app);
    expect(served.length).toBeGreaterThanOrEqual(15);
    expect(served.filter((r) => !documented.has(r))).toEqual([]);
    expect(
      routes
        .filter((r) => r.public)
        .map((r) => r.path)
        .sort(),
    ).toEqual(['/v2/health/live', '/v2/health/ready']);
    expect(routes.filter((r) => r.admin).length).toBeGreaterThanOrEqual(3);
  });

  it('refuses a missing key, wrong keys of any length, keys outside the header and other schemes on every non-health route', async () => {
    const wrongKeys = [
      'x',
      CLIENT_KEY.slice(0, -1),
      `${CLIENT_KEY}x`,
      `x${CLIENT_KEY}`,
      CLIENT_KEY.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')),
      CLIENT_KEY.toUpperCase(),
      'k'.repeat(4096),
      `${CLIENT_KEY},${CLIENT_KEY}`,
    ];
    const guarded = routes.filter((r) => !r.public);
    expect(guarded.length).toBeGreaterThanOrEqual(15);
    for (const route of guarded) {
      const missing = await call(route, {});
      expectProblem(missing, 401);
      expect(missing.headers['www-authenticate']).toContain('Bearer');
      for (const key of wrongKeys) expectProblem(await call(route, bearer(key)), 401);
      expectProblem(
        await call(route, { Authorization: `Basic ${Buffer.from(`api:${CLIENT_KEY}`).toString('base64')}` }),
        401,
      );
      expectProblem(await call(route, { Authorization: CLIENT_KEY }), 401);
      expectProblem(await call(route, { 'X-Api-Key': CLIENT_KEY }), 401);
      const inQuery = `${concrete(route.path)}?api_key=${CLIENT_KEY}&access_token=${CLIENT_KEY}`;
      expectProblem(await call(route, {}, { path: inQuery }), 401);
    }
  });

  it('refuses client keys on admin routes with 403, and lets the right key through on every route', async () => {
    for (const route of routes.filter((r) => r.admin)) {
      const res = await call(route, bearer(CLIENT_KEY));
      expectProblem(res, 403);
      expect((res.json as { detail: string }).detail).toContain('admin');
    }
    for (const route of routes.filter((r) => !r.public)) {
      // Retire is a real change: aim it at a version that is not served, so the auth layer is what is tested.
      const target = route.path.endsWith('/retire') ? { path: concrete(route.path).replace('4.1.0', '9.9.9') } : {};
      const res = await call(route, bearer(route.admin ? ADMIN_KEY : CLIENT_KEY), target);
      // Past the key check; what comes back is the route's own answer (200, or 404/409/422 for the targets used).
      expect([route.method, route.path, res.status === 401 || res.status === 403 || res.status >= 500]).toEqual([
        route.method,
        route.path,
        false,
      ]);
    }
  });

  it('checks the key before reading the body: an unauthenticated caller cannot make the service parse anything', async () => {
    const route = routes.find((r) => r.path === '/v1/models/{model}/score')!;
    expectProblem(await call(route, {}, { body: '{ not json' }), 401);
    expectProblem(await call(route, {}, { body: `{"records":[${'1,'.repeat(600_000)}1]}` }), 401); // 1.2 MB that would fail validation: 401, not 400
    expectProblem(await call(route, {}, { body: `{"__proto__":{"admin":true}}` }), 401);
  });

  it('keeps the two health routes open without a key', async () => {
    for (const route of routes.filter((r) => r.public)) {
      const res = await call(route, {});
      expect([route.path, res.status]).toEqual([route.path, 200]);
    }
  });
});

describe('key comparison', () => {
  afterEach(() => jest.restoreAllMocks());

  it("compares fixed-length digests with crypto.timingSafeEqual against every stored key, whatever the presented key's length", () => {
    const ring = new KeyRing(
      ['client-key-aaaaaaaaaaaa', 'client-key-second-cccccccccccc'],
      ['admin-key-bbbbbbbbbbbbb'],
    );
    const spy = jest.spyOn(crypto, 'timingSafeEqual');
    for (const presented of [
      '',
      'c',
      'client-key-aaaaaaaaaaab',
      'client-key-aaaaaaaaaaaa',
      'admin-key-bbbbbbbbbbbbb',
      'z'.repeat(10_000),
    ]) {
      spy.mockClear();
      ring.roleOf(presented);
      // No early exit on a match or a length difference: three stored keys, three comparisons...
      expect(spy).toHaveBeenCalledTimes(3);
      // ...each over two 32-byte SHA-256 digests, so neither content nor length shows in the timing.
      for (const [a, b] of spy.mock.calls) {
        expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
      }
    }
    expect(ring.roleOf('client-key-aaaaaaaaaaaa')).toBe('client');
    expect(ring.roleOf('client-key-second-cccccccccccc')).toBe('client');
    expect(ring.roleOf('admin-key-bbbbbbbbbbbbb')).toBe('admin');
    expect(ring.roleOf('client-key-aaaaaaaaaaa')).toBeUndefined();
  });
});

describe('admin routes stay inside MODELS_DIR', () => {
  let running: Listening;
  let models: ReturnType<typeof copyModels>;
  let outside: string;

  beforeAll(async () => {
    models = copyModels();
    // A perfectly valid package, but outside MODELS_DIR: it must never be served.
    outside = mkdtempSync(path.join(tmpdir(), 'outside-models-'));
    cpSync(path.join(MODELS_DIR, 'lead-scoring', '4.1.0'), path.join(outside, 'pkg'), { recursive: true });
    symlinkSync(path.join(outside, 'pkg'), path.join(models.dir, 'escape'));
    symlinkSync(path.join(outside, 'pkg'), path.join(models.dir, 'lead-scoring', '4.9.0'));
    mkdirSync(path.join(models.dir, 'nested'));
    symlinkSync(outside, path.join(models.dir, 'nested', 'up'));
    running = await listenService({ MODELS_DIR: models.dir });
  });
  afterAll(async () => {
    await running?.close();
    models?.cleanup();
    rmSync(outside, { recursive: true, force: true });
  });

  const load = (version: string, body: unknown, model = 'lead-scoring') =>
    running.client.send({
      path: `/v1/admin/models/${model}/versions/${version}/load`,
      headers: { ...bearer(ADMIN_KEY), 'Content-Type': 'application/json' },
      body,
    });

  it.each([
    ['a parent path', { path: '../../etc' }],
    ['a parent path inside a subfolder', { path: 'lead-scoring/../../etc' }],
    ['a Windows-style parent path', { path: 'lead-scoring\\..\\..\\etc' }],
    ['an absolute path to a real package outside', 'OUTSIDE'],
    ['an absolute system path', { path: '/etc' }],
    ['a symlink in MODELS_DIR that points outside', { path: 'escape' }],
    ['a path through a symlinked folder', { path: 'nested/up/pkg' }],
  ])('refuses %s', async (_what, body) => {
    const res = await load('4.3.0', body === 'OUTSIDE' ? { path: path.join(outside, 'pkg') } : body);
    expectProblem(res, 400);
    expect((res.json as { detail: string }).detail).toContain('MODELS_DIR');
  });

  it('refuses the default <model>/<version> folder when it is a symlink that leads outside', async () => {
    const res = await load('4.9.0', {});
    expectProblem(res, 400);
  });

  it('refuses traversal smuggled into the model and version in the URL', async () => {
    for (const [model, version] of [
      ['..%2F..%2Fetc', '1.0.0'],
      ['lead-scoring', '1.0.0%2F..%2F..'],
      ['%2E%2E', '4.1.0'],
      ['lead-scoring', '..'],
    ]) {
      const res = await load(version, {}, model);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });

  it('refuses, on reload, a registry entry whose path leads outside, and serves nothing from there', async () => {
    editRegistry(models.dir, (r) => {
      const entry = r.models['lead-scoring'].versions['4.1.0'];
      r.models['lead-scoring'].versions['4.7.0'] = { ...entry, status: 'staging', path: 'escape' };
      r.models['lead-scoring'].versions['4.8.0'] = { ...entry, status: 'staging', path: '../outside' };
    });
    const res = await running.client.send({ path: '/v1/admin/reload', headers: bearer(ADMIN_KEY) });
    expectProblem(res, 422);
    const refused = (res.json as { errors: { path: string }[] }).errors.map((e) => e.path).sort();
    expect(refused).toEqual(['lead-scoring/4.7.0', 'lead-scoring/4.8.0']);
    const list = await running.client.send({
      method: 'GET',
      path: '/v1/models/lead-scoring',
      headers: bearer(CLIENT_KEY),
    });
    expect((list.json as { versions: { version: string }[] }).versions.map((v) => v.version).sort()).toEqual([
      '4.0.0',
      '4.1.0',
    ]);
  });
});

describe('response headers', () => {
  let running: Listening;
  beforeAll(async () => {
    running = await listenService({ MAX_BODY_BYTES: '2048' });
  });
  afterAll(async () => {
    await running?.close();
  });

  it('are hardened on successes and on every kind of error, with no CORS and no server fingerprint', async () => {
    const json = { 'Content-Type': 'application/json', Origin: 'https://attacker.example' };
    const cases: [string, Promise<RawResponse>][] = [
      [
        'health',
        running.client.send({
          method: 'GET',
          path: '/v2/health/ready',
          headers: { Origin: 'https://attacker.example' },
        }),
      ],
      [
        'score 200',
        running.client.send({
          path: '/v1/models/lead-scoring/score',
          headers: { ...json, ...bearer(CLIENT_KEY) },
          body: { records: leads(1) },
        }),
      ],
      ['metrics', running.client.send({ method: 'GET', path: '/metrics', headers: bearer(CLIENT_KEY) })],
      ['401', running.client.send({ path: '/v1/models/lead-scoring/score', headers: json, body: {} })],
      ['403', running.client.send({ path: '/v1/admin/reload', headers: { ...json, ...bearer(CLIENT_KEY) }, body: {} })],
      ['404', running.client.send({ method: 'GET', path: '/nothing-here', headers: bearer(CLIENT_KEY) })],
      [
        '400',
        running.client.send({
          path: '/v1/models/lead-scoring/score',
          headers: { ...json, ...bearer(CLIENT_KEY) },
          body: '{"records":',
        }),
      ],
      [
        '413',
        running.client.send({
          path: '/v1/models/lead-scoring/score',
          headers: { ...json, ...bearer(CLIENT_KEY) },
          body: { records: leads(20) },
        }),
      ],
      [
        '415',
        running.client.send({
          path: '/v1/models/lead-scoring/score',
          headers: { ...bearer(CLIENT_KEY), 'Content-Type': 'text/plain' },
          body: 'x',
        }),
      ],
      [
        '422',
        running.client.send({
          path: '/v1/models/lead-scoring/score',
          headers: { ...json, ...bearer(CLIENT_KEY) },
          body: { records: [{ id: '1', inputs: { nope: 1 } }] },
        }),
      ],
      [
        'preflight',
        running.client.send({
          method: 'OPTIONS',
          path: '/v1/models/lead-scoring/score',
          headers: {
            Origin: 'https://attacker.example',
            'Access-Control-Request-Method': 'POST',
            'Access-Control-Request-Headers': 'authorization',
          },
        }),
      ],
    ];
    const statuses: Record<string, number> = {};
    for (const [name, pending] of cases) {
      const res = await pending;
      statuses[name] = res.status;
      const h = res.headers;
      expect({
        name,
        nosniff: h['x-content-type-options'],
        frame: h['x-frame-options'],
        cache: h['cache-control'],
        referrer: h['referrer-policy'],
        corp: h['cross-origin-resource-policy'],
      }).toEqual({
        name,
        nosniff: 'nosniff',
        frame: 'DENY',
        cache: 'no-store',
        referrer: 'no-referrer',
        corp: 'same-origin',
      });
      expect([name, h['content-security-policy']]).toEqual([name, expect.stringContaining("default-src 'none'")]);
      expect([name, h['content-security-policy']]).toEqual([name, expect.stringContaining("frame-ancestors 'none'")]);
      expect([name, h['strict-transport-security']]).toEqual([name, expect.stringContaining('max-age=')]);
      expect([
        name,
        h['x-powered-by'],
        h.server,
        h['access-control-allow-origin'],
        h['access-control-allow-credentials'],
      ]).toEqual([name, undefined, undefined, undefined, undefined]);
    }
    expect(statuses).toMatchObject({
      health: 200,
      'score 200': 200,
      metrics: 200,
      '401': 401,
      '403': 403,
      '404': 404,
      '400': 400,
      '413': 413,
      '415': 415,
      '422': 422,
    });
    expect(statuses.preflight).toBeGreaterThanOrEqual(400); // no preflight is ever granted
  });

  it('never echoes an unsafe request id', async () => {
    const res = await running.client.send({
      method: 'GET',
      path: '/v2/health/live',
      headers: { 'X-Request-Id': '<script>alert(1)</script>' },
    });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const ok = await running.client.send({
      method: 'GET',
      path: '/v2/health/live',
      headers: { 'X-Request-Id': 'sf-job-42.7' },
    });
    expect(ok.headers['x-request-id']).toBe('sf-job-42.7');
  });
});

describe('logs', () => {
  /** Values no log line may contain: they stand for a lead's personal data. */
  const SECRET = {
    id: '00QSENTINELID00042',
    industry: 'Sentinel-Industry-Quokka',
    source: 'Sentinel-Source-Вомбат-🦘',
    number: 987654.321,
    date: '1999-12-31',
    brand: 'Sentinel-Brand-Axolotl',
  };

  it('record request ids, routes, models and timings, and never an input value, record id or key (nor do refusals echo values)', async () => {
    const logs = new LogCapture();
    const refusals: string[] = [];
    const running = await listenService({}, { logs });
    try {
      const headers = { ...bearer(CLIENT_KEY), 'Content-Type': 'application/json' };
      const lead = sampleLead({
        industry: SECRET.industry,
        lead_source: SECRET.source,
        firm_aum_musd: SECRET.number,
        last_activity_date: SECRET.date,
      });
      const send = async (p: string, body: unknown, h: Record<string, string> = headers) => {
        const res = await running.client.send({ path: p, headers: h, body });
        if (res.status >= 400) refusals.push(res.text);
        return res;
      };
      const statuses = [
        (
          await send('/v1/models/lead-scoring/score', {
            explain: { all: true },
            shadow: ['4.0.0'],
            records: [{ id: SECRET.id, inputs: lead }],
          })
        ).status,
        (
          await send('/v1/models/lead-scoring/score', {
            canary: { percent: 50 },
            explain: { top: 3 },
            records: [{ id: SECRET.id, inputs: lead }, ...leads(3)],
          })
        ).status,
        // Refused inputs: a wrong type, an unknown input, a duplicate id, an invalid document.
        (
          await send('/v1/models/lead-scoring/score', {
            records: [{ id: SECRET.id, inputs: { ...lead, tenure_at_firm_months: SECRET.industry } }],
          })
        ).status,
        (
          await send('/v1/models/lead-scoring/score', {
            records: [{ id: SECRET.id, inputs: { [SECRET.brand]: SECRET.number } }],
          })
        ).status,
        (
          await send('/v1/models/lead-scoring/score', {
            records: [
              { id: SECRET.id, inputs: lead },
              { id: SECRET.id, inputs: lead },
            ],
          })
        ).status,
        (
          await send(
            '/v1/models/lead-scoring/score',
            `{"records":[{"id":"${SECRET.id}","inputs":{"industry":"${SECRET.industry}"`,
          )
        ).status,
        (
          await send(
            '/v1/models/lead-scoring/score',
            { records: [{ id: SECRET.id, inputs: lead }] },
            { ...headers, Authorization: `Bearer ${CLIENT_KEY}-wrong` },
          )
        ).status,
        (
          await send('/predict', {
            rows: [{ product_id: SECRET.id, product_brand: SECRET.brand, product_price: SECRET.number }],
          })
        ).status,
        (
          await send('/predict', {
            rows: [{ product_id: SECRET.id, product_brand: SECRET.brand, product_price: SECRET.industry }],
          })
        ).status,
        (
          await send('/v2/models/lead-scoring/infer', {
            id: SECRET.id,
            inputs: [
              {
                name: 'input',
                shape: [1, 41],
                datatype: 'FP32',
                data: Array.from({ length: 41 }, () => SECRET.number),
              },
            ],
          })
        ).status,
      ];
      expect(statuses).toEqual([200, 200, 422, 422, 400, 400, 401, 200, 422, 200]);
      // Refusals name the fields at fault, never the values sent in them.
      for (const value of [SECRET.industry, SECRET.source, String(SECRET.number), SECRET.date]) {
        expect([value, refusals.some((text) => text.includes(value))]).toEqual([value, false]);
      }
    } finally {
      await running.close();
    }
    const text = logs.lines.map((l) => JSON.stringify(l)).join('\n');
    // The capture works: one line per request, with what an operator needs.
    const requestLines = logs.lines.filter((l) => l.msg === 'request');
    expect(requestLines.length).toBeGreaterThanOrEqual(10);
    expect(requestLines[0]).toMatchObject({
      reqId: expect.any(String),
      route: '/v1/models/:model/score',
      status: 200,
      model: 'lead-scoring',
      version: '4.1.0',
      ms: expect.any(Number),
    });
    for (const value of [
      SECRET.id,
      SECRET.industry,
      SECRET.source,
      'Вомбат',
      String(SECRET.number),
      '987654',
      SECRET.date,
      SECRET.brand,
      CLIENT_KEY,
      ADMIN_KEY,
    ]) {
      expect([value, text.includes(value)]).toEqual([value, false]);
    }
  });
});
