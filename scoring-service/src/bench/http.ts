/**
 * HTTP load for the benchmark: the service in a child process, a keep-alive client, fixed-rate
 * (open loop) and fixed-concurrency (closed loop) runs, latency percentiles.
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';

export interface ServerHandle {
  port: number;
  /** Plain node:http in the service's process, for the transport and minimal floors (server-child.ts). */
  floorPort: number;
  key: string;
  workers: number;
  child: ChildProcess;
  request<T>(cmd: string): Promise<T>;
  stop(): Promise<void>;
}

export async function startServer(env: Record<string, string>): Promise<ServerHandle> {
  const ts = __filename.endsWith('.ts');
  const entry = path.join(__dirname, ts ? 'server-child.ts' : 'server-child.js');
  const child = fork(entry, [], {
    env: { ...process.env, SCORING_API_KEYS: '', SCORING_ADMIN_KEYS: '', ...env },
    execArgv: ts ? ['--require', require.resolve('tsx/cjs')] : [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  type Ready = { port: number; floorPort: number; keys: { client: string }; workers: number };
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Ready));
    child.once('exit', (code) => reject(new Error(`the service exited with code ${code}`)));
  });
  const request = <T>(cmd: string) =>
    new Promise<T>((resolve) => {
      const onMessage = (m: { cmd: string }) => {
        if (m.cmd !== cmd) return;
        child.off('message', onMessage);
        resolve(m as T);
      };
      child.on('message', onMessage);
      child.send({ cmd });
    });
  return {
    port: ready.port,
    floorPort: ready.floorPort,
    key: ready.keys.client,
    workers: ready.workers,
    child,
    request,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send({ cmd: 'stop' });
      }),
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** One POST; resolves with the latency in ms (rejects on a non-2xx status). */
export function post(port: number, urlPath: string, key: string, body: string): Promise<number> {
  return postFor(port, urlPath, key, body).then((r) => r.ms);
}

/** One POST; resolves with the latency in ms and the response's size in bytes. */
export function postFor(
  port: number,
  urlPath: string,
  key: string,
  body: string,
): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: urlPath,
        method: 'POST',
        agent,
        headers: {
          Authorization: `Bearer ${key}`,
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          if (res.statusCode && res.statusCode < 300) resolve({ ms, bytes });
          else reject(new Error(`HTTP ${res.statusCode}`));
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rate: number;
  p50: number;
  p99: number;
}

function summarize(latencies: number[], errors: number, seconds: number): LoadResult {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    seconds,
    rate: latencies.length / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  };
}

/** Open loop: starts `rate` requests per second for `seconds`, whatever the latency. */
export async function fixedRate(
  rate: number,
  seconds: number,
  send: (i: number) => Promise<number>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const pending: Promise<void>[] = [];
  const started = performance.now();
  const total = Math.round(rate * seconds);
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(
      send(i).then(
        (ms) => void latencies.push(ms),
        () => void errors++,
      ),
    );
  }
  await Promise.all(pending);
  return summarize(latencies, errors, (performance.now() - started) / 1000);
}

/** Closed loop: `concurrency` clients each send the next request when the last one answered. */
export async function fixedConcurrency(
  concurrency: number,
  seconds: number,
  send: (i: number) => Promise<number>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let i = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        try {
          latencies.push(await send(i++));
        } catch {
          errors++;
        }
      }
    }),
  );
  return summarize(latencies, errors, (performance.now() - started) / 1000);
}

/** Sequential: median and p99 of `n` calls one after the other. */
export async function sequential(n: number, send: () => Promise<number>): Promise<{ median: number; p99: number }> {
  const latencies: number[] = [];
  for (let k = 0; k < n; k++) latencies.push(await send());
  latencies.sort((a, b) => a - b);
  return { median: percentile(latencies, 50), p99: percentile(latencies, 99) };
}
