/**
 * Faults, injected into the real service while it works: corrupted artifacts reloaded under
 * load, an inference worker dying in the middle of a request, SIGTERM with requests in flight,
 * and a models directory the process cannot read at start.
 */
jest.setTimeout(600_000);

import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HttpClient, type RawResponse } from './support/http';
import {
  ADMIN_KEY,
  CLIENT_KEY,
  copyModels,
  leads,
  listenService,
  LogCapture,
  MODELS_DIR,
  SERVER_JS,
  spawnServer,
  waitFor,
  type Listening,
  type ServerProcess,
} from './support/service';

const SCORE = '/v1/models/lead-scoring/score';
const json = (key = CLIENT_KEY) => ({ Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' });
const scoresOf = (res: RawResponse) =>
  (res.json as { results: { id: string; score: number; version: string }[] }).results.map((r) => [
    r.id,
    r.version,
    r.score,
  ]);

/**
 * Keeps `concurrency` clients sending score requests (single records and explained batches,
 * alternating) until stopped; records every answer and how many requests are in flight.
 */
class LoadLoop {
  readonly answers: { status: number; kind: 'single' | 'batch'; res: RawResponse }[] = [];
  readonly failures: string[] = [];
  inflight = 0;
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(client: HttpClient, bodies: { single: unknown; batch: unknown }, concurrency = 4) {
    this.loops = Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; this.running; i++) {
        const kind = (i + worker) % 2 === 0 ? 'single' : 'batch';
        this.inflight++;
        try {
          const res = await client.send({ path: SCORE, headers: json(), body: bodies[kind] });
          this.answers.push({ status: res.status, kind, res });
        } catch (err) {
          this.failures.push((err as Error).message);
        } finally {
          this.inflight--;
        }
      }
    });
  }

  /** Waits until at least `n` answers have come back (so the load is really running). */
  async warm(n: number): Promise<void> {
    const start = this.answers.length;
    while (this.answers.length - start < n && this.failures.length === 0) await new Promise((r) => setTimeout(r, 5));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}

describe('reloading corrupted artifacts under load', () => {
  let running: Listening;
  let models: ReturnType<typeof copyModels>;

  beforeAll(async () => {
    models = copyModels();
    running = await listenService({ MODELS_DIR: models.dir, WORKERS: '2' });
  });
  afterAll(async () => {
    await running?.close();
    models?.cleanup();
  });

  it('fails no request and keeps the old version answering the same scores while bad artifacts are refused', async () => {
    const single = { asOf: '2026-11-25', records: leads(1, 'single') };
    const batch = { asOf: '2026-11-25', explain: { top: 5 }, records: leads(50, 'batch') };
    const expected = {
      single: scoresOf(await running.client.send({ path: SCORE, headers: json(), body: single })),
      batch: scoresOf(await running.client.send({ path: SCORE, headers: json(), body: batch })),
    };
    const dir = path.join(models.dir, 'lead-scoring', '4.1.0');
    const good = {
      onnx: readFileSync(path.join(dir, 'model.onnx')),
      manifest: readFileSync(path.join(dir, 'manifest.json')),
      registry: readFileSync(path.join(models.dir, 'registry.json')),
    };
    const restore = () => {
      writeFileSync(path.join(dir, 'model.onnx'), good.onnx);
      writeFileSync(path.join(dir, 'manifest.json'), good.manifest);
      writeFileSync(path.join(models.dir, 'registry.json'), good.registry);
    };
    const corruptions: [string, () => void][] = [
      [
        'a flipped byte in model.onnx',
        () =>
          writeFileSync(
            path.join(dir, 'model.onnx'),
            Buffer.from(good.onnx.map((b, i) => (i === good.onnx.length - 50 ? b ^ 0xff : b))),
          ),
      ],
      [
        'a truncated model.onnx',
        () => writeFileSync(path.join(dir, 'model.onnx'), good.onnx.subarray(0, good.onnx.length >> 1)),
      ],
      [
        'a truncated manifest.json',
        () => writeFileSync(path.join(dir, 'manifest.json'), good.manifest.subarray(0, 200)),
      ],
      ['a missing model.onnx', () => rmSync(path.join(dir, 'model.onnx'))],
      ['an unreadable registry.json', () => writeFileSync(path.join(models.dir, 'registry.json'), '{"models": ')],
    ];

    const load = new LoadLoop(running.client, { single, batch });
    const reloads: { what: string; status: number; inflight: number; detail: string }[] = [];
    try {
      await load.warm(10);
      for (let round = 0; round < 1; round++) {
        for (const [what, corrupt] of corruptions) {
          corrupt();
          const inflight = load.inflight;
          const res = await running.client.send({ path: '/v1/admin/reload', headers: json(ADMIN_KEY), body: {} });
          reloads.push({ what, status: res.status, inflight, detail: (res.json as { detail?: string }).detail ?? '' });
          // Loading the corrupted version on its own is refused the same way.
          if (!what.includes('registry')) {
            const one = await running.client.send({
              path: '/v1/admin/models/lead-scoring/versions/4.1.0/load',
              headers: json(ADMIN_KEY),
              body: {},
            });
            reloads.push({
              what: `${what} (single load)`,
              status: one.status,
              inflight: load.inflight,
              detail: (one.json as { detail?: string }).detail ?? '',
            });
          }
          await load.warm(4);
          restore();
          const ok = await running.client.send({ path: '/v1/admin/reload', headers: json(ADMIN_KEY), body: {} });
          reloads.push({ what: 'restored', status: ok.status, inflight: load.inflight, detail: '' });
          await load.warm(4);
        }
      }
      // At least 100 answers to check, however fast this machine answered during the reloads
      // (a count, not a rate: a loaded machine answers fewer in the same time).
      await load.warm(Math.max(0, 100 - load.answers.length));
    } finally {
      await load.stop();
    }

    // Every corruption was refused (422), every restore accepted, and requests were in flight each time.
    for (const r of reloads) expect([r.what, r.status]).toEqual([r.what, r.what === 'restored' ? 200 : 422]);
    expect(reloads.filter((r) => r.inflight > 0).length).toBeGreaterThanOrEqual(reloads.length / 2);
    // Zero failed requests, and every answer is the old version's.
    expect(load.failures).toEqual([]);
    expect(load.answers.length).toBeGreaterThanOrEqual(100);
    expect(load.answers.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.res.text.slice(0, 200)}`)).toEqual(
      [],
    );
    for (const a of load.answers) expect(scoresOf(a.res)).toEqual(expected[a.kind]);
    const metrics = await running.client.send({ method: 'GET', path: '/metrics', headers: json() });
    expect(metrics.text).toMatch(/scoring_reloads_total\{result="(partial|refused)"\} [1-9]/);
  });
});

describe('an inference worker crashing in the middle of a request', () => {
  let running: Listening;
  const logs = new LogCapture();
  beforeAll(async () => {
    running = await listenService({ WORKERS: '2' }, { allowWorkerCrash: true, logs });
  });
  afterAll(async () => {
    await running?.close();
  });

  /** The test-only hook (enabled by allowWorkerCrash, never reachable over HTTP). */
  const armCrash = () =>
    (running.service.deps.pool as unknown as { crashDuringNextTask(): void }).crashDuringNextTask();

  it('fails that request with a 5xx problem, replaces the worker, and answers later requests as before', async () => {
    const body = { asOf: '2026-11-25', explain: { top: 3 }, records: leads(3, 'crash') };
    const before = await running.client.send({ path: SCORE, headers: json(), body });
    expect(before.status).toBe(200);

    const replaced = new Promise<void>((resolve) => running.service.deps.pool.once('worker-replaced', () => resolve()));
    armCrash();
    const during = await running.client.send({ path: SCORE, headers: json(), body });
    expect(during.status).toBe(500);
    expect(during.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(during.json).toMatchObject({ status: 500, title: expect.any(String), requestId: expect.any(String) });
    expect(during.text).not.toMatch(/worker\.(ts|js)|at .+:\d+/); // no stack or internals in the answer
    await replaced;

    for (let i = 0; i < 6; i++) {
      const after = await running.client.send({ path: SCORE, headers: json(), body });
      expect(after.status).toBe(200);
      expect(scoresOf(after)).toEqual(scoresOf(before));
    }
    expect(running.service.deps.pool.size).toBe(2);
    const metrics = await running.client.send({ method: 'GET', path: '/metrics', headers: json() });
    expect(metrics.text).toMatch(/^scoring_worker_restarts_total 1$/m);
    // The failure is logged under the request id the caller got, without the request's input values.
    const requestId = (during.json as { requestId: string }).requestId;
    const failure = logs.lines.find((l) => l.reqId === requestId && l.level === 50);
    expect(failure).toBeDefined();
    const text = JSON.stringify(logs.lines);
    for (const value of ['crash-0', 'crash-1', 'Independent RIA', 'Referral'])
      expect([value, text.includes(value)]).toEqual([value, false]);
  });

  it('under load, fails only the request the dying worker held', async () => {
    const single = { asOf: '2026-11-25', records: leads(1, 'single') };
    const batch = { asOf: '2026-11-25', explain: { top: 5 }, records: leads(20, 'batch') };
    const load = new LoadLoop(running.client, { single, batch }, 4);
    const replaced = new Promise<void>((resolve) => running.service.deps.pool.once('worker-replaced', () => resolve()));
    try {
      await load.warm(20);
      armCrash();
      await load.warm(40);
      await replaced;
      await load.warm(20);
    } finally {
      await load.stop();
    }
    expect(load.failures).toEqual([]);
    const failed = load.answers.filter((a) => a.status !== 200);
    expect(failed.map((a) => a.status)).toEqual([500]);
    expect(load.answers.length).toBeGreaterThanOrEqual(60);
  });
});

describe('shutting down while a crashed worker is still being replaced', () => {
  it('closes cleanly instead of tearing down ONNX Runtime in the middle of a model load', async () => {
    // Terminating a worker thread while ONNX Runtime creates a session in it aborts the whole
    // process (SIGABRT). If the pool did that, this test would take the test run down with it.
    // A replacement reloads its models for about 2 s here; close at points spread over that window.
    for (const wait of [50, 200, 600, 1200]) {
      const running = await listenService({ WORKERS: '2' }, { allowWorkerCrash: true });
      const crashed = running.service.deps.pool.crashOne().then(
        () => 'survived',
        (err: Error & { code?: string }) => err.code,
      );
      expect(await crashed).toBe('worker-crashed');
      await new Promise((resolve) => setTimeout(resolve, wait));
      await running.close();
      expect(running.service.deps.pool.size).toBe(0);
    }
  });
});

/** A 2000-lead explained request: enough work to still be running when the signal comes. */
const heavy = (tag: string, n = 2000) => ({ asOf: '2026-11-25', explain: { all: true }, records: leads(n, tag) });

/** What a request came to: its status, or the socket error code. */
const outcome = (pending: Promise<RawResponse>) =>
  pending.then(
    (res) => `status ${res.status}`,
    (err: NodeJS.ErrnoException) => err.code ?? err.message,
  );

describe('SIGTERM under load', () => {
  let proc: ServerProcess | undefined;
  afterEach(() => proc?.kill());

  it('finishes the requests in flight, refuses new ones, and exits cleanly within the grace period', async () => {
    // The grace period is shorter than the server's keep-alive timeout (10 s): a shutdown that waited
    // for idle keep-alive sockets to time out would overrun it and exit with code 1.
    proc = await spawnServer({ MODELS_DIR, SCORING_API_KEYS: CLIENT_KEY, WORKERS: '1', SHUTDOWN_GRACE_MS: '8000' });
    await waitFor(proc, '/v2/health/ready', 200);
    const heavyClient = new HttpClient(proc.url, 16);
    const lightClient = new HttpClient(proc.url, 3);
    let signalled = false;
    const light: { afterSignal: boolean; outcome: string }[] = [];
    let exited = false;
    const lightLoops = Array.from({ length: 3 }, async () => {
      while (!exited) {
        const afterSignal = signalled;
        light.push({
          afterSignal,
          outcome: await outcome(lightClient.send({ path: SCORE, headers: json(), body: { records: leads(1) } })),
        });
        if (light.at(-1)!.outcome !== 'status 200') await new Promise((r) => setTimeout(r, 20));
      }
    });
    try {
      const inflight = Array.from({ length: 4 }, (_, i) =>
        heavyClient.send({ path: SCORE, headers: json(), body: heavy(`t${i}`, 600) }),
      );
      const first = await Promise.race(inflight);
      expect(first.status).toBe(200);
      proc.child.kill('SIGTERM');
      signalled = true;
      // The signal is handled asynchronously: wait until readiness stops answering 200...
      for (;;) {
        const probe = new HttpClient(proc.url, 1);
        const ready = await outcome(probe.send({ method: 'GET', path: '/v2/health/ready' }));
        probe.close();
        if (ready !== 'status 200') break;
        await new Promise((r) => setTimeout(r, 10));
      }
      // ...then a new connection is not accepted (or, on a socket still open, gets 503).
      const fresh = new HttpClient(proc.url, 1);
      const attempt = await outcome(fresh.send({ path: SCORE, headers: json(), body: { records: leads(1) } }));
      fresh.close();
      expect(['ECONNREFUSED', 'ECONNRESET', 'status 503']).toContain(attempt);

      const answers = await Promise.all(inflight);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      for (const a of answers) expect((a.json as { results: unknown[] }).results).toHaveLength(600);
      const exit = await proc.exited;
      exited = true;
      await Promise.all(lightLoops);
      expect(exit).toEqual({ code: 0, signal: null }); // 0: stopped before the grace timer (exit code 1) fired
      const messages = proc.logs().map((l) => l.msg);
      expect(messages).toEqual(
        expect.arrayContaining(['shutting down: refusing new work, finishing running requests', 'stopped']),
      );
      expect(messages).not.toContain('grace period over; exiting with requests still running');
      // The light load was answered before the signal, and refused (never failed half-way with a 5xx) after it.
      expect(light.filter((l) => !l.afterSignal).every((l) => l.outcome === 'status 200')).toBe(true);
      const after = light.filter((l) => l.afterSignal).map((l) => l.outcome);
      expect(after.length).toBeGreaterThan(0);
      for (const o of after) expect(['status 200', 'status 503', 'ECONNREFUSED', 'ECONNRESET']).toContain(o);
      expect(after.some((o) => o !== 'status 200')).toBe(true);
    } finally {
      exited = true;
      heavyClient.close();
      lightClient.close();
    }
  });

  it('exits when the grace period ends even if requests are still running', async () => {
    proc = await spawnServer({ MODELS_DIR, SCORING_API_KEYS: CLIENT_KEY, WORKERS: '1', SHUTDOWN_GRACE_MS: '200' });
    await waitFor(proc, '/v2/health/ready', 200);
    const client = new HttpClient(proc.url, 16);
    try {
      const inflight = Array.from({ length: 12 }, (_, i) =>
        outcome(client.send({ path: SCORE, headers: json(), body: heavy(`g${i}`) })),
      );
      await Promise.race(inflight);
      proc.child.kill('SIGTERM');
      const exit = await proc.exited;
      expect(exit).toEqual({ code: 1, signal: null });
      expect(proc.logs().map((l) => l.msg)).toContain('grace period over; exiting with requests still running');
      const outcomes = await Promise.all(inflight);
      // The requests cut off see their connection close; none is answered with a wrong or partial body.
      expect(outcomes.filter((o) => o !== 'status 200').length).toBeGreaterThan(0);
      for (const o of outcomes) expect(['status 200', 'ECONNRESET', 'socket hang up']).toContain(o);
    } finally {
      client.close();
    }
  });
});

/** root reads everything: as root, the server runs as `nobody` so permission bits apply. */
const unprivileged = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

/** Whether that user can run the built server from this checkout (not when it sits in a private home folder). */
function canRunUnprivileged(): boolean {
  const probe = `require('fs').accessSync(${JSON.stringify(SERVER_JS)}, require('fs').constants.R_OK); require(${JSON.stringify(require.resolve('onnxruntime-node'))})`;
  return spawnSync(process.execPath, ['-e', probe], { ...unprivileged, stdio: 'ignore', timeout: 60_000 }).status === 0;
}

describe('a models directory the process cannot read at start', () => {
  let proc: ServerProcess | undefined;
  let parent: string;
  let models: string;
  beforeAll(() => {
    parent = mkdtempSync(path.join(tmpdir(), 'unreadable-'));
    chmodSync(parent, 0o755);
    models = path.join(parent, 'models');
    cpSync(MODELS_DIR, models, {
      recursive: true,
      filter: (src) => !src.includes(`${path.sep}golden`) && !src.includes(`${path.sep}training`),
    });
    writeFileSync(path.join(parent, 'a-file'), 'not a folder');
  });
  afterEach(() => proc?.kill());
  afterAll(() => {
    chmodSync(models, 0o755);
    rmSync(parent, { recursive: true, force: true });
  });

  /** Starts the server on `dir` and checks it is live, not ready, and says why in the log, on readiness and on a model route. */
  async function expectNotReady(
    dir: string,
    options: { uid?: number; gid?: number },
    why: RegExp,
  ): Promise<HttpClient> {
    proc = await spawnServer({ MODELS_DIR: dir, SCORING_API_KEYS: CLIENT_KEY, WORKERS: '1' }, options);
    await waitFor(proc, '/v2/health/live', 200);
    const client = new HttpClient(proc.url, 2);
    const ready = await client.send({ method: 'GET', path: '/v2/health/ready' });
    expect(ready.status).toBe(503);
    expect(ready.json).toMatchObject({ ready: false });
    const reason = (ready.json as { reason: string }).reason;
    expect(reason).toContain(dir);
    expect(reason).toMatch(why);
    const logged = proc
      .logs()
      .find((l) => l.level === 50 && typeof l.reason === 'string' && (l.reason as string).includes(dir));
    expect(logged).toBeDefined();
    const score = await client.send({ path: SCORE, headers: json(), body: { records: leads(1) } });
    expect(score.status).toBe(503);
    expect(score.json).toMatchObject({ status: 503, detail: expect.stringContaining('not ready') });
    return client;
  }

  const permissionsApply = canRunUnprivileged();
  (permissionsApply ? it : it.skip)(
    'without read permission: starts live but not ready, says why, and becomes ready after the fix and a SIGHUP',
    async () => {
      chmodSync(models, 0o000);
      const client = await expectNotReady(models, unprivileged, /cannot be read.*permission denied/i);
      try {
        chmodSync(models, 0o755);
        proc!.child.kill('SIGHUP');
        await waitFor(proc!, '/v2/health/ready', 200);
        const after = await client.send({ path: SCORE, headers: json(), body: { records: leads(1) } });
        expect(after.status).toBe(200);
      } finally {
        client.close();
      }
    },
  );

  it('when MODELS_DIR does not exist: starts live but not ready, and says why', async () => {
    const client = await expectNotReady(path.join(parent, 'no-such-folder'), {}, /does not exist/i);
    client.close();
  });

  it('when MODELS_DIR is not a folder: starts live but not ready, and says why', async () => {
    const client = await expectNotReady(path.join(parent, 'a-file', 'models'), {}, /cannot be read/i);
    client.close();
  });
});
