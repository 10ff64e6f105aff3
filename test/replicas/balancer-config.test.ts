/**
 * The balancer configuration of docs/operations.md replays a stopping replica's 503 even when the
 * request body reaches HAProxy in more than one read. A real HAProxy (haproxy.ts) sits in front of
 * two replicas:
 * - the real service, which scores;
 * - a stand-in for a replica that got SIGTERM. It answers as the service's availability check does
 *   (service/http/app.ts): 503 "shutting down" with `Connection: close`, as soon as the headers
 *   are in, before any body is read. That is not a race against health checks: it keeps answering so
 *   while its readiness route stays 200.
 * The client sends each 200-lead call in two writes 50 ms apart, as a slow or distant client does.
 * HAProxy keeps a request for replay only if it was complete when it first went out (its send path
 * clears TX_L7_RETRY while `msg_state != HTTP_MSG_DONE`), so this holds only with
 * `option http-buffer-request`. Without it, every call routed to the stand-in came back 503.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLIENT_KEY, freePort, leads, listenService, type Listening } from '../reliability/support/service';
import { startHaproxy, type Balancer } from './haproxy';

jest.setTimeout(60_000);

function post(port: number, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/models/lead-scoring/score',
        headers: {
          Authorization: `Bearer ${CLIENT_KEY}`,
          'Content-Type': 'application/json',
          'Content-Length': body.length,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.write(body.subarray(0, body.length >> 1));
    setTimeout(() => req.end(body.subarray(body.length >> 1)), 50);
  });
}

describe('HAProxy with the recommended configuration', () => {
  let real: Listening;
  let stopping: Server;
  let balancer: Balancer;
  let port: number;
  const dir = mkdtempSync(path.join(tmpdir(), 'balancer-'));
  const serversUp = async () =>
    (await balancer.stats())
      .filter((row) => row.pxname === 'replicas' && !['BACKEND', 'FRONTEND'].includes(row.svname))
      .filter((row) => row.status === 'UP')
      .map((row) => row.svname);

  beforeAll(async () => {
    real = await listenService();
    stopping = createServer((req, res) => {
      if (req.method === 'GET') {
        res.end('{"ready":true}');
        return;
      }
      res.writeHead(503, { 'Content-Type': 'application/problem+json', Connection: 'close' });
      res.end('{"status":503,"detail":"The service is shutting down; retry on another replica."}');
    });
    await new Promise<void>((resolve) => stopping.listen(0, '127.0.0.1', resolve));
    port = await freePort();
    balancer = await startHaproxy(dir, port, [
      { name: 'stopping', port: (stopping.address() as AddressInfo).port },
      { name: 'real', port: Number(new URL(real.url).port) },
    ]);
    // Both servers up in HAProxy's health checks (rise 2 at 500 ms).
    for (let i = 0; i < 100 && (await serversUp()).length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  afterAll(async () => {
    await balancer?.stop();
    await new Promise<void>((resolve) => stopping?.close(() => resolve()));
    await real?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replays on the other replica a 503 sent before the body had fully arrived', async () => {
    expect((await serversUp()).sort()).toEqual(['real', 'stopping']);
    const body = Buffer.from(JSON.stringify({ records: leads(200, 'slow') }));
    const answers = [];
    // Round robin: half of these reach the stopping stand-in first.
    for (let i = 0; i < 6; i++) answers.push(await post(port, body));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    for (const a of answers) expect((JSON.parse(a.text) as { results: unknown[] }).results).toHaveLength(200);
    const stopped = (await balancer.stats()).find((row) => row.svname === 'stopping');
    expect(Number(stopped?.wredis)).toBeGreaterThanOrEqual(3); // HAProxy's own count of redispatched calls
  });
});
