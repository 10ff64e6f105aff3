/**
 * In-process inference (the `@lead-scoring/scoring-service/inference` entry point): an ONNX Runtime
 * session over a package's model and batch prediction. Importing it loads ONNX Runtime, so
 * tools that do not score import it lazily.
 */
export { createSession, predictRows, runRaw, type SessionOptions } from './session';
export { WorkerPool, type PoolOptions } from './pool';
export type { Explanations, RunResult } from './protocol';
