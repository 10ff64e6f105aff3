/**
 * `npm run bench`: the figures docs/performance.md reports, on lead-scoring 4.1.0.
 *  1. raw ONNX Runtime session.run for a 200-row batch (the floor), same session options as the workers;
 *  2. the service over HTTP (loopback, service in its own process) for the same batch, without and with top-5 reasons;
 *  3. single-record requests with top-5 reasons: p50/p99 at a fixed 200 requests/s, and the most req/s at a fixed concurrency;
 *  4. the service's event-loop delay p99 while it explains 200-lead batches;
 *  5. the SHAP benchmark (bench/shap.ts): TreeSHAP against XGBoost's pred_contribs, and the layouts on
 *     deep trees (bench/deep-trees.ts);
 *  6. a held-out model (held-out.ts: depth 8 x 120 trees) against FastAPI + XGBoost (reference.ts), when
 *     Debian's python3-fastapi, python3-uvicorn and python3-xgboost are present: single leads with top-5
 *     reasons at 16 connections, and 400 rows with every reason;
 * and at the end the issue's table: every figure with its reference and ratio, from this one run.
 * Options: --quick (shorter runs), --json (one JSON object at the end). No figure here is asserted by a test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSession, predictRows } from '../inference/session';
import { loadPackage } from '../package/loader';
import { HELD_OUT, prepareHeldOut } from './held-out';
import { referenceMissing, startReferenceServer, xgboostContribs } from './reference';
import {
  fixedConcurrency,
  fixedRate,
  percentile,
  post,
  postFor,
  sequential,
  startServer,
  type ServerHandle,
} from './http';

const MODEL = 'lead-scoring';
const VERSION = '4.1.0';
const ROWS = 200;
const quick = process.argv.includes('--quick');
const asJson = process.argv.includes('--json');

function modelsDir(): string {
  const candidates = [
    process.env.MODELS_DIR,
    path.resolve('models'),
    path.resolve(__dirname, '../../../models'),
  ].filter(Boolean) as string[];
  const found = candidates.find((d) => existsSync(path.join(d, 'registry.json')));
  if (!found) throw new Error('models/registry.json not found; run from the repository root or set MODELS_DIR');
  return found;
}

/** Leads with varied values and some missing inputs, the same in every run. */
function leads(n: number, prefix: string): { id: string; inputs: Record<string, unknown> }[] {
  const sources = ['Web', 'Referral', 'Event', 'Partner', 'Cold Call', 'LinkedIn', 'Purchased List'];
  const industries = ['Banking', 'Insurance', 'Finance', 'Consulting', 'Technology', 'Other'];
  const seniority = ['Individual Contributor', 'Manager', 'Director', 'VP', 'C-Level'];
  const firms = ['Independent RIA', 'Wirehouse', 'Regional BD', 'Independent BD', 'Bank', 'Insurance BD'];
  return Array.from({ length: n }, (_, i) => {
    const inputs: Record<string, unknown> = {
      lead_source: sources[i % 7],
      industry: industries[(i * 5) % 6],
      seniority: seniority[(i * 3) % 5],
      firm_type: firms[(i * 7) % 6],
      is_ia_rep: i % 2 === 0,
      tenure_at_firm_months: (i * 7) % 180,
      years_experience: 2 + ((i * 11) % 30),
      prior_firms: i % 6,
      mobility_score: (i * 13) % 100,
      recent_mover: i % 4 === 0,
      firm_bleeding: i % 5 === 0,
      firm_aum_musd: 50 + ((i * 97) % 5000),
      firm_headcount_change_pct: ((i * 17) % 40) - 20,
      licenses_count: 1 + (i % 5),
      has_series_65: i % 3 === 0,
      email_opens_90d: i % 17,
      email_clicks_90d: i % 5,
      web_visits_30d: i % 9,
      event_attended: i % 6 === 0,
      last_activity_date: `2026-${String(1 + (i % 11)).padStart(2, '0')}-15`,
      lead_created_date: `2025-${String(1 + (i % 12)).padStart(2, '0')}-01`,
      has_phone: i % 3 !== 0,
    };
    if (i % 5 === 0) delete inputs.years_experience;
    if (i % 7 === 0) inputs.industry = null;
    return { id: `${prefix}-${i}`, inputs };
  });
}

async function rawFloor(dir: string): Promise<{ medianMs: number; bestMs: number; usPerRow: number }> {
  const pkg = await loadPackage(dir, MODEL, VERSION);
  const features = pkg.pipeline.transform(leads(ROWS, 'raw'), { asOf: '2026-11-25' });
  const session = await createSession(pkg.onnxBytes, { threads: 1 });
  const spec = {
    inputName: pkg.manifest.model.inputName,
    outputName: pkg.manifest.model.outputName,
    columns: pkg.manifest.model.columns,
  };
  for (let i = 0; i < 20; i++) await predictRows(session, spec, features, ROWS);
  const times: number[] = [];
  for (let i = 0; i < (quick ? 50 : 200); i++) {
    const started = process.hrtime.bigint();
    await predictRows(session, spec, features, ROWS);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  await session.release();
  times.sort((a, b) => a - b);
  const medianMs = percentile(times, 50);
  return { medianMs, bestMs: times[0], usPerRow: (medianMs * 1000) / ROWS };
}

const fmt = (x: number, digits = 2) => x.toFixed(digits);

interface Times {
  median: number;
  p99: number;
}

interface TimedBatches {
  /** From the request's headers read to the response's last byte written, measured in the service's process. */
  service: Times;
  /** Measured by the client: from sending the request to the response's last byte read. */
  roundTrip: Times;
  /** Round trips of the same requests to plain node:http in the service's process answering as many bytes. */
  transport: Times;
  responseBytes: number;
}

/** Round trips of `n` calls one after the other to one of the floors in the service's process (server-child.ts). */
async function floorRoundTrips(server: ServerHandle, n: number, floorPath: string, body: string): Promise<Times> {
  await sequential(20, () => post(server.floorPort, floorPath, server.key, body));
  return sequential(n, () => post(server.floorPort, floorPath, server.key, body));
}

/** `n` calls one after the other, timed by the client and by the service; then the same against the transport floor. */
async function timedBatches(server: ServerHandle, n: number, url: string, body: string): Promise<TimedBatches> {
  const { bytes } = await postFor(server.port, url, server.key, body);
  await server.request('times-reset');
  const roundTrip = await sequential(n, () => post(server.port, url, server.key, body));
  const { median, p99 } = await server.request<Times>('times-read');
  const transport = await floorRoundTrips(server, n, `/transport?bytes=${bytes}`, body);
  return { service: { median, p99 }, roundTrip, transport, responseBytes: bytes };
}

async function main(): Promise<void> {
  const dir = modelsDir();
  const report: Record<string, unknown> = {
    model: `${MODEL} ${VERSION}`,
    node: process.version,
    cpus: os.availableParallelism(),
    cpu: os.cpus()[0]?.model,
    loadavg: os.loadavg().map((x) => +x.toFixed(2)),
  };
  const log = (line: string) => {
    if (!asJson) console.log(line);
  };
  log(
    `Scoring service benchmark: ${MODEL} ${VERSION}; node ${process.version}; ${os.availableParallelism()} cores (${report.cpu}); load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );

  const floor = await rawFloor(dir);
  report.rawFloor = floor;
  log(
    `1. raw session.run, ${ROWS} rows, 1 thread:        median ${fmt(floor.medianMs)} ms (best ${fmt(floor.bestMs)} ms, ${fmt(floor.usPerRow, 1)} us/row)`,
  );

  const seconds = quick ? 4 : 15;
  const server = await startServer({ MODELS_DIR: dir, PSI_WINDOW: '5000' });
  try {
    const url = `/v1/models/${MODEL}/score`;
    const batch = JSON.stringify({ version: VERSION, asOf: '2026-11-25', records: leads(ROWS, 'batch') });
    const batchExplained = JSON.stringify({
      version: VERSION,
      asOf: '2026-11-25',
      explain: { top: 5 },
      records: leads(ROWS, 'batch'),
    });
    const n = quick ? 40 : 150;
    await sequential(20, () => post(server.port, url, server.key, batch));
    await sequential(20, () => post(server.port, url, server.key, batchExplained));
    const plain = await timedBatches(server, n, url, batch);
    const explained = await timedBatches(server, n, url, batchExplained);
    const minimal = await floorRoundTrips(server, n, `/minimal?model=${MODEL}`, batch);
    report.http200 = {
      ...plain,
      ratioToFloor: plain.service.median / floor.medianMs,
      roundTripRatioToFloor: plain.roundTrip.median / floor.medianMs,
    };
    report.http200Minimal = { ...minimal, ratioToFloor: minimal.median / floor.medianMs };
    report.http200Top5 = explained;
    log(`2. HTTP, ${ROWS} rows (${server.workers} workers), ${n} calls one after the other; medians, p99 in brackets:`);
    log(`                     the service's own time     client round trip    transport floor (no work)`);
    const row = (label: string, b: TimedBatches) =>
      `   ${label.padEnd(17)} ${`${fmt(b.service.median)} ms (${fmt(b.service.p99)})`.padEnd(26)} ${`${fmt(b.roundTrip.median)} ms (${fmt(b.roundTrip.p99)})`.padEnd(20)} ${fmt(b.transport.median)} ms (${fmt(b.transport.p99)}), ${Math.round(b.responseBytes / 1024)} KiB answered`;
    log(row('no reasons', plain));
    log(row('top-5 reasons', explained));
    log(
      `   no reasons, the service's own time: ${fmt(plain.service.median / floor.medianMs)}x the raw floor (round trip: ${fmt(plain.roundTrip.median / floor.medianMs)}x)`,
    );
    log(
      `   minimal server (JSON.parse + features + pool, plain node:http), no reasons: round trip ${fmt(minimal.median)} ms (${fmt(minimal.p99)}) = ${fmt(minimal.median / floor.medianMs)}x`,
    );

    const singles = leads(1000, 'single');
    const single = (i: number) =>
      post(
        server.port,
        url,
        server.key,
        JSON.stringify({
          version: VERSION,
          asOf: '2026-11-25',
          explain: { top: 5 },
          records: [singles[i % singles.length]],
        }),
      );
    await fixedRate(100, 2, single);
    const rated = await fixedRate(200, seconds, single);
    report.single200rps = rated;
    log(
      `3. single record + top-5 reasons at 200 req/s for ${seconds} s: p50 ${fmt(rated.p50)} ms, p99 ${fmt(rated.p99)} ms, ${rated.errors} errors, held ${fmt(rated.rate, 0)} req/s`,
    );
    const concurrency = 16;
    const closed = await fixedConcurrency(concurrency, seconds, single);
    report.singleConcurrency = { concurrency, ...closed };
    log(
      `   single record + top-5 reasons, concurrency ${concurrency}: ${fmt(closed.rate, 0)} req/s, p50 ${fmt(closed.p50)} ms, p99 ${fmt(closed.p99)} ms, ${closed.errors} errors`,
    );

    await server.request('eld-reset');
    const eldLoad = await fixedRate(20, seconds, () => post(server.port, url, server.key, batchExplained));
    const eld = await server.request<{ resolutionMs: number; p50: number; p99: number; max: number }>('eld-read');
    const beyond = (ms: number) => Math.max(0, ms - eld.resolutionMs);
    report.eventLoopWhileExplaining = {
      delay: { p50: beyond(eld.p50), p99: beyond(eld.p99), max: beyond(eld.max) },
      histogram: eld,
      batchesPerSecond: 20,
      rows: ROWS,
      batchP99: eldLoad.p99,
      errors: eldLoad.errors,
    };
    log(
      `4. event-loop delay while explaining 20 x ${ROWS}-lead batches/s: p50 ${fmt(beyond(eld.p50))} ms, p99 ${fmt(beyond(eld.p99))} ms, max ${fmt(beyond(eld.max))} ms (batch p99 ${fmt(eldLoad.p99)} ms, ${eldLoad.errors} errors)`,
    );
    log(
      `   (beyond the ${eld.resolutionMs} ms sampling timer; the histogram's own figures, timer interval included: p50 ${fmt(eld.p50)}, p99 ${fmt(eld.p99)}, max ${fmt(eld.max)} ms)`,
    );
  } finally {
    await server.stop();
  }

  const shap = path.join(__dirname, __filename.endsWith('.ts') ? 'shap.ts' : 'shap.js');
  log('5. SHAP');
  const execArgv = __filename.endsWith('.ts') ? ['--require', require.resolve('tsx/cjs')] : [];
  const shapRun = spawnSync(process.execPath, [...execArgv, shap, '--json'], {
    encoding: 'utf8',
    env: { ...process.env, MODELS_DIR: dir },
  });
  const shapResult = JSON.parse(shapRun.stdout.trim().split('\n').pop() ?? '{}') as ShapResult;
  report.shap = shapResult;
  log(
    `   ${shapResult.model}, ${shapResult.trees} trees, 1 thread, in-process: ${shapResult.oursBatchUsPerRow} us/row in a batch of 200, ${shapResult.oursSingleRowUsPerRow} us/row one at a time; tables ${shapResult.tableMiB} MiB, built in ${shapResult.loadMs} ms`,
  );
  log(
    shapResult.xgboost
      ? `   XGBoost ${shapResult.xgboost.version} pred_contribs, 1 thread: ${shapResult.xgboost.usPerRow} us/row: ${shapResult.speedup}x (max |difference| ${shapResult.xgboost.maxAbsDiff})`
      : `   ${shapResult.xgboostSkipped}`,
  );

  const deep = spawnSync(
    process.execPath,
    [...execArgv, path.join(__dirname, __filename.endsWith('.ts') ? 'deep-trees.ts' : 'deep-trees.js'), '--json'],
    { encoding: 'utf8', env: { ...process.env, MODELS_DIR: dir } },
  );
  const deepRows = JSON.parse(deep.stdout.trim().split('\n').pop() ?? '[]') as Array<Record<string, unknown>>;
  report.deepTrees = deepRows;
  log('   deep trees (bench/deep-trees.ts), us/row in a batch / one row per call, tables:');
  for (const r of deepRows)
    log(
      `     ${String(r.shape).padEnd(20)} ${String(r.layout).padEnd(26)} ${String(r.batchUsPerRow).padStart(8)} / ${String(r.singleUsPerRow).padStart(8)}  ${r.tableMiB} MiB`,
    );

  const heldOut = await heldOutSection(dir, log, seconds);
  report.heldOut = heldOut;
  const table = issueTable(report, floor, heldOut, shapResult);
  report.table = table;
  log('');
  log('Summary (every figure from this run):');
  log(formatTable(table));
  if (asJson) console.log(JSON.stringify(report, null, 2));
}

interface ShapResult {
  model: string;
  trees: number;
  loadMs: number;
  tableMiB: number;
  oursBatchUsPerRow: number;
  oursSingleRowUsPerRow: number;
  xgboost?: { version: string; usPerRow: number; maxAbsDiff: number };
  xgboostSkipped?: string;
  speedup?: number;
}

interface HeldOutFigures {
  model: string;
  singleTop5: LoadFigures;
  referenceSingleTop5?: LoadFigures;
  allReasons400: { rows: number; service: Times; roundTrip: Times };
  referenceContribs400?: { version: string; threads: number; medianMs: number; bestMs: number };
  referenceSkipped?: string;
}

type LoadFigures = Awaited<ReturnType<typeof fixedConcurrency>> & { concurrency: number };

const CONCURRENCY = 16;
const ALL_REASONS_ROWS = 400;

/** The held-out model, ours against FastAPI + XGBoost: single leads at 16 connections, 400 rows with every reason. */
async function heldOutSection(dir: string, log: (line: string) => void, seconds: number): Promise<HeldOutFigures> {
  const model = await prepareHeldOut(dir, ALL_REASONS_ROWS);
  const missing = referenceMissing(['xgboost', 'fastapi', 'uvicorn']);
  const url = `/v1/models/${HELD_OUT.model}/score`;
  const singleBody = (i: number) =>
    JSON.stringify({ version: HELD_OUT.version, explain: { top: 5 }, records: model.records(i, 1) });
  const allBody = JSON.stringify({
    version: HELD_OUT.version,
    explain: { all: true },
    records: model.records(0, ALL_REASONS_ROWS),
  });
  log(`6. held-out model ${HELD_OUT.shape} (depth 8 x 120 trees, 30 columns), ours against FastAPI + XGBoost:`);
  try {
    const server = await startServer({ MODELS_DIR: model.modelsDir });
    let figures: HeldOutFigures;
    try {
      const send = (i: number) => post(server.port, url, server.key, singleBody(i));
      await fixedConcurrency(CONCURRENCY, 2, send);
      const single = { concurrency: CONCURRENCY, ...(await fixedConcurrency(CONCURRENCY, seconds, send)) };
      log(
        `   this service, single lead + top-5, ${CONCURRENCY} connections: ${fmt(single.rate, 0)} req/s, p50 ${fmt(single.p50)} ms, p99 ${fmt(single.p99)} ms, ${single.errors} errors`,
      );
      const n = quick ? 10 : 40;
      await sequential(5, () => post(server.port, url, server.key, allBody));
      await server.request('times-reset');
      const roundTrip = await sequential(n, () => post(server.port, url, server.key, allBody));
      const service = await server.request<Times>('times-read');
      log(
        `   this service, ${ALL_REASONS_ROWS} rows with every reason (${server.workers} workers): round trip median ${fmt(roundTrip.median)} ms (p99 ${fmt(roundTrip.p99)}), the service's own time ${fmt(service.median)} ms`,
      );
      figures = {
        model: HELD_OUT.shape,
        singleTop5: single,
        allReasons400: { rows: ALL_REASONS_ROWS, service: { median: service.median, p99: service.p99 }, roundTrip },
      };
    } finally {
      await server.stop();
    }
    if (missing) {
      figures.referenceSkipped = `reference skipped: ${missing}`;
      log(`   ${figures.referenceSkipped}`);
      return figures;
    }
    const reference = await startReferenceServer(model.xgboostFile, 2);
    try {
      const send = (i: number) => post(reference.port, '/score', '', singleBody(i));
      await fixedConcurrency(CONCURRENCY, 2, send);
      const single = { concurrency: CONCURRENCY, ...(await fixedConcurrency(CONCURRENCY, seconds, send)) };
      figures.referenceSingleTop5 = single;
      log(
        `   FastAPI + XGBoost pred_contribs (uvicorn, 2 workers), single lead + top-5, ${CONCURRENCY} connections: ${fmt(single.rate, 0)} req/s, p50 ${fmt(single.p50)} ms, p99 ${fmt(single.p99)} ms, ${single.errors} errors`,
      );
    } finally {
      await reference.stop();
    }
    const contribs = xgboostContribs(model.xgboostFile, model.rows, 2, quick ? 3 : 7);
    figures.referenceContribs400 = { ...contribs, threads: 2 };
    log(
      `   XGBoost ${contribs.version} pred_contribs, ${ALL_REASONS_ROWS} rows, 2 threads, in-process: median ${fmt(contribs.medianMs, 1)} ms (best ${fmt(contribs.bestMs, 1)})`,
    );
    return figures;
  } finally {
    model.remove();
  }
}

interface TableRow {
  figure: string;
  ours: string;
  reference: string;
  ratio: number | null;
  target: string;
  met: boolean | null;
}

function issueTable(
  report: Record<string, unknown>,
  floor: { medianMs: number },
  heldOut: HeldOutFigures,
  shap: ShapResult,
): TableRow[] {
  const http200 = report.http200 as TimedBatches;
  const single = heldOut.singleTop5;
  const refSingle = heldOut.referenceSingleTop5;
  const all = heldOut.allReasons400;
  const refAll = heldOut.referenceContribs400;
  const skipped = heldOut.referenceSkipped ?? 'not run';
  const singleRatio = refSingle ? single.rate / refSingle.rate : null;
  const allRatio = refAll ? refAll.medianMs / all.roundTrip.median : null;
  const floorRatio = http200.service.median / floor.medianMs;
  return [
    {
      figure: `single lead + top-5 reasons, ${CONCURRENCY} connections, depth-8 x 120 trees`,
      ours: `${fmt(single.rate, 0)} req/s, p99 ${fmt(single.p99, 1)} ms`,
      reference: refSingle
        ? `FastAPI + XGBoost pred_contribs, 2 workers: ${fmt(refSingle.rate, 0)} req/s, p99 ${fmt(refSingle.p99, 1)} ms`
        : skipped,
      ratio: singleRatio,
      target: '>= 5x (stretch 10x)',
      met: singleRatio === null ? null : singleRatio >= 5,
    },
    {
      figure: `exact SHAP, ${all.rows} rows, same model, over HTTP with all reasons`,
      ours: `${fmt(all.roundTrip.median, 1)} ms`,
      reference: refAll ? `XGBoost pred_contribs, 2 threads: ${fmt(refAll.medianMs, 1)} ms` : skipped,
      ratio: allRatio,
      target: '>= 10x',
      met: allRatio === null ? null : allRatio >= 10,
    },
    {
      figure: "200 rows without reasons over HTTP, service's own time",
      ours: `${fmt(http200.service.median)} ms`,
      reference: `raw session.run: ${fmt(floor.medianMs)} ms`,
      ratio: floorRatio,
      target: '<= 1.3x',
      met: floorRatio <= 1.3,
    },
    {
      figure: `exact SHAP per row, ${shap.model} (depth 6 x ${shap.trees} trees), 1 thread, in-process`,
      ours: `${shap.oursBatchUsPerRow} us/row`,
      reference: shap.xgboost
        ? `XGBoost ${shap.xgboost.version}: ${shap.xgboost.usPerRow} us/row`
        : (shap.xgboostSkipped ?? ''),
      ratio: shap.speedup ?? null,
      target: 'keep >= 20x',
      met: shap.speedup === undefined ? null : shap.speedup >= 20,
    },
  ];
}

function formatTable(rows: TableRow[]): string {
  const cells = rows.map((r) => [
    r.figure,
    r.ours,
    r.reference,
    r.ratio === null ? '-' : `${fmt(r.ratio)}x`,
    `${r.target}: ${r.met === null ? 'not measured' : r.met ? 'met' : 'not met'}`,
  ]);
  const header = ['figure', 'this service', 'reference', 'ratio', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...cells.map(line)].join('\n');
}

main().catch((err: Error) => {
  console.error(`bench failed: ${err.message}`);
  process.exit(1);
});
