/**
 * Bench of `sf scoring score` (npm run bench:bulk; also the last step of npm run bench): synthetic
 * leads with lead-scoring 4.1.0's 22 inputs, from the Bulk API 2.0 test server's query results to
 * its ingest uploads, top-5 reasons. Per run: leads/s end to end (query job to the last ingest
 * job read back) and the peak RSS of the scoring process (worker threads included; the test server
 * runs in its own process). In-process at 100k and 1M leads, and with --service-url against the
 * real service (2 workers). Scores and reasons written both ways are compared on a sample.
 *
 *   npx tsx sf-plugin/scripts/bench-bulk.ts [--leads 1000000] [--quick] [--json] [--no-service] [--service-small] [--only-big]
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection as JsforceConnection } from '@jsforce/jsforce-node';
import type { Connection } from '@salesforce/core';
import { Progress } from '@salesforce/sf-plugins-core';
import { bulkScore } from '../src/lib/bulk/bulk-score.js';
import { inProcessScorer, serviceScorer } from '../src/lib/bulk/scorers.js';
import { ServiceClient } from '../src/lib/service/client.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const big = Number(args[args.indexOf('--leads') + 1] ?? 0) || (quick ? 100_000 : 1_000_000);
const small = Math.min(100_000, big);
/** The command's default --page-size. */
const PAGE_SIZE = 10_000;

type Writes = {
  once: number;
  other: number;
  uploads: number;
  maxUpload: number;
  sample: Array<Record<string, string>>;
};
type Figures = {
  scorer: string;
  leads: number;
  seconds: number;
  leadsPerSecond: number;
  peakRssMiB: number;
  written: number;
  writtenOnce: number;
  uploads: number;
  maxUploadMB: number;
  sample: Writes['sample'];
};

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function startOrg(
  modelsDir: string,
  leads: number,
): Promise<{ url: string; child: ChildProcess; writes(): Promise<Writes>; stop(): Promise<void> }> {
  const child = fork(path.join(HERE, 'bench-bulk-server.ts'), [modelsDir, String(leads)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve) => child.once('message', (m: { url: string }) => resolve(m.url)));
  return {
    url,
    child,
    writes: () =>
      new Promise<Writes>((resolve) => {
        child.once('message', (m: Writes) => resolve(m));
        child.send({ op: 'writes' });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send({ op: 'stop' });
      }),
  };
}

async function startService(modelsDir: string): Promise<{ url: string; apiKey: string; stop(): Promise<void> }> {
  const port = await freePort();
  const apiKey = `bench-${randomBytes(8).toString('hex')}`;
  const child = spawn(process.execPath, [path.join(REPO, 'scoring-service', 'dist', 'server.js')], {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      MODELS_DIR: modelsDir,
      SCORING_API_KEYS: apiKey,
      SCORING_ADMIN_KEYS: `${apiKey}-admin`,
      WORKERS: '2',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    try {
      if ((await fetch(`${url}/v2/health/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, apiKey, stop: async () => void child.kill('SIGTERM') };
}

async function run(modelsDir: string, leads: number, service?: { url: string; apiKey: string }): Promise<Figures> {
  const org = await startOrg(modelsDir, leads);
  const stateRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-bulk-state-'));
  const conn = new JsforceConnection({
    instanceUrl: org.url,
    accessToken: 'bench',
    version: '62.0',
  }) as unknown as Connection;
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const started = performance.now();
  let mark = 100_000;
  const result = await bulkScore(
    {
      // Peak RSS so far at every 100,000 leads read (stderr), so a long run shows whether memory grows with the org.
      progress: {
        start: () => undefined,
        finish: () => undefined,
        update: (n: number) => {
          peak = Math.max(peak, process.memoryUsage().rss);
          if (n >= mark) {
            console.error(
              `  ${service ? 'service' : 'in-process'}: ${n} read, ${Math.round((performance.now() - started) / 1000)} s, peak RSS ${Math.round(peak / 1048576)} MiB`,
            );
            mark += 100_000;
          }
        },
      } as unknown as Progress,
    },
    {
      conn,
      org: { id: '00D000000000001AAA', isSandbox: true },
      modelsDir,
      model: 'lead-scoring',
      explainTop: 5,
      dryRun: false,
      resume: false,
      stateRoot,
      pageSize: PAGE_SIZE,
      pollIntervalMs: 50,
      serviceUrl: service?.url,
      scorer: async (pkg, options) =>
        service
          ? serviceScorer(
              pkg.name,
              pkg.version,
              new ServiceClient({ baseUrl: service.url, apiKey: service.apiKey }),
              options,
            )
          : inProcessScorer(pkg, options),
    },
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const writes = await org.writes();
  await org.stop();
  await fs.rm(stateRoot, { recursive: true, force: true });
  return {
    scorer: service ? '--service-url' : 'in-process',
    leads,
    seconds: Number(seconds.toFixed(1)),
    leadsPerSecond: Math.round(result.written / seconds),
    peakRssMiB: Math.round(peak / 1024 / 1024),
    written: result.written,
    writtenOnce: writes.once,
    uploads: writes.uploads,
    maxUploadMB: Number((writes.maxUpload / 1e6).toFixed(1)),
    sample: writes.sample,
  };
}

/** One run in this process (the child of main), so each peak RSS starts from a fresh process. */
async function one(): Promise<void> {
  const [modelsDir, leads, serviceUrl, apiKey] = args.slice(args.indexOf('--one') + 1);
  const figures = await run(modelsDir, Number(leads), serviceUrl !== '-' ? { url: serviceUrl, apiKey } : undefined);
  process.send!(figures);
}

function inChild(modelsDir: string, leads: number, service?: { url: string; apiKey: string }): Promise<Figures> {
  const child = fork(
    fileURLToPath(import.meta.url),
    ['--one', modelsDir, String(leads), service?.url ?? '-', service?.apiKey ?? '-'],
    {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  return new Promise((resolve, reject) => {
    child.once('message', (m: Figures) => resolve(m));
    child.once('exit', (code) => (code ? reject(new Error(`bench run exited with ${code}`)) : undefined));
  });
}

async function main(): Promise<void> {
  // A copy of the models: each run appends a bulk-score ledger entry.
  const modelsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-bulk-models-'));
  await fs.cp(path.join(REPO, 'models'), modelsDir, {
    recursive: true,
    filter: (src) => !src.includes(`${path.sep}training`),
  });
  const runs: Figures[] = [];
  const report = (f: Figures): void => {
    runs.push(f);
    if (!args.includes('--json'))
      console.log(
        `${f.scorer} ${f.leads} leads: ${f.leadsPerSecond} leads/s, ${f.seconds} s, peak RSS ${f.peakRssMiB} MiB, ${f.writtenOnce} written once, ${f.uploads} uploads (largest ${f.maxUploadMB} MB)`,
      );
  };
  if (!args.includes('--only-big')) report(await inChild(modelsDir, small));
  if (big > small) report(await inChild(modelsDir, big));
  if (args.includes('--no-service')) {
    console.table(runs.map(({ sample: _s, ...r }) => r));
    return;
  }
  const service = await startService(modelsDir);
  try {
    report(await inChild(modelsDir, small, service));
    if (big > small && !args.includes('--service-small')) report(await inChild(modelsDir, big, service));
  } finally {
    await service.stop();
  }
  const fields = [
    'Lead_Score__c',
    'Lead_Score_Reasons__c',
    'Lead_Score_Tier__c',
    'Lead_Score_Decile__c',
    'Lead_Score_Scaled__c',
  ];
  const local = runs.find((r) => r.scorer === 'in-process' && r.leads === small)!.sample;
  const remote = runs.find((r) => r.scorer === '--service-url' && r.leads === small)!.sample;
  const same =
    local.length > 0 &&
    local.length === remote.length &&
    local.every((l, i) => fields.every((f) => l[f] === remote[i][f]));
  const out = {
    machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}, node ${process.version}, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
    runs: runs.map(({ sample: _s, ...r }) => r),
    sampleCompared: local.length,
    identicalToService: same,
  };
  if (args.includes('--json')) console.log(JSON.stringify(out, null, 2));
  else {
    console.log(`\nsf scoring score bench (${out.machine})`);
    console.table(out.runs);
    console.log(
      `scores and reasons of ${out.sampleCompared} sample leads identical in-process and via the service: ${same}`,
    );
  }
  await fs.rm(modelsDir, { recursive: true, force: true });
  if (!same) process.exitCode = 1;
}

void (args.includes('--one') ? one() : main());
