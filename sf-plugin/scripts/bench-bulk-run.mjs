/**
 * One measured run of the bulk bench (forked by bench-bulk.ts): `sf scoring score`'s library
 * function, compiled (sf-plugin/lib, built by `npm run build`), in plain node, as the `sf` CLI runs
 * it, against the Bulk API 2.0 test server in its own process. Sends the run's figures to the
 * parent over IPC. Peak RSS is this process's (its worker threads included), sampled every 100 ms
 * and printed at every 100,000 leads read.
 *
 *   argv: modelsDir leads serviceUrl|- apiKey|-
 */
import { fork } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection as JsforceConnection } from '@jsforce/jsforce-node';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const LIB = path.resolve(HERE, '..', 'lib', 'lib');
/** The command's default --page-size. */
const PAGE_SIZE = 10_000;

async function importCompiled() {
  try {
    const [{ bulkScore }, { inProcessScorer, serviceScorer }, { ServiceClient }] = await Promise.all([
      import(path.join(LIB, 'bulk', 'bulk-score.js')),
      import(path.join(LIB, 'bulk', 'scorers.js')),
      import(path.join(LIB, 'service', 'client.js')),
    ]);
    return { bulkScore, inProcessScorer, serviceScorer, ServiceClient };
  } catch (err) {
    throw new Error(`The bench runs the compiled plugin: run npm run build first (${err.message}).`);
  }
}

/** The bench's org: bench-bulk-server.ts (test code, under tsx) in a child process. */
async function startOrg(modelsDir, leads) {
  const child = fork(path.join(HERE, 'bench-bulk-server.ts'), [modelsDir, String(leads)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise((resolve) => child.once('message', (m) => resolve(m.url)));
  const ask = (op) =>
    new Promise((resolve) => {
      child.once(op === 'stop' ? 'exit' : 'message', (m) => resolve(m));
      child.send({ op });
    });
  return { url, writes: () => ask('writes'), stop: () => ask('stop') };
}

async function run(modelsDir, leads, service) {
  const { bulkScore, inProcessScorer, serviceScorer, ServiceClient } = await importCompiled();
  const org = await startOrg(modelsDir, leads);
  const stateRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-bulk-state-'));
  const conn = new JsforceConnection({ instanceUrl: org.url, accessToken: 'bench', version: '62.0' });
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const started = performance.now();
  let mark = 100_000;
  const progress = {
    start: () => undefined,
    finish: () => undefined,
    update: (n) => {
      peak = Math.max(peak, process.memoryUsage().rss);
      if (n >= mark) {
        const seconds = Math.round((performance.now() - started) / 1000);
        console.error(
          `  ${service ? 'service' : 'in-process'}: ${n} read, ${seconds} s, peak RSS ${Math.round(peak / 1048576)} MiB`,
        );
        mark += 100_000;
      }
    },
  };
  const result = await bulkScore(
    { progress },
    {
      conn,
      org: { id: '00D000000000001AAA', isSandbox: true },
      modelsDir,
      model: 'lead-scoring',
      explainTop: 5,
      history: true,
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
  const cpu = process.cpuUsage();
  const writes = await org.writes();
  await org.stop();
  await fs.rm(stateRoot, { recursive: true, force: true });
  return {
    scorer: service ? '--service-url' : 'in-process',
    leads,
    seconds: Number(seconds.toFixed(1)),
    leadsPerSecond: Math.round(result.written / seconds),
    peakRssMiB: Math.round(peak / 1024 / 1024),
    // CPU of this process (main thread and workers), per lead written: what the command costs, whatever the wall clock.
    cpuUsPerLead: Math.round((cpu.user + cpu.system) / Math.max(result.written, 1)),
    written: result.written,
    writtenOnce: writes.once,
    historyWritten: writes.historyInserted,
    uploads: writes.uploads,
    maxUploadMB: Number((writes.maxUpload / 1e6).toFixed(1)),
    sample: writes.sample,
  };
}

const [modelsDir, leads, serviceUrl, apiKey] = process.argv.slice(2);
const figures = await run(modelsDir, Number(leads), serviceUrl !== '-' ? { url: serviceUrl, apiKey } : undefined);
process.send(figures);
