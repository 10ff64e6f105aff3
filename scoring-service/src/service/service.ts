/**
 * Builds one service instance (pool, models, Prometheus metrics, keys, app) from a configuration. The
 * server process and the in-process tests both start here; neither listens here.
 */
import type { Express } from 'express';
import { WorkerPool } from '../inference/pool';
import type { PriorityOutcome } from '../inference/priority';
import type { ServiceDeps } from './deps';
import { createApp } from './http/app';
import { generateKey, KeyRing } from './http/auth';
import { createLogger, type Logger } from './http/logger';
import type { Config } from './ops/config';
import { PrometheusMetrics } from './ops/prometheus';
import { ModelHost } from './serving/model-host';

export interface Service {
  app: Express;
  deps: ServiceDeps;
  /** Settles when the first model load has finished (loaded or refused). */
  loaded: Promise<void>;
  /** Keys generated because none were configured (print them once at start). */
  generatedKeys?: { client: string; admin: string };
  /** Refuse new work, wait for running requests, stop the workers. */
  close(): Promise<void>;
}

export interface ServiceOptions {
  log?: Logger;
  /** Lets tests crash a worker on purpose. */
  allowWorkerCrash?: boolean;
  /** Return before the models are loaded (the server listens at once and reports not ready until then). */
  loadInBackground?: boolean;
}

export async function createService(config: Config, options: ServiceOptions = {}): Promise<Service> {
  const log = options.log ?? createLogger(config.LOG_LEVEL);
  let clientKeys = config.SCORING_API_KEYS;
  let adminKeys = config.SCORING_ADMIN_KEYS;
  let generatedKeys: Service['generatedKeys'];
  if (clientKeys.length === 0 && adminKeys.length === 0) {
    // Auth is never off: with no keys configured, this process gets fresh random ones.
    generatedKeys = { client: generateKey('sk'), admin: generateKey('ak') };
    clientKeys = [generatedKeys.client];
    adminKeys = [generatedKeys.admin];
  }
  const prometheus = new PrometheusMetrics(config.PSI_WINDOW);
  const pool = new WorkerPool({
    size: config.WORKERS,
    ortThreads: config.ORT_THREADS,
    splitRows: config.SPLIT_ROWS,
    batchRows: config.BATCH_ROWS,
    workerNice: config.WORKER_NICE,
    allowCrash: options.allowWorkerCrash,
  });
  prometheus.watchBatching(() => pool.batched);
  let priorityWarned = false;
  pool.on('worker-started', (outcome: PriorityOutcome) => {
    if (outcome.applied) log.debug({ tid: outcome.tid, nice: outcome.nice }, 'inference worker started');
    else if (config.WORKER_NICE > 0 && !priorityWarned) {
      priorityWarned = true;
      log.warn(
        { reason: outcome.reason },
        "inference workers could not set their priority to WORKER_NICE; they run at the event loop's priority",
      );
    }
  });
  pool.on('worker-crashed', (err: Error) => {
    prometheus.workerRestarts.inc();
    log.error({ err: err.message }, 'inference worker crashed; replacing it');
  });
  const host = new ModelHost(config.modelsDir, pool, log, prometheus);
  const deps: ServiceDeps = {
    config,
    host,
    pool,
    keys: new KeyRing(clientKeys, adminKeys),
    prometheus,
    log,
    state: { shuttingDown: false },
  };
  const loaded = host.reload().then(
    () => undefined,
    (err: Error) => log.error({ reason: err.message }, 'no models loaded at start; the service is not ready'),
  );
  if (!options.loadInBackground) await loaded;
  const app = createApp(deps);
  return {
    app,
    deps,
    loaded,
    generatedKeys,
    async close() {
      deps.state.shuttingDown = true;
      await loaded;
      await host.close();
      await pool.close();
    },
  };
}
