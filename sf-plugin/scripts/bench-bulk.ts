/**
 * Bench of `sf scoring score` (npm run bench:bulk; also the last step of npm run bench): synthetic
 * leads with lead-scoring 4.1.0's 22 inputs, from the Bulk API 2.0 test server's query results to
 * its ingest uploads, top-5 reasons. Per run: leads/s end to end (query job to the last ingest
 * job read back) and the peak RSS of the scoring process (worker threads included; the test server
 * runs in its own process). In-process at 100k and 1M leads, and with --service-url against the
 * real service (2 workers). Scores and reasons written both ways are compared on a sample. Each run
 * is bench-bulk-run.mjs in its own process, on the compiled plugin (npm run build first).
 *
 *   npx tsx sf-plugin/scripts/bench-bulk.ts [--leads 1000000] [--quick] [--json] [--no-service] [--service-small] [--only-big]
 */
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const big = Number(args[args.indexOf('--leads') + 1] ?? 0) || (quick ? 100_000 : 1_000_000);
const small = Math.min(100_000, big);
/** What bench-bulk-run.mjs reports for one run. */
type Figures = {
  scorer: string;
  leads: number;
  seconds: number;
  leadsPerSecond: number;
  peakRssMiB: number;
  cpuUsPerLead: number;
  written: number;
  writtenOnce: number;
  historyWritten: number;
  uploads: number;
  maxUploadMB: number;
  sample: Array<Record<string, string>>;
};

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
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

/**
 * One run in a fresh process, so each peak RSS starts from zero: bench-bulk-run.mjs, plain node on
 * the compiled command code (sf-plugin/lib), as `sf scoring score` runs it; no tsx in the measured process.
 */
function inChild(modelsDir: string, leads: number, service?: { url: string; apiKey: string }): Promise<Figures> {
  const child = fork(
    path.join(HERE, 'bench-bulk-run.mjs'),
    [modelsDir, String(leads), service?.url ?? '-', service?.apiKey ?? '-'],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
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
        `${f.scorer} ${f.leads} leads: ${f.leadsPerSecond} leads/s, ${f.seconds} s, peak RSS ${f.peakRssMiB} MiB, ${f.writtenOnce} written once, ${f.historyWritten} history rows, ${f.uploads} uploads (largest ${f.maxUploadMB} MB)`,
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

void main();
