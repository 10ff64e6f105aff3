/**
 * Hostile input: at least 10,000 generated malformed or adversarial requests against the score,
 * predict and infer routes of the real service (real models, real workers, real sockets).
 * Every one must get a 4xx application/problem+json answer; none a 5xx; the process keeps
 * serving, and answers to known good requests are byte-for-byte the same before and after.
 */
jest.setTimeout(600_000);

import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { EXPECTED_STATUS, inferCases, LIMITS, predictCases, scoreCases, type Hostile } from './support/hostile';
import type { RawResponse } from './support/http';
import { CLIENT_KEY, leads, listenService, MODELS_DIR, sampleLead, type Listening } from './support/service';

/** Cases per route; 4,000 + 3,000 + 3,000 = 10,000 per run. */
const RUNS = { score: 4000, predict: 3000, infer: 3000 };

const giftRows = (
  JSON.parse(readFileSync(path.join(MODELS_DIR, 'golden', 'gift-demand-2.1.0.json'), 'utf8')) as {
    rows: { inputs: Record<string, unknown> }[];
  }
).rows;
const sampleRow = () => ({ ...giftRows[0].inputs });

/** Names the failure well enough to reproduce it, without dumping 60 kB bodies. */
function describeCase(c: Hostile, res: RawResponse | undefined, why: string): string {
  const body = typeof c.body === 'string' ? c.body : c.body.toString('latin1');
  return `${why}\n  kind: ${c.kind}\n  path: ${c.path}\n  content-type: ${c.contentType}\n  body (${body.length} chars): ${body.slice(0, 300)}\n  status: ${res?.status}\n  response: ${res?.text.slice(0, 300)}`;
}

function assertProblem4xx(c: Hostile, res: RawResponse): void {
  if (res.status < 400 || res.status > 499) throw new Error(describeCase(c, res, 'expected a 4xx answer'));
  const expected = EXPECTED_STATUS[c.kind];
  if (expected && !expected.includes(res.status))
    throw new Error(describeCase(c, res, `expected ${expected.join(' or ')} for this kind`));
  if (!/^application\/problem\+json/.test(String(res.headers['content-type'])))
    throw new Error(describeCase(c, res, 'expected application/problem+json'));
  const body = res.json as { status?: unknown; title?: unknown; detail?: unknown; type?: unknown } | undefined;
  if (
    !body ||
    body.status !== res.status ||
    typeof body.title !== 'string' ||
    typeof body.detail !== 'string' ||
    typeof body.type !== 'string'
  ) {
    throw new Error(describeCase(c, res, 'expected a problem body {type, title, status, detail}'));
  }
  if (/\bat .+:\d+:\d+\)?/.test(res.text) || /node_modules|scoring-service\/(src|dist)/.test(res.text))
    throw new Error(describeCase(c, res, 'the answer leaks a stack trace or a file path'));
}

describe('hostile input on the score, predict and infer routes', () => {
  let running: Listening;
  let sent = 0;
  const kinds = new Map<string, number>();

  /** Known good requests; their answers must not change however many hostile ones come between. */
  const known = {
    score: {
      path: '/v1/models/lead-scoring/score',
      body: { asOf: '2026-11-25', explain: { top: 5 }, shadow: ['4.0.0'], records: leads(5, '00Qknown') },
    },
    predict: { path: '/predict', body: { asOf: '2026-11-25', rows: giftRows.slice(0, 12).map((r) => r.inputs) } },
    infer: {
      path: '/v2/models/lead-scoring/infer',
      body: {
        inputs: [
          {
            name: 'input',
            shape: [2, 41],
            datatype: 'FP32',
            data: Array.from({ length: 82 }, (_, i) => (i % 9 === 0 ? null : i % 13)),
          },
        ],
      },
    },
  };
  const answers = async () => {
    const out: Record<string, unknown> = {};
    for (const [name, k] of Object.entries(known)) {
      const res = await running.client.send({
        path: k.path,
        body: k.body,
        headers: { Authorization: `Bearer ${CLIENT_KEY}`, 'Content-Type': 'application/json' },
      });
      expect(res.status).toBe(200);
      out[name] = res.text;
    }
    return out;
  };
  let before: Record<string, unknown>;

  const send = async (c: Hostile) => {
    const headers: Record<string, string> = { Authorization: `Bearer ${CLIENT_KEY}` };
    if (c.contentType !== undefined) headers['Content-Type'] = c.contentType;
    let res: RawResponse;
    try {
      res = await running.client.send({ method: c.method ?? 'POST', path: c.path, headers, body: c.body });
    } catch (err) {
      throw new Error(describeCase(c, undefined, `the request failed at the socket: ${(err as Error).message}`));
    }
    sent++;
    kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
    assertProblem4xx(c, res);
  };

  beforeAll(async () => {
    running = await listenService({
      MAX_RECORDS_PER_REQUEST: String(LIMITS.records),
      MAX_BODY_BYTES: String(LIMITS.bodyBytes),
    });
    before = await answers();
  });
  afterAll(async () => {
    await running?.close();
  });

  it(`answers ${RUNS.score} hostile score requests with a 4xx problem each`, async () => {
    await fc.assert(fc.asyncProperty(scoreCases(sampleLead), send), { numRuns: RUNS.score });
  });

  it(`answers ${RUNS.predict} hostile predict requests with a 4xx problem each`, async () => {
    await fc.assert(fc.asyncProperty(predictCases(sampleRow), send), { numRuns: RUNS.predict });
  });

  it(`answers ${RUNS.infer} hostile infer requests with a 4xx problem each`, async () => {
    const meta = await running.client.send({
      method: 'GET',
      path: '/v2/models/lead-scoring',
      headers: { Authorization: `Bearer ${CLIENT_KEY}` },
    });
    const { inputs, outputs } = meta.json as { inputs: { shape: number[] }[]; outputs: { name: string }[] };
    await fc.assert(
      fc.asyncProperty(
        inferCases(
          inputs[0].shape[1],
          LIMITS.records,
          outputs.map((o) => o.name),
        ),
        send,
      ),
      { numRuns: RUNS.infer },
    );
  });

  it('sent at least 10,000 hostile requests of every kind, and still gives the same answers to known requests', async () => {
    expect(sent).toBeGreaterThanOrEqual(10_000);
    // Every kind of defect was exercised many times (so no generator is silently dead).
    for (const [kind, count] of kinds) expect([kind, count >= 20]).toEqual([kind, true]);
    expect(kinds.size).toBeGreaterThanOrEqual(50);

    const after = await answers();
    expect(after).toEqual(before);
    const ready = await running.client.send({ method: 'GET', path: '/v2/health/ready' });
    expect(ready.status).toBe(200);
    // The service's own counters agree: no 5xx was ever answered.
    const metrics = await running.client.send({
      method: 'GET',
      path: '/metrics',
      headers: { Authorization: `Bearer ${CLIENT_KEY}` },
    });
    const fiveXx = metrics.text
      .split('\n')
      .filter((line) => line.startsWith('scoring_http_requests_total') && /status="5\d\d"/.test(line));
    expect(fiveXx).toEqual([]);
    expect(metrics.text).toMatch(/^scoring_worker_restarts_total 0$/m);
  });
});
