import type { PrebuiltTreeShap } from '../explain/for-package';
import type { Explanation } from '../explain/reasons';
import type { FeatureBlock } from '../features/pipeline';
import type { Manifest } from '../manifest/schema';
import type { PriorityOutcome } from './priority';

/**
 * Messages between the pool (main thread) and its inference workers. Feature matrices and
 * results travel as typed arrays that are copied, never transferred. Transferring detaches a
 * buffer, and the first detached buffer in a thread (a V8 isolate) invalidates its
 * ArrayBufferDetaching protector: optimized code that depended on it is thrown away, and code
 * compiled after that checks for a detached buffer on every access (V8:
 * CompilationDependencies::DependOnArrayBufferDetachingProtector, Maglev's
 * DeoptIfBufferDetached). Found with --trace-deopt on the held-out depth-8 model. Once a worker
 * had transferred its first answer, its TreeSHAP for 200 rows went from 34 to 38 ms.
 * A copy of 200 scores or 200 feature rows costs microseconds.
 */

/** What a worker needs to serve one model version. */
export interface ModelSpec {
  /** Unique per artifact: "<name>@<version>:<sha256 prefix>". */
  key: string;
  /** The verified bytes of model.onnx (the worker never re-reads the file, so what runs is what was checked). */
  onnxBytes: Uint8Array;
  /** The package's background sample (feature rows), for covers or the model-agnostic explainer. */
  background?: { rows: number; columns: number; values: Float32Array };
  /** The package's verified manifest, whole: the model section (tensors, columns, link, covers) and the inputs' labels. */
  manifest: Manifest;
  /**
   * Build the explainer at load (once), so the first explained request does not pay for it:
   * how columns fold back into inputs (the compiled pipeline's blocks), what reasons are built from.
   */
  explain?: { blocks: FeatureBlock[] };
  /**
   * The TreeSHAP tables the first worker built for this version (SharedArrayBuffers): the other
   * workers, and any replacement, use them instead of building their own copy.
   */
  prebuilt?: PrebuiltTreeShap;
}

export interface TensorInfo {
  name: string;
  /** ONNX element type as ONNX Runtime names it: float32, int64, ... */
  type: string;
  dims: number[];
}

export interface ModelInfo {
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  /** How the explainer was built (tree-shap, fallback) or why there is none. */
  explainer: string;
  /** From the worker that built TreeSHAP tables: the tables, to share with the others (the pool keeps them). */
  prebuilt?: PrebuiltTreeShap;
}

export interface RunRequest {
  key: string;
  features: Float32Array;
  rows: number;
  /** Explain as well: reasons per row, built in the worker so the event loop stays free. */
  explain?: ExplainRequest;
}

export interface ExplainRequest {
  /** Keep the k largest reasons; all when absent. */
  top?: number;
  /** Reference day for phrasing dates. */
  asOf?: string;
  /** Each row's raw inputs, as sent (for phrasing values). */
  inputs: Record<string, unknown>[];
  /** Also return the raw contributions (tests, tools). */
  raw?: boolean;
  /**
   * Return each row's explanation as JSON text (JSON.stringify of the same object) instead of
   * the object. The HTTP route splices the text into its response: the main thread neither
   * deserializes nor re-serializes about 1 KB per explained row (250 KB for 200 rows).
   */
  json?: boolean;
}

/** One explanation per row: objects, or with explain.json each one's JSON text. */
export type Explanations = { format: 'objects'; rows: Explanation[] } | { format: 'json'; rows: string[] };

export interface RunResult {
  /** The prediction per row: probability (binary), expected count (Poisson) or value. */
  scores: Float64Array;
  /** When explained. */
  explanations?: Explanations;
  /**
   * With explain.raw: per row, one contribution per column (treeshap) or per group (sampling),
   * in margin units, then the base value: rows x (width + 1).
   */
  contributions?: Float64Array;
}

export interface RawTensor {
  name: string;
  type: string;
  dims: number[];
  data: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | string[];
}

export type ToWorker =
  | { id: number; op: 'load'; spec: ModelSpec; ortThreads: number }
  | { id: number; op: 'unload'; key: string }
  | { id: number; op: 'run'; request: RunRequest; crash?: boolean }
  | { id: number; op: 'infer'; key: string; inputs: RawTensor[]; outputs?: string[] }
  | { id: number; op: 'crash' };

export type FromWorker =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string; code?: string } }
  /** Sent once by a new worker: whether it lowered its thread's priority (PoolOptions.workerNice). */
  | { id: 0; started: PriorityOutcome };
