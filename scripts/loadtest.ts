/**
 * Load test (`npm run loadtest`, not part of `npm test`): drives the scoring service over
 * loopback with autocannon at a fixed rate, mixing single-record requests and 200-record
 * batches, both with top-5 reasons, and prints the rate held, p50/p99 latency and the error
 * count per kind. Exits non-zero when the target rate is not held or any request fails.
 *
 *   npm run loadtest                                   # 60 s, spawns the built server on the bundled models
 *   npm run loadtest -- --duration 10 --single-rate 50 --batch-rate 1
 *   npm run loadtest -- --url http://127.0.0.1:8080 --key $KEY   # an already running service
 *
 * Latencies are corrected for coordinated omission (autocannon does this when a rate is set).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const REPO = path.resolve(__dirname, '..');
const SERVER = path.join(REPO, 'scoring-service/dist/server.js');

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    'single-rate': { type: 'string', default: '250' },
    'batch-rate': { type: 'string', default: '5' },
    'batch-size': { type: 'string', default: '200' },
    top: { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
    url: { type: 'string' },
    key: { type: 'string' },
    model: { type: 'string', default: 'lead-scoring' },
    workers: { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (flags.help) {
  process.stdout.write(
    [
      'npm run loadtest -- [options]',
      '  --duration S        seconds of load (default 60)',
      '  --single-rate N     single-record requests per second (default 250)',
      '  --batch-rate N      batch requests per second (default 5; 0 = none)',
      '  --batch-size N      records per batch request (default 200)',
      '  --top K             reasons per record (default 5; 0 = no reasons)',
      '  --connections N     connections for the single-record stream (default 32)',
      '  --url URL --key K   load a running service instead of spawning one',
      '  --workers N         WORKERS for the spawned server (default: its own, one per core)',
      '  --log-level L       LOG_LEVEL for the spawned server (default info, as in production)',
      '  --json              print the summary as JSON as well',
      '',
    ].join('\n'),
  );
  process.exit(0);
}

const num = (name: keyof typeof flags) => {
  const n = Number(flags[name]);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number >= 0`);
  return n;
};
const duration = num('duration');
const singleRate = num('single-rate');
const batchRate = num('batch-rate');
const batchSize = num('batch-size');
const top = num('top');
const connections = Math.max(1, num('connections'));

/** A varied, realistic lead for lead-scoring 4.x (some inputs missing, as in a real org). */
function lead(i: number): Record<string, unknown> {
  const pick = <T>(list: T[]) => list[i % list.length];
  const inputs: Record<string, unknown> = {
    lead_source: pick(['Web', 'Referral', 'Event', 'Partner', 'Cold Call', 'LinkedIn', 'Purchased List']),
    industry: pick(['Banking', 'Insurance', 'Finance', 'Consulting', 'Technology', 'Other']),
    seniority: pick(['Individual Contributor', 'Manager', 'Director', 'VP', 'C-Level']),
    firm_type: pick(['Independent RIA', 'Wirehouse', 'Regional BD', 'Independent BD', 'Bank', 'Insurance BD']),
    is_ia_rep: i % 2 === 0,
    tenure_at_firm_months: (i * 7) % 240,
    years_experience: 2 + ((i * 3) % 35),
    prior_firms: i % 6,
    mobility_score: (i * 13) % 100,
    recent_mover: i % 3 === 0,
    firm_bleeding: i % 4 === 0,
    firm_aum_musd: 50 + ((i * 97) % 5000),
    firm_headcount_change_pct: ((i * 11) % 40) - 20,
    licenses_count: 1 + (i % 5),
    has_series_65: i % 3 !== 1,
    email_opens_90d: i % 25,
    email_clicks_90d: i % 7,
    web_visits_30d: i % 12,
    event_attended: i % 5 === 0,
    last_activity_date: `2026-${String(1 + (i % 11)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
    lead_created_date: `2025-${String(1 + (i % 12)).padStart(2, '0')}-15`,
    has_phone: i % 3 !== 0,
  };
  if (i % 5 === 0) delete inputs.years_experience;
  if (i % 7 === 0) inputs.industry = null;
  return inputs;
}

const recordsFrom = (start: number, n: number) =>
  Array.from({ length: n }, (_, k) => ({ id: `00Q${String(start + k).padStart(15, '0')}`, inputs: lead(start + k) }));
const bodyOf = (records: unknown[]) => JSON.stringify({ ...(top > 0 ? { explain: { top } } : {}), records });

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess | undefined, errors: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null)
      throw new Error(`the server exited with code ${child.exitCode}:\n${errors()}`);
    try {
      const res = await fetch(`${url}/v2/health/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} was not ready within 120 s:\n${errors()}`);
}

interface StreamSummary {
  name: string;
  targetPerSecond: number;
  heldPerSecond: number;
  requests: number;
  ok: number;
  errors: number;
  non2xx: number;
  timeouts: number;
  p50ms: number;
  p99ms: number;
  maxMs: number;
}

function summarize(name: string, target: number, r: autocannon.Result): StreamSummary {
  const ok = Number((r as unknown as { '2xx': number })['2xx'] ?? 0);
  return {
    name,
    targetPerSecond: target,
    heldPerSecond: Math.round((ok / r.duration) * 100) / 100,
    requests: ok + r.non2xx,
    ok,
    errors: r.errors,
    non2xx: r.non2xx,
    timeouts: r.timeouts,
    p50ms: r.latency.p50,
    p99ms: r.latency.p99,
    maxMs: r.latency.max,
  };
}

async function main(): Promise<void> {
  let url = flags.url;
  let key = flags.key;
  let child: ChildProcess | undefined;
  let stderr = '';
  if (!url) {
    const port = await freePort();
    key = `loadtest-${randomBytes(16).toString('hex')}`;
    url = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [SERVER], {
      cwd: REPO,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        MODELS_DIR: path.join(REPO, 'models'),
        SCORING_API_KEYS: key,
        PREVIEW: 'off',
        LOG_LEVEL: flags['log-level'],
        ...(flags.workers ? { WORKERS: flags.workers } : {}),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-4000)));
  } else if (!key) {
    throw new Error('--url needs --key (a client API key of that service)');
  }
  const stop = () => child?.kill('SIGTERM');
  process.on('SIGINT', () => {
    stop();
    process.exit(130);
  });

  try {
    await waitReady(url, child, () => stderr);
    const target = `${url}/v1/models/${flags.model}/score`;
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

    // Warm up: every worker builds its explainer caches before the clock starts.
    for (let i = 0; i < 20; i++) {
      const res = await fetch(target, {
        method: 'POST',
        headers,
        body: bodyOf(recordsFrom(i * batchSize, i % 4 === 0 ? batchSize : 1)),
      });
      if (!res.ok) throw new Error(`warm-up request failed with ${res.status}: ${(await res.text()).slice(0, 500)}`);
    }

    const singles = Array.from({ length: 200 }, (_, i) => ({
      method: 'POST' as const,
      headers,
      body: bodyOf(recordsFrom(10_000 + i, 1)),
    }));
    const batches = Array.from({ length: 10 }, (_, i) => ({
      method: 'POST' as const,
      headers,
      body: bodyOf(recordsFrom(20_000 + i * batchSize, batchSize)),
    }));
    const run = (requests: typeof singles, rate: number, conns: number) =>
      autocannon({ url: target, connections: conns, duration, overallRate: rate, requests, timeout: 10 });

    const cpu0 = process.cpuUsage();
    process.stdout.write(
      `load test: ${duration} s, ${singleRate}/s single-record + ${batchRate}/s ${batchSize}-record requests${top > 0 ? `, top-${top} reasons` : ''}, against ${target}` +
        `${child ? ` (spawned: node scoring-service/dist/server.js, WORKERS=${flags.workers ?? 'default'}, LOG_LEVEL=${flags['log-level']})` : ''}\n` +
        `machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), load average ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}, node ${process.version}\n`,
    );
    const [single, batch] = await Promise.all([
      singleRate > 0 ? run(singles, singleRate, connections) : undefined,
      batchRate > 0 ? run(batches, batchRate, Math.max(2, Math.ceil(batchRate * 2))) : undefined,
    ]);
    const cpu = process.cpuUsage(cpu0);

    const rows: StreamSummary[] = [];
    if (single) rows.push(summarize('single record', singleRate, single));
    if (batch) rows.push(summarize(`${batchSize} records`, batchRate, batch));
    const pad = (v: string | number, n: number) => String(v).padStart(n);
    const lines = [
      `${'stream'.padEnd(16)}${pad('target/s', 10)}${pad('held/s', 10)}${pad('requests', 10)}${pad('2xx', 8)}${pad('errors', 8)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('max ms', 9)}`,
      ...rows.map(
        (r) =>
          `${r.name.padEnd(16)}${pad(r.targetPerSecond, 10)}${pad(r.heldPerSecond.toFixed(2), 10)}${pad(r.requests, 10)}${pad(r.ok, 8)}${pad(r.errors + r.non2xx, 8)}${pad(r.p50ms, 9)}${pad(r.p99ms, 9)}${pad(r.maxMs, 9)}`,
      ),
    ];
    // The server's own view after the run (its /metrics): memory, event-loop lag, crashed workers.
    const metrics = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${key}` } }).then((r) =>
      r.ok ? r.text() : '',
    );
    const gauge = (name: string) => {
      const line = metrics.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
      return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN;
    };
    lines.push(
      `server after the run: resident memory ${(gauge('scoring_process_process_resident_memory_bytes') / 2 ** 20).toFixed(0)} MiB, ` +
        `event-loop lag p99 ${(gauge('scoring_process_nodejs_eventloop_lag_p99_seconds') * 1000).toFixed(1)} ms, ` +
        `worker restarts ${gauge('scoring_worker_restarts_total')}`,
    );
    const failed = rows.reduce((n, r) => n + r.errors + r.non2xx, 0);
    // Held: at least 99% of the target rate completed successfully over the run.
    const held = rows.every((r) => r.heldPerSecond >= r.targetPerSecond * 0.99);
    const records = rows.reduce((n, r) => n + r.ok * (r.name === 'single record' ? 1 : batchSize), 0);
    lines.push(
      `records scored: ${records} (${(records / duration).toFixed(0)}/s); load generator CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`,
    );
    lines.push(
      `result: ${held && failed === 0 ? 'HELD' : 'NOT HELD'} (${failed} failed requests; rate ${held ? 'held' : 'not held'})`,
    );
    process.stdout.write(lines.join('\n') + '\n');
    if (flags.json) process.stdout.write(JSON.stringify({ duration, rows, failed, held }, null, 2) + '\n');
    process.exitCode = held && failed === 0 ? 0 : 1;
  } finally {
    stop();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`loadtest: ${err.message}\n`);
  process.exit(1);
});
