/**
 * HAProxy (Debian's haproxy package) in front of the replicas, with the configuration docs/operations.md
 * recommends, written to a temp dir. Why each setting:
 * - health checks on the readiness route (GET /v2/health/ready): a replica that is loading, has no
 *   model, or got SIGTERM answers 503 there and leaves the pool; `inter 500ms fall 3 rise 2` notices
 *   within about 1.5 s, and `timeout check 2s` keeps a replica that is merely busy in the pool.
 * - `option redispatch 1`: every retry goes to another server, not back to the one that failed.
 * - `retry-on conn-failure empty-response 503`: each case means the replica did not produce an answer
 *   (refused or reset connection, closed without a byte, or the service's own 503 "shutting down / not
 *   ready", sent before any work). Scoring, /predict and OIP inference change nothing on the service but
 *   its metrics, so running one twice gives the same answer: a replay is safe even for POST.
 *   Not `response-timeout` (a slow call replayed on every replica multiplies the load) and not 5xx
 *   in general (a 500 may be the request itself).
 * - `tune.bufsize`: HAProxy replays only requests that fit in one buffer; 256 KiB holds a 200-record call (about 100 KiB).
 * - `option http-buffer-request`: wait for the whole body before sending the request to a replica. HAProxy
 *   keeps a request for replay only if it was complete when its first byte went out (in its send path,
 *   `msg_state != HTTP_MSG_DONE` clears TX_L7_RETRY). Without this, a body that arrives in more than one
 *   read went out unfinished, and the stopping replica's 503 reached the caller
 *   (test/replicas/balancer-config.test.ts).
 * - `timeout http-keep-alive 5s`: below the service's 10 s keep-alive, so HAProxy never reuses a
 *   connection the service is closing.
 * See /usr/share/doc/haproxy/configuration.txt.gz, "retry-on" and "option redispatch".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const HAPROXY = process.env.HAPROXY ?? ['/usr/sbin/haproxy', '/usr/bin/haproxy'].find((p) => existsSync(p));

export function haproxyConfig(options: {
  port: number;
  servers: { name: string; port: number }[];
  statsSocket: string;
}) {
  return [
    'global',
    '  maxconn 512',
    '  tune.bufsize 262144',
    `  stats socket ${options.statsSocket} level admin`,
    '',
    'defaults',
    '  mode http',
    '  timeout connect 1s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout http-keep-alive 5s',
    '  retries 3',
    '  option redispatch 1',
    '  retry-on conn-failure empty-response 503',
    '  option http-buffer-request',
    '',
    'frontend scoring',
    `  bind 127.0.0.1:${options.port}`,
    '  default_backend replicas',
    '',
    'backend replicas',
    '  balance roundrobin',
    '  option httpchk',
    '  http-check send meth GET uri /v2/health/ready',
    '  http-check expect status 200',
    '  timeout check 2s',
    '  default-server inter 500ms fall 3 rise 2',
    ...options.servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} check`),
    '',
  ].join('\n');
}

export interface Balancer {
  url: string;
  /** HAProxy's `show stat` as rows keyed by column name (pxname, svname, scur, wretr, wredis, status...). */
  stats(): Promise<Record<string, string>[]>;
  stop(): Promise<void>;
}

function statSocket(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const s = net.connect(socketPath, () => s.write(`${command}\n`));
    s.on('data', (c: Buffer) => (out += c.toString('utf8')));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

export async function startHaproxy(
  dir: string,
  port: number,
  servers: { name: string; port: number }[],
): Promise<Balancer> {
  if (!HAPROXY)
    throw new Error('haproxy is not installed: apt-get install haproxy (.ci/run installs it when missing).');
  const statsSocket = path.join(dir, 'haproxy.sock');
  const config = path.join(dir, 'haproxy.cfg');
  writeFileSync(config, haproxyConfig({ port, servers, statsSocket }));
  let output = '';
  // -db: stay in the foreground, so the test owns the process and its exit.
  const child: ChildProcess = spawn(HAPROXY, ['-db', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stats = async () => {
    const [header, ...rows] = (await statSocket(statsSocket, 'show stat')).trim().split('\n');
    const names = header.replace(/^# /, '').split(',');
    return rows.map((row) => Object.fromEntries(row.split(',').map((v, i) => [names[i], v])));
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}:\n${output}`);
    try {
      await stats();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`haproxy did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
