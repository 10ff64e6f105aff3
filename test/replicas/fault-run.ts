/**
 * The replica fault run: three service processes (the built dist, each on its own loopback port)
 * behind HAProxy, a bounded load of single and 200-record score calls through the balancer, and
 * meanwhile: SIGKILL one replica (then start it again, as an orchestrator would), SIGTERM another
 * and start it again, and roll a new model version across the three by reloading each in turn.
 * Returns the figures; replicas.test.ts asserts on them and `npm run test:replicas` prints them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HttpClient, type RawResponse } from '../reliability/support/http';
import {
  ADMIN_KEY,
  CLIENT_KEY,
  copyModels,
  editRegistry,
  freePort,
  leads,
  SERVER_JS,
} from '../reliability/support/service';
import { startHaproxy, type Balancer } from './haproxy';

export type Phase = 'steady' | 'sigkill' | 'sigterm' | 'rollout' | 'after';
const PHASES: Phase[] = ['steady', 'sigkill', 'sigterm', 'rollout', 'after'];

export interface Answer {
  phase: Phase;
  kind: 'single' | 'batch';
  ms: number;
  status: number | null;
  digest?: string;
  version?: string;
  error?: string;
}

export interface Figures {
  sent: number;
  failed: number;
  byPhase: Record<Phase, { sent: number; failed: number }>;
  failures: Answer[];
  /** Latency of answered calls, in ms. */
  latency: { single: { p50: number; p99: number }; batch: { p50: number; p99: number } };
  /** Calls HAProxy was running on the replica just before it was SIGKILLed (its `scur`). */
  inFlightOnKilled: number;
  /** Calls the load had in flight (on any replica) at the kill: an upper bound that has no race with the stats read. */
  inFlightAtKill: number;
  /** HAProxy's backend counters: retries and redispatches to another server, in all and per phase. */
  retries: number;
  redispatches: number;
  retriesByPhase: Record<Phase, { retries: number; redispatches: number }>;
  /** Exit code of the SIGTERMed replica: 0 when it drained within its grace period. */
  sigtermExit: number | null;
  digests: { before: string; after: string };
  /** Answers per Serving-Set digest. */
  answersBySet: Record<string, number>;
  /** Answers whose Serving-Set header and body version belong to different sets (must be none). */
  mixed: Answer[];
  durationMs: number;
}

export interface RunOptions {
  /** Callers sending at the same time. */
  concurrency?: number;
  /** Every n-th call of a caller is a 200-record call; the others score one record. */
  batchEvery?: number;
  log?: (line: string) => void;
}

const SCORE = '/v1/models/lead-scoring/score';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class Replica {
  private child?: ChildProcess;
  private output = '';
  exited: Promise<number | null> = Promise.resolve(null);

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly modelsDir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  start(): void {
    this.output = '';
    const child = spawn(process.execPath, [SERVER_JS], {
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(this.port),
        HOST: '127.0.0.1',
        MODELS_DIR: this.modelsDir,
        SCORING_API_KEYS: CLIENT_KEY,
        SCORING_ADMIN_KEYS: ADMIN_KEY,
        WORKERS: '1',
        LOG_LEVEL: 'warn',
        SHUTDOWN_GRACE_MS: '10000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (c: Buffer) => (this.output += c.toString('utf8')));
    child.stderr?.on('data', (c: Buffer) => (this.output += c.toString('utf8')));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    this.child = child;
  }

  signal(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async waitReady(timeoutMs = 120_000): Promise<void> {
    const client = new HttpClient(this.url, 1);
    const deadline = Date.now() + timeoutMs;
    try {
      while (Date.now() < deadline) {
        if (!this.running) throw new Error(`${this.name} exited:\n${this.output.slice(-3000)}`);
        const res = await client.send({ method: 'GET', path: '/v2/health/ready' }).catch(() => undefined);
        if (res?.status === 200) return;
        await sleep(150);
      }
      throw new Error(`${this.name} was not ready within ${timeoutMs} ms:\n${this.output.slice(-3000)}`);
    } finally {
      client.close();
    }
  }

  logTail(): string {
    return this.output.slice(-2000);
  }
}

async function serverStatus(balancer: Balancer, name: string): Promise<Record<string, string>> {
  const row = (await balancer.stats()).find((r) => r.pxname === 'replicas' && r.svname === name);
  if (!row) throw new Error(`HAProxy has no server ${name}`);
  return row;
}

/** Waits until HAProxy's health checks report the server `UP` (or `DOWN`). */
async function waitStatus(balancer: Balancer, name: string, want: 'UP' | 'DOWN', timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await serverStatus(balancer, name)).status.startsWith(want)) return;
    await sleep(100);
  }
  throw new Error(`HAProxy did not see ${name} ${want} within ${timeoutMs} ms`);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Adds a new version (same artifact, new number) and makes it champion; registry.json is replaced whole. */
function publishNewVersion(modelsDir: string, from: string, to: string): void {
  cpSync(path.join(modelsDir, 'lead-scoring', from), path.join(modelsDir, 'lead-scoring', to), { recursive: true });
  const manifestFile = path.join(modelsDir, 'lead-scoring', to, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { version: string };
  manifest.version = to;
  writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
  const staged = mkdtempSync(path.join(modelsDir, '.registry-'));
  cpSync(path.join(modelsDir, 'registry.json'), path.join(staged, 'registry.json'));
  editRegistry(staged, (r) => {
    const model = r.models['lead-scoring'];
    model.versions[to] = { ...model.versions[from], path: `lead-scoring/${to}` };
    model.aliases = { ...model.aliases, champion: to };
  });
  // A replica that reads the registry mid-write would see half a file: rename is atomic.
  renameSync(path.join(staged, 'registry.json'), path.join(modelsDir, 'registry.json'));
  rmSync(staged, { recursive: true, force: true });
}

export async function runFaultTest(options: RunOptions = {}): Promise<Figures> {
  const concurrency = options.concurrency ?? 6;
  const batchEvery = options.batchEvery ?? 4;
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const models = copyModels();
  // The registry pins the champion, so the rollout's alias change is what moves the answers.
  editRegistry(models.dir, (r) => {
    r.models['lead-scoring'].aliases = { champion: '4.1.0', challenger: '4.0.0' };
  });
  const work = mkdtempSync(path.join(tmpdir(), 'scoring-replicas-'));
  const replicas = await Promise.all(
    ['r1', 'r2', 'r3'].map(async (name) => new Replica(name, await freePort(), models.dir)),
  );
  let balancer: Balancer | undefined;
  const answers: Answer[] = [];
  let phase: Phase = 'steady';
  // HAProxy's cumulative backend counters at each phase boundary, for the per-phase retries.
  const counters: { retries: number; redispatches: number }[] = [{ retries: 0, redispatches: 0 }];
  const enter = async (next: Phase) => {
    const backend = (await balancer!.stats()).find((r) => r.pxname === 'replicas' && r.svname === 'BACKEND');
    counters.push({ retries: Number(backend?.wretr ?? 0), redispatches: Number(backend?.wredis ?? 0) });
    phase = next;
  };
  let loading = true;
  let inFlight = 0;
  const clients: HttpClient[] = [];
  try {
    for (const r of replicas) r.start();
    await Promise.all(replicas.map((r) => r.waitReady()));
    balancer = await startHaproxy(
      work,
      await freePort(),
      replicas.map((r) => ({ name: r.name, port: r.port })),
    );
    for (const r of replicas) await waitStatus(balancer, r.name, 'UP');
    log(`3 replicas up behind HAProxy at ${balancer.url}`);

    const digestOf = async (r: Replica): Promise<string> => {
      const admin = new HttpClient(r.url, 1);
      try {
        const res = await admin.send({
          method: 'GET',
          path: '/v1/models',
          headers: { Authorization: `Bearer ${CLIENT_KEY}` },
        });
        return (res.json as { servingSet: string }).servingSet;
      } finally {
        admin.close();
      }
    };
    const before = await Promise.all(replicas.map(digestOf));
    if (new Set(before).size !== 1)
      throw new Error(`the replicas started with different serving sets: ${before.join(', ')}`);

    const single = { explain: { top: 3 }, records: leads(1, 'single') };
    const batch = { explain: { top: 3 }, records: leads(200, 'batch') };
    const caller = async (index: number) => {
      const client = new HttpClient(balancer!.url, 1);
      clients.push(client);
      for (let n = index; loading; n++) {
        const kind = n % batchEvery === 0 ? 'batch' : 'single';
        const sentIn = phase;
        const t0 = performance.now();
        let res: RawResponse | undefined;
        let error: string | undefined;
        inFlight++;
        try {
          res = await client.send({
            method: 'POST',
            path: SCORE,
            headers: { Authorization: `Bearer ${CLIENT_KEY}`, 'Content-Type': 'application/json' },
            body: kind === 'batch' ? batch : single,
          });
        } catch (err) {
          error = (err as Error).message;
        } finally {
          inFlight--;
        }
        const body = res?.json as { version?: string; detail?: string } | undefined;
        const digest = res?.headers['serving-set'];
        answers.push({
          phase: sentIn,
          kind,
          ms: performance.now() - t0,
          status: res?.status ?? null,
          digest: typeof digest === 'string' ? digest : undefined,
          version: body?.version,
          error: error ?? (res && res.status !== 200 ? (body?.detail ?? res.text.slice(0, 200)) : undefined),
        });
      }
    };
    const load = Promise.all(Array.from({ length: concurrency }, (_, i) => caller(i)));

    await sleep(2000);

    await enter('sigkill');
    const killed = replicas[0];
    const inFlightOnKilled = Number((await serverStatus(balancer, killed.name)).scur);
    const inFlightAtKill = inFlight;
    killed.signal('SIGKILL');
    await killed.exited;
    await waitStatus(balancer, killed.name, 'DOWN');
    log(`SIGKILLed ${killed.name} with ${inFlightOnKilled} in flight; HAProxy marked it down`);
    await sleep(1000);
    killed.start();
    await killed.waitReady();
    await waitStatus(balancer, killed.name, 'UP');
    log(`${killed.name} started again and is back in the pool`);

    await enter('sigterm');
    const stopped = replicas[1];
    stopped.signal('SIGTERM');
    const sigtermExit = await stopped.exited;
    log(`SIGTERMed ${stopped.name}: exited ${sigtermExit}`);
    await sleep(500);
    stopped.start();
    await stopped.waitReady();
    await waitStatus(balancer, stopped.name, 'UP');
    log(`${stopped.name} started again and is back in the pool`);

    await enter('rollout');
    publishNewVersion(models.dir, '4.1.0', '4.2.0');
    for (const r of replicas) {
      const admin = new HttpClient(r.url, 1);
      try {
        const res = await admin.send({
          method: 'POST',
          path: '/v1/admin/reload',
          headers: { Authorization: `Bearer ${ADMIN_KEY}` },
        });
        if (res.status !== 200) throw new Error(`reload of ${r.name} answered ${res.status}: ${res.text}`);
        log(`reloaded ${r.name}: serving set ${res.headers['serving-set'] as string}`);
      } finally {
        admin.close();
      }
      await sleep(1500);
    }
    const after = await Promise.all(replicas.map(digestOf));
    if (new Set(after).size !== 1)
      throw new Error(`the replicas ended with different serving sets: ${after.join(', ')}`);

    await enter('after');
    await sleep(1500);
    loading = false;
    await load;

    await enter('after');
    const retriesByPhase = Object.fromEntries(
      PHASES.map((p, i) => [
        p,
        {
          retries: counters[i + 1].retries - counters[i].retries,
          redispatches: counters[i + 1].redispatches - counters[i].redispatches,
        },
      ]),
    ) as Figures['retriesByPhase'];
    const { retries, redispatches } = counters[counters.length - 1];
    const versionOf = new Map([
      [before[0], '4.1.0'],
      [after[0], '4.2.0'],
    ]);
    const ok = answers.filter((a) => a.status === 200);
    const failures = answers.filter((a) => a.status !== 200);
    const latency = (kind: Answer['kind']) => {
      const sorted = ok
        .filter((a) => a.kind === kind)
        .map((a) => a.ms)
        .sort((a, b) => a - b);
      return { p50: Math.round(percentile(sorted, 50)), p99: Math.round(percentile(sorted, 99)) };
    };
    const answersBySet: Record<string, number> = {};
    for (const a of ok) answersBySet[a.digest ?? '(none)'] = (answersBySet[a.digest ?? '(none)'] ?? 0) + 1;
    return {
      sent: answers.length,
      failed: failures.length,
      byPhase: Object.fromEntries(
        PHASES.map((p) => [
          p,
          {
            sent: answers.filter((a) => a.phase === p).length,
            failed: failures.filter((a) => a.phase === p).length,
          },
        ]),
      ) as Figures['byPhase'],
      failures,
      latency: { single: latency('single'), batch: latency('batch') },
      inFlightOnKilled,
      inFlightAtKill,
      retries,
      redispatches,
      retriesByPhase,
      sigtermExit,
      digests: { before: before[0], after: after[0] },
      answersBySet,
      mixed: ok.filter((a) => !a.digest || versionOf.get(a.digest) !== a.version),
      durationMs: Date.now() - started,
    };
  } catch (err) {
    const tails = replicas.map((r) => `--- ${r.name}\n${r.logTail()}`).join('\n');
    throw new Error(`${(err as Error).message}\n${tails}`);
  } finally {
    loading = false;
    for (const c of clients) c.close();
    await balancer?.stop();
    for (const r of replicas) if (r.running) r.signal('SIGKILL');
    await Promise.all(replicas.map((r) => r.exited));
    models.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
}
