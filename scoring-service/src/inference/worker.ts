/**
 * Inference worker: holds one ONNX Runtime session (and one explainer) per model version,
 * created once at load, and runs predictions and explanations off the main event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type * as ort from 'onnxruntime-node';
import { createReasonBuilder, type Explanation, type ReasonBuilder } from '../explain/reasons';
import { buildExplainer, type Explained, type Explainer } from './explainer';
import type { ExplainRequest, FromWorker, ModelInfo, ModelSpec, RunResult, ToWorker } from './protocol';
import { lowerThreadPriority } from './priority';
import { createSession, predictRows, runRaw, sessionInfo } from './session';

interface Loaded {
  spec: ModelSpec;
  session: ort.InferenceSession;
  explainer?: Explainer;
  reasons?: ReasonBuilder;
  explainerNote: string;
}

const loaded = new Map<string, Loaded>();
const options = (workerData ?? {}) as { allowCrash?: boolean; nice?: number };
const allowCrash = Boolean(options.allowCrash);
const priority = lowerThreadPriority(options.nice ?? 0);

async function load(spec: ModelSpec, ortThreads: number): Promise<ModelInfo> {
  const existing = loaded.get(spec.key);
  if (existing) return { ...sessionInfo(existing.session), explainer: existing.explainerNote };
  const session = await createSession(spec.onnxBytes, { threads: ortThreads });
  let explainer: Explainer | undefined;
  let reasons: ReasonBuilder | undefined;
  let explainerNote = 'not requested';
  if (spec.explain) {
    try {
      const { inputs, model } = spec.manifest;
      reasons = createReasonBuilder({ blocks: spec.explain.blocks, inputs, link: model.link });
      explainer = await buildExplainer(
        spec,
        session,
        reasons.groups.map((g) => [...g.columns]),
      );
      explainerNote = explainer.description;
    } catch (err) {
      explainerNote = `unavailable: ${(err as Error).message}`;
    }
  }
  loaded.set(spec.key, { spec, session, explainer, reasons, explainerNote });
  // Tables this worker built go back to the pool, which hands them to the other workers.
  const prebuilt = spec.prebuilt ? undefined : explainer?.shared;
  return { ...sessionInfo(session), explainer: explainerNote, ...(prebuilt ? { prebuilt } : {}) };
}

/** One explanation per row: contributions folded into reasons, phrased with the row's inputs. */
function explainRows(
  builder: ReasonBuilder,
  method: Explainer['method'],
  explained: Explained,
  rows: number,
  request: ExplainRequest,
): Explanation[] {
  const values = explained.contributions;
  const width = values.length / Math.max(rows, 1);
  const out: Explanation[] = new Array(rows);
  for (let r = 0; r < rows; r++) {
    const row = values.subarray(r * width, (r + 1) * width);
    const options = { inputs: request.inputs[r] ?? {}, asOf: request.asOf, top: request.top };
    out[r] =
      method === 'sampling'
        ? builder.fromGroups(row, explained.stderr?.subarray(r * (width - 1), (r + 1) * (width - 1)), options)
        : builder.fromColumns(row, options);
  }
  return out;
}

function get(key: string): Loaded {
  const entry = loaded.get(key);
  if (!entry) throw Object.assign(new Error(`Model ${key} is not loaded in this worker.`), { code: 'not-loaded' });
  return entry;
}

async function handle(msg: ToWorker): Promise<unknown> {
  switch (msg.op) {
    case 'load':
      return load(msg.spec, msg.ortThreads);
    case 'unload': {
      const entry = loaded.get(msg.key);
      loaded.delete(msg.key);
      if (entry) await entry.session.release();
      return true;
    }
    case 'run': {
      if (msg.crash && allowCrash) process.exit(70); // test hook: die holding a real request
      const { key, features, rows, explain } = msg.request;
      const entry = get(key);
      const scores = await predictRows(entry.session, entry.spec.manifest.model, features, rows);
      const result: RunResult = { scores };
      if (explain) {
        if (!entry.explainer || !entry.reasons)
          throw Object.assign(new Error(`Explanations are not available for ${key}: ${entry.explainerNote}.`), {
            code: 'no-explainer',
          });
        const explained = await entry.explainer.explain(features, rows);
        const explanations = explainRows(entry.reasons, entry.explainer.method, explained, rows, explain);
        // JSON text is also cheaper to post than objects: one string per row to copy, nothing to clone.
        result.explanations = explain.json
          ? { format: 'json', rows: explanations.map((e) => JSON.stringify(e)) }
          : { format: 'objects', rows: explanations };
        if (explain.raw) result.contributions = explained.contributions;
      }
      return result;
    }
    case 'infer':
      return runRaw(get(msg.key).session, msg.inputs, msg.outputs);
    case 'crash':
      if (allowCrash) process.exit(70);
      throw new Error('crash is disabled');
  }
}

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');
port.postMessage({ id: 0, started: priority } satisfies FromWorker);
port.on('message', (msg: ToWorker) => {
  handle(msg).then(
    (value) => port.postMessage({ id: msg.id, ok: true, value } satisfies FromWorker),
    (err: Error & { code?: string }) =>
      port.postMessage({
        id: msg.id,
        ok: false,
        error: { name: err.name, message: err.message, code: err.code },
      } satisfies FromWorker),
  );
});
