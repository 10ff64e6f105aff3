/**
 * Service configuration: read once from the environment at start-up and validated by one
 * zod schema, so a bad setting stops start-up with a message naming the variable.
 * docs/service.md lists every variable.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const keyList = z
  .string()
  .optional()
  .transform((raw) =>
    (raw ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k.length > 0),
  )
  .pipe(
    z.array(
      z
        .string()
        .min(16, 'each key must be at least 16 characters')
        .regex(/^[\x21-\x7e]+$/, 'keys are printable ASCII without spaces'),
    ),
  );

const int = (fallback: number, min: number, max: number) =>
  z.coerce.number().int(`must be a whole number`).min(min).max(max).default(fallback);

export const configSchema = z.object({
  PORT: int(8080, 0, 65535),
  /** Interface to listen on; unset = every interface (Node's default). */
  HOST: z.string().min(1).optional(),
  MODELS_DIR: z.string().min(1).default('./models'),
  SCORING_API_KEYS: keyList,
  SCORING_ADMIN_KEYS: keyList,
  MAX_RECORDS_PER_REQUEST: int(2000, 1, 100_000),
  /** Largest JSON body accepted, in bytes (2000 leads with 26 inputs need about 2 MB). */
  MAX_BODY_BYTES: int(8 * 1024 * 1024, 1024, 256 * 1024 * 1024),
  /** Worker threads running ONNX inference and explanations; default: one per core. */
  WORKERS: int(availableParallelism(), 1, 64),
  /** ONNX Runtime intra-op threads per session (per worker). One is fastest when every core has a worker. */
  ORT_THREADS: int(1, 1, 64),
  /** Batches larger than this are split across workers. */
  SPLIT_ROWS: int(64, 1, 100_000),
  /**
   * While every worker is busy, waiting requests for the same version go to the next free worker
   * together, up to this many rows per message (1 = one request per message). Nothing waits.
   */
  BATCH_ROWS: int(64, 1, 100_000),
  /**
   * Nice value of the worker threads on Linux (0 = the event loop's priority, 19 = the lowest):
   * the event loop is scheduled first, so health checks and small requests are answered while
   * the workers explain big batches. docs/performance.md has the measurements behind the default.
   */
  WORKER_NICE: int(19, 0, 19),
  /** Recent scores kept per model version for the PSI gauge in /metrics. */
  PSI_WINDOW: int(5000, 100, 1_000_000),
  REQUEST_TIMEOUT_MS: int(60_000, 1000, 3_600_000),
  SHUTDOWN_GRACE_MS: int(10_000, 0, 600_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.output<typeof configSchema> & { modelsDir: string };

export class ConfigError extends Error {}

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return { ...parsed.data, modelsDir: path.resolve(parsed.data.MODELS_DIR) };
}

/** A configuration for tests and embedding: defaults plus overrides, no environment. */
export function testConfig(overrides: Partial<Record<keyof z.input<typeof configSchema>, string>> = {}): Config {
  return loadConfig(overrides as NodeJS.ProcessEnv);
}
