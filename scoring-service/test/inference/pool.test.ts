jest.setTimeout(180_000);

import { existsSync, readFileSync } from 'node:fs';
import request from 'supertest';
import { WorkerCrashedError, WorkerPool } from '../../src/inference/pool';
import type { PriorityOutcome } from '../../src/inference/priority';
import type { ModelSpec, RunResult } from '../../src/inference/protocol';
import { PrometheusMetrics } from '../../src/service/ops/prometheus';
import { loadPackage, type LoadedPackage } from '../../src/package/loader';
import type { Service } from '../../src/service/service';
import { auth, leads, MODELS_DIR, rawPredict, startService } from '../service/helpers';

function spec(pkg: LoadedPackage): ModelSpec {
  return {
    key: 'lead-scoring@4.1.0',
    onnxBytes: pkg.onnxBytes,
    manifest: pkg.manifest,
    explain: { blocks: [...pkg.pipeline.blocks] },
  };
}

/** Deterministic rows with missing values. */
function rows(n: number, columns: number): Float32Array {
  const out = new Float32Array(n * columns);
  for (let i = 0; i < out.length; i++) out[i] = i % 11 === 0 ? NaN : ((i * 2654435761) % 1000) / 10;
  return out;
}

describe('WorkerPool', () => {
  let pool: WorkerPool;
  let pkg: LoadedPackage;
  beforeAll(async () => {
    pkg = await loadPackage(MODELS_DIR, 'lead-scoring', '4.1.0');
    pool = new WorkerPool({ size: 2, ortThreads: 1, splitRows: 16, allowCrash: true });
    await pool.load(spec(pkg));
  });
  afterAll(async () => {
    await pool.close();
  });

  it('predicts what ONNX Runtime predicts, and a batch split across workers equals the same batch unsplit', async () => {
    const n = 100;
    const features = rows(n, 41);
    const explain = { inputs: Array.from({ length: n }, () => ({})), raw: true, top: 3 };
    const split = await pool.run('lead-scoring@4.1.0', features.slice(), n, 41, explain);
    const whole = new WorkerPool({ size: 1, ortThreads: 1, splitRows: 1000 });
    try {
      await whole.load(spec(pkg));
      const single = await whole.run('lead-scoring@4.1.0', features.slice(), n, 41, explain);
      expect(Array.from(split.scores)).toEqual(Array.from(single.scores));
      expect(Array.from(split.contributions!)).toEqual(Array.from(single.contributions!));
      expect(split.explanations).toEqual(single.explanations);
    } finally {
      await whole.close();
    }
    const { scores } = await rawPredict('lead-scoring', '4.1.0', features, n);
    expect(Array.from(split.scores)).toEqual(scores);
    expect(split.contributions).toHaveLength(n * 42);
    const explained = split.explanations!;
    expect(explained.format).toBe('objects'); // json was not asked for
    if (explained.format !== 'objects') return;
    expect(explained.rows).toHaveLength(n);
    explained.rows.forEach((e, r) => {
      expect(e.reasons).toHaveLength(3);
      expect(e.margin).toBeCloseTo(Math.log(split.scores[r] / (1 - split.scores[r])), 4);
    });
  });

  it('fails only the task a crashing worker held, replaces the worker and keeps serving', async () => {
    const replaced = new Promise((resolve) => pool.once('worker-replaced', resolve));
    await expect(pool.crashOne()).rejects.toBeInstanceOf(WorkerCrashedError);
    await replaced;
    expect(pool.size).toBe(2);
    const features = rows(64, 41);
    const results = await Promise.all([1, 2, 3, 4].map(() => pool.run('lead-scoring@4.1.0', features.slice(), 64, 41)));
    for (const r of results) expect(Array.from(r.scores)).toEqual(Array.from(results[0].scores));
  });

  it("builds a version's TreeSHAP tables once: the other worker and a replacement share them", async () => {
    const key = 'lead-scoring@4.1.0';
    expect(pool.tablesBuilt(key)).toBe(1);
    const replaced = new Promise((resolve) => pool.once('worker-replaced', resolve));
    await expect(pool.crashOne()).rejects.toBeInstanceOf(WorkerCrashedError);
    await replaced;
    expect(pool.tablesBuilt(key)).toBe(1);
    // Sent together, the two runs go to both workers, the replacement among them: the same values.
    const features = rows(4, 41);
    const explain = { inputs: [{}, {}, {}, {}], raw: true };
    const [a, b] = await Promise.all([
      pool.run(key, features.slice(), 4, 41, explain),
      pool.run(key, features.slice(), 4, 41, explain),
    ]);
    expect(Array.from(a.contributions!)).toEqual(Array.from(b.contributions!));
  });

  it('copies feature rows to a worker instead of transferring them: the caller still holds its rows', async () => {
    // An unsplit batch is posted as it is (a split one is sliced into parts first). A transfer would
    // detach it (byteLength 0) and make V8 recompile this thread's typed-array code (inference/protocol.ts).
    const features = rows(8, 41);
    const before = Array.from(features);
    await pool.run('lead-scoring@4.1.0', features, 8, 41);
    expect(features.buffer.byteLength).toBe(8 * 41 * 4);
    expect(Array.from(features)).toEqual(before);
  });

  it('refuses a model it has not loaded', async () => {
    await expect(pool.run('nope@1.0.0', rows(1, 41), 1, 41)).rejects.toThrow('not loaded');
  });
});

describe('adaptive batching of waiting requests', () => {
  const key = 'lead-scoring@4.1.0';
  let pkg: LoadedPackage;
  let alone: WorkerPool;
  beforeAll(async () => {
    pkg = await loadPackage(MODELS_DIR, 'lead-scoring', '4.1.0');
    alone = new WorkerPool({ size: 1, ortThreads: 1, splitRows: 64, batchRows: 1 }); // one request per message
    await alone.load(spec(pkg));
  });
  afterAll(async () => {
    await alone.close();
  });

  const n = 12;
  const features = rows(n, 41);
  const row = (i: number) => features.slice(i * 41, (i + 1) * 41);
  const explain = (i: number) => ({ inputs: [{}], raw: true, top: i % 2 === 1 ? 3 : 5 });

  it('answers each waiting request with its own rows, as if it had run alone, in fewer worker messages', async () => {
    const expected: RunResult[] = [];
    for (let i = 0; i < n; i++) expected.push(await alone.run(key, row(i), 1, 41, explain(i)));
    expect(alone.batched).toEqual({ messages: 0, requests: 0 });

    const batching = new WorkerPool({ size: 1, ortThreads: 1, splitRows: 64 });
    try {
      await batching.load(spec(pkg));
      // Submitted together: the first takes the only worker, the other 11 wait for it.
      const got = await Promise.all(Array.from({ length: n }, (_, i) => batching.run(key, row(i), 1, 41, explain(i))));
      got.forEach((result, i) => {
        expect(Array.from(result.scores)).toEqual(Array.from(expected[i].scores));
        expect(Array.from(result.contributions!)).toEqual(Array.from(expected[i].contributions!));
        expect(result.explanations).toEqual(expected[i].explanations);
      });
      // Top-3 and top-5 requests are never mixed: one message for the 6 waiting top-3 ones, one for the 5 top-5.
      expect(batching.batched).toEqual({ messages: 2, requests: 11 });
    } finally {
      await batching.close();
    }
  });

  it('never puts more than batchRows rows in one message', async () => {
    const batching = new WorkerPool({ size: 1, ortThreads: 1, splitRows: 64, batchRows: 4 });
    try {
      await batching.load(spec(pkg));
      const got = await Promise.all(Array.from({ length: n }, (_, i) => batching.run(key, row(i), 1, 41)));
      const expected = await Promise.all(Array.from({ length: n }, (_, i) => alone.run(key, row(i), 1, 41)));
      expect(got.map((r) => r.scores[0])).toEqual(expected.map((r) => r.scores[0]));
      // 11 waiting requests in messages of at most 4: 4 + 4 + 3.
      expect(batching.batched).toEqual({ messages: 3, requests: 11 });
    } finally {
      await batching.close();
    }
  });

  it('shows its batching in /metrics, read from the pool at each scrape', async () => {
    const metrics = new PrometheusMetrics(100);
    let counts = { messages: 0, requests: 0 };
    metrics.watchBatching(() => counts);
    expect(await metrics.registry.metrics()).toMatch(/^scoring_pool_batches_total 0$/m);
    counts = { messages: 2, requests: 11 };
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^scoring_pool_batches_total 2$/m);
    expect(text).toMatch(/^scoring_pool_batched_requests_total 11$/m);
  });

  it('runs a crashed batch again request by request, so only the request that crashes fails', async () => {
    const batching = new WorkerPool({ size: 1, ortThreads: 1, splitRows: 64, allowCrash: true });
    let replacements = 0;
    batching.on('worker-replaced', () => replacements++);
    try {
      await batching.load(spec(pkg));
      const first = batching.run(key, row(0), 1, 41);
      // The first already runs: the hook marks the next request, row 1, which is batched with row 2.
      batching.crashDuringNextTask();
      const waiting = [batching.run(key, row(1), 1, 41, explain(1)), batching.run(key, row(2), 1, 41, explain(1))];
      const settled = await Promise.allSettled([first, ...waiting]);
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((settled[1] as PromiseRejectedResult).reason).toBeInstanceOf(WorkerCrashedError);
      expect(batching.batched).toEqual({ messages: 1, requests: 2 });
      // Row 1 killed the batch's worker and, run alone, the replacement: two crashes.
      while (replacements < 2) await new Promise((resolve) => setTimeout(resolve, 10));
      const reference = await alone.run(key, row(2), 1, 41, explain(1));
      const retried = (settled[2] as PromiseFulfilledResult<Awaited<typeof reference>>).value;
      expect(Array.from(retried.contributions!)).toEqual(Array.from(reference.contributions!));
      expect(retried.explanations).toEqual(reference.explanations);
    } finally {
      await batching.close();
    }
  });
});

describe('the event loop during a large explained batch', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startService();
  });
  afterAll(async () => {
    await service.close();
  });

  it('answers health checks while 2000 leads are being explained', async () => {
    const order: string[] = [];
    const batch = request(service.app)
      .post('/v1/models/lead-scoring/score')
      .set(auth())
      .send({ records: leads(2000), explain: { all: true } })
      .then((res) => {
        order.push('batch');
        return res;
      });
    // Wait until the batch is in the worker pool, then ask for health.
    while (service.deps.pool.pending === 0 && order.length === 0) await new Promise((resolve) => setImmediate(resolve));
    await request(service.app).get('/v2/health/live').expect(200);
    order.push('health');
    const res = await batch;
    expect(res.status).toBe(200);
    expect(res.body.results).toHaveLength(2000);
    expect(order).toEqual(['health', 'batch']);
  });
});

/** A thread's nice value, as the kernel reports it (field 19 of /proc/<pid>/task/<tid>/stat). */
function niceOf(tid: number | 'thread-self'): number {
  const stat = readFileSync(tid === 'thread-self' ? '/proc/thread-self/stat' : `/proc/self/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

const linux = process.platform === 'linux' && existsSync('/proc/thread-self');

describe('worker priority', () => {
  (linux ? it : it.skip)(
    'each worker lowers its own thread to workerNice; the event loop keeps its priority',
    async () => {
      const ownNice = niceOf('thread-self');
      // 19 is the lowest priority, which any thread may move to whatever nice value it starts at.
      const pool = new WorkerPool({ size: 2, ortThreads: 1, splitRows: 64, workerNice: 19 });
      const started: PriorityOutcome[] = [];
      pool.on('worker-started', (outcome: PriorityOutcome) => started.push(outcome));
      try {
        await pool.unload('nothing-loaded'); // every worker answers, after its start-up message
        expect(started).toHaveLength(2);
        const tids = started.map((o) => (o.applied ? o.tid : NaN));
        expect(new Set(tids).size).toBe(2);
        for (const tid of tids) expect(niceOf(tid)).toBe(19);
        expect(niceOf('thread-self')).toBe(ownNice);
      } finally {
        await pool.close();
      }
    },
  );

  it('leaves the workers at the event loop priority when workerNice is 0', async () => {
    const pool = new WorkerPool({ size: 1, ortThreads: 1, splitRows: 64, workerNice: 0 });
    const started: PriorityOutcome[] = [];
    pool.on('worker-started', (outcome: PriorityOutcome) => started.push(outcome));
    try {
      await pool.unload('nothing-loaded');
      expect(started).toEqual([{ applied: false, reason: 'not requested' }]);
    } finally {
      await pool.close();
    }
  });
});
