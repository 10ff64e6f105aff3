/**
 * A scoring service over real HTTP on loopback, reduced to the routes the CLI calls:
 * GET /v1/models/{m}/versions/{v} and the admin load route, with key checks, each answer with
 * its Serving-Set header.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeService = {
  url: string;
  /** "model@version" -> sha256 of what the service serves. */
  served: Map<string, string>;
  /** "model@version" -> sha256 the service finds on disk when asked to load it. */
  loadable: Map<string, string>;
  calls: { method: string; path: string; auth?: string }[];
  /** When set, answers name these serving sets in turn, as replicas behind a balancer that disagree would. */
  replicaDigests?: string[];
  close(): Promise<void>;
};

export const API_KEY = 'test-api-key';
export const ADMIN_KEY = 'test-admin-key';

export async function startFakeService(): Promise<FakeService> {
  const served = new Map<string, string>();
  const loadable = new Map<string, string>();
  const calls: FakeService['calls'] = [];
  const fake = { served, loadable, calls } as FakeService;
  const problem = (res: http.ServerResponse, status: number, detail: string): void => {
    res.writeHead(status, { 'content-type': 'application/problem+json' });
    res.end(JSON.stringify({ type: 'about:blank', title: http.STATUS_CODES[status], status, detail }));
  };
  const server = http.createServer((req, res) => {
    // Like the real service, every answer names its serving set; this stand-in is one replica, so one set.
    const lines = [...served].map(([key, sha]) => `${key}:${sha}`).sort();
    const rotate = fake.replicaDigests;
    res.setHeader('Serving-Set', rotate?.length ? rotate[calls.length % rotate.length] : createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16));
    const path = req.url ?? '';
    calls.push({ method: req.method ?? 'GET', path, auth: req.headers.authorization });
    let m = /^\/v1\/models\/([^/]+)\/versions\/([^/]+)$/.exec(path);
    if (m && req.method === 'GET') {
      if (req.headers.authorization !== `Bearer ${API_KEY}`) return problem(res, 401, 'missing or wrong key');
      const sha = served.get(`${m[1]}@${m[2]}`);
      if (!sha) return problem(res, 404, `no version ${m[2]} of ${m[1]}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ name: m[1], version: m[2], sha256: sha, status: 'ready' }));
    }
    m = /^\/v1\/admin\/models\/([^/]+)\/versions\/([^/]+)\/load$/.exec(path);
    if (m && req.method === 'POST') {
      if (req.headers.authorization !== `Bearer ${ADMIN_KEY}`) return problem(res, 403, 'admin key required');
      const sha = loadable.get(`${m[1]}@${m[2]}`);
      if (!sha) return problem(res, 404, `${m[1]}/${m[2]} is not in the models directory`);
      const key = `${m[1]}@${m[2]}`;
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const expected = (JSON.parse(body || '{}') as { sha256?: string }).sha256;
        if (expected && expected !== sha) return problem(res, 422, `model.onnx has sha256 ${sha}, the request expects ${expected}.`);
        served.set(key, sha);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ loaded: [key], refused: [] }));
      });
      return;
    }
    problem(res, 404, 'no route');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
  return fake;
}
