import type { WorkerPool } from '../inference/pool';
import type { KeyRing } from './http/auth';
import type { Logger } from './http/logger';
import type { Config } from './ops/config';
import type { PrometheusMetrics } from './ops/prometheus';
import type { ModelHost } from './serving/model-host';

/** What the routes are built from: one instance per service. */
export interface ServiceDeps {
  config: Config;
  host: ModelHost;
  pool: WorkerPool;
  keys: KeyRing;
  prometheus: PrometheusMetrics;
  log: Logger;
  /** Set once shutdown starts: readiness fails and new work is refused. */
  state: { shuttingDown: boolean };
}
