import type { WorkerPool } from '../inference/pool';
import type { KeyRing } from './auth';
import type { Config } from './config';
import type { Logger } from './logger';
import type { ServiceMetrics } from './metrics';
import type { ModelHost } from './model-host';

/** What the routes are built from: one instance per service. */
export interface ServiceDeps {
  config: Config;
  host: ModelHost;
  pool: WorkerPool;
  keys: KeyRing;
  metrics: ServiceMetrics;
  log: Logger;
  /** Set once shutdown starts: readiness fails and new work is refused. */
  state: { shuttingDown: boolean };
}
