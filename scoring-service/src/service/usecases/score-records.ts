/**
 * The score use case: records -> features (each version's pipeline) -> inference and
 * explanation (worker pool) -> presented results, as the JSON text of the response. Knows
 * nothing of HTTP requests; it throws the named errors of ../errors.ts for what the caller got wrong.
 */
import { MessageChannel } from 'node:worker_threads';
import type { z } from 'zod';
import { InputValidationError } from '../../features/errors';
import type { ScoringRecord } from '../../features/pipeline';
import type { WorkerPool } from '../../inference/pool';
import type { Explanations } from '../../inference/protocol';
import { present } from '../../manifest/outputs';
import { InputsInvalid, type Issue } from '../errors';
import type { ScoreRequest, scoreResponseSchema, scoreResultSchema } from '../http/schemas';
import type { PrometheusMetrics } from '../ops/prometheus';
import type { Role, ServedModel, ServedVersion, ServingSet } from '../serving/serving-set';
import { goesToChallenger } from './canary';

/** Batches from this size yield to the event loop once before their features (see score()). */
const YIELD_RECORDS = 100;

/**
 * Resumes after the event loop has run its due timers and I/O. A message to oneself arrives in a
 * later poll phase, after the timers phase, within microseconds; setImmediate would resume before
 * either, and setTimeout(0) waits at least 1 ms.
 */
const turns = new MessageChannel();
const waitingTurns: Array<() => void> = [];
turns.port1.on('message', () => waitingTurns.shift()?.());
turns.port1.unref();
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    waitingTurns.push(resolve);
    turns.port2.postMessage(0);
  });
}

export type ExplainOption = { top: number } | { all: true };
export type ScoreResult = z.output<typeof scoreResultSchema>;
export type ScoreResponse = z.output<typeof scoreResponseSchema>;

export interface ScoringContext {
  pool: WorkerPool;
  prometheus?: PrometheusMetrics;
  /** Wall-clock timings (ms) per step, for the request log. */
  timings?: Record<string, number>;
}

export interface ScoredRows {
  scores: Float64Array;
  explanations?: Explanations;
}

/** One run of one served version over some records. */
export interface VersionRun {
  served: ServedVersion;
  records: readonly ScoringRecord[];
  features: Float32Array;
  explain?: ExplainOption;
  asOf?: string;
  /** Explanations as JSON text written by the worker, to be spliced into a response, instead of objects. */
  explanationsAsJson?: boolean;
}

/** A score response as JSON text, with what the request log needs. */
export interface ScoreResponseJson {
  model: string;
  version: string;
  json: string;
}

/** Explanations as JSON text, per result object they belong to (explanations stay off the objects). */
type ExplanationTexts = Map<ScoreResult, string>;

/**
 * Inputs a version does not use but another served version of the model does are dropped
 * for that version (a mapping built for champion and challenger fits both); inputs no served
 * version knows are refused, naming them.
 */
export function checkKnownInputs(
  model: ServedModel,
  records: readonly ScoringRecord[],
  pathOf: (index: number, input: string) => string,
): void {
  const issues: Issue[] = [];
  records.forEach((record, index) => {
    for (const name of Object.keys(record.inputs)) {
      if (!model.knownInputs.has(name) && issues.length < 100) {
        issues.push({ path: pathOf(index, name), message: `${name.slice(0, 100)} is not an input of ${model.name}` });
      }
    }
  });
  if (issues.length > 0) {
    throw new InputsInvalid(`Some inputs are not inputs of ${model.name} (a field mapping typo?).`, issues);
  }
}

/**
 * Builds one version's feature rows; input problems become a 422 naming record paths.
 * Inputs of the model's other served versions (checkKnownInputs let them through) are ignored here.
 */
export function featuresFor(
  model: ServedModel,
  served: ServedVersion,
  records: readonly ScoringRecord[],
  asOf: string | undefined,
  pathOf: (recordId: string, input: string) => string,
): Float32Array {
  try {
    return served.pipeline.transform(records, { asOf, ignoreInputs: model.knownInputs });
  } catch (err) {
    if (!(err instanceof InputValidationError)) throw err;
    const issues = err.problems.map((p) => ({ path: pathOf(p.recordId, p.input), message: `${p.input} ${p.problem}` }));
    throw new InputsInvalid(
      `Inputs do not fit ${served.name} ${served.version}${err.truncated ? ' (first 100 problems shown)' : ''}.`,
      issues,
    );
  }
}

/** Runs one version on records: predictions, and explanations when asked. */
export async function runVersion(ctx: ScoringContext, run: VersionRun): Promise<ScoredRows> {
  const { served, records, features, explain } = run;
  const started = performance.now();
  const request = explain
    ? {
        top: 'top' in explain ? explain.top : undefined,
        asOf: run.asOf,
        inputs: records.map((r) => r.inputs),
        json: run.explanationsAsJson ?? false,
      }
    : undefined;
  const out = await ctx.pool.run(served.key, features, records.length, served.manifest.model.columns, request);
  const seconds = (performance.now() - started) / 1000;
  ctx.prometheus?.inference.observe(
    { model: served.name, version: served.version, explained: String(explain !== undefined) },
    seconds,
  );
  if (ctx.timings) ctx.timings.pool = (ctx.timings.pool ?? 0) + seconds * 1000;
  return { scores: out.scores, explanations: out.explanations };
}

function results(
  served: ServedVersion,
  role: Role,
  records: readonly ScoringRecord[],
  rows: ScoredRows,
  ctx: ScoringContext,
  texts: ExplanationTexts,
): ScoreResult[] {
  const scaled = new Array<number>(records.length);
  const list = records.map((record, i) => {
    const score = rows.scores[i];
    const shown = present(score, served.manifest);
    scaled[i] = shown.scaled;
    const result: ScoreResult = { id: record.id, version: served.version, role, score, ...shown };
    // The explanation is the last key, where resultsJson splices the text form.
    if (rows.explanations?.format === 'objects') result.explanation = rows.explanations.rows[i];
    else if (rows.explanations?.format === 'json') texts.set(result, rows.explanations.rows[i]);
    return result;
  });
  ctx.prometheus?.observeScores(served.manifest, rows.scores, scaled);
  ctx.prometheus?.records.inc(
    { model: served.name, version: served.version, role, explained: String(rows.explanations !== undefined) },
    records.length,
  );
  return list;
}

/**
 * Scores a request against one serving set, as the JSON text of the response (byte for byte
 * what JSON.stringify of the response as objects gives). Explanations come from the workers as
 * JSON text and are spliced in, so the event loop does not clone and re-serialize them.
 */
export async function scoreRecords(
  ctx: ScoringContext,
  set: ServingSet,
  modelName: string,
  request: ScoreRequest,
): Promise<ScoreResponseJson> {
  const { response, texts } = await score(ctx, set, modelName, request);
  if (texts.size === 0) return { model: response.model, version: response.version, json: JSON.stringify(response) };
  let json = `${JSON.stringify({ model: response.model, version: response.version, signature: response.signature }).slice(0, -1)},"results":${resultsJson(response.results, texts)}`;
  if (response.shadow) {
    const runs = response.shadow.map(
      (s) =>
        `${JSON.stringify({ version: s.version, role: s.role, signature: s.signature }).slice(0, -1)},"results":${resultsJson(s.results, texts)}}`,
    );
    json += `,"shadow":[${runs.join(',')}]`;
  }
  return { model: response.model, version: response.version, json: `${json}}` };
}

/** A JSON array of results, each with its explanation text (if any) as its last key. */
function resultsJson(results: readonly ScoreResult[], texts: ExplanationTexts): string {
  const parts = new Array<string>(results.length);
  for (let i = 0; i < results.length; i++) {
    const own = JSON.stringify(results[i]);
    const explanation = texts.get(results[i]);
    parts[i] = explanation === undefined ? own : `${own.slice(0, -1)},"explanation":${explanation}}`;
  }
  return `[${parts.join(',')}]`;
}

async function score(
  ctx: ScoringContext,
  set: ServingSet,
  modelName: string,
  request: ScoreRequest,
): Promise<{ response: ScoreResponse; texts: ExplanationTexts }> {
  const model = set.model(modelName);
  const records = request.records as ScoringRecord[];
  const indexById = new Map(records.map((r, i) => [r.id, i]));
  const pathOf = (recordId: string, input: string) => `records[${indexById.get(recordId) ?? '?'}].inputs.${input}`;
  checkKnownInputs(model, records, (i, input) => `records[${i}].inputs.${input}`);

  // Who scores which record: one version, or champion/challenger by the canary hash.
  const groups: { served: ServedVersion; role: Role; indexes: number[] }[] = [];
  const primary = set.resolve(modelName, request.version);
  const percent = request.canary?.percent ?? 0;
  if (request.canary && percent > 0) {
    const challenger = set.resolve(modelName, 'challenger');
    const toChallenger: number[] = [];
    const toChampion: number[] = [];
    records.forEach((r, i) => (goesToChallenger(r.id, percent) ? toChallenger : toChampion).push(i));
    if (toChampion.length > 0) groups.push({ ...primary, indexes: toChampion });
    if (toChallenger.length > 0) groups.push({ ...challenger, indexes: toChallenger });
  } else {
    groups.push({ ...primary, indexes: records.map((_, i) => i) });
  }
  const shadows = (request.shadow ?? []).map((ref) => set.resolve(modelName, ref));

  // A large batch gives the event loop a turn between its validation and its features: two
  // shorter blocking stretches instead of one.
  if (records.length >= YIELD_RECORDS) await yieldToEventLoop();
  // Features for every run first, so an input problem is reported before any inference.
  const started = performance.now();
  const primaryRuns = groups.map((g) => {
    const subset = g.indexes.length === records.length ? records : g.indexes.map((i) => records[i]);
    return { ...g, subset, features: featuresFor(model, g.served, subset, request.asOf, pathOf) };
  });
  const shadowRuns = shadows.map((s) => ({
    ...s,
    features: featuresFor(model, s.served, records, request.asOf, pathOf),
  }));
  if (ctx.timings) ctx.timings.features = performance.now() - started;

  const common = { explain: request.explain, asOf: request.asOf, explanationsAsJson: true };
  const [primaryOut, shadowOut] = await Promise.all([
    Promise.all(primaryRuns.map((g) => runVersion(ctx, { ...common, ...g, records: g.subset }))),
    Promise.all(shadowRuns.map((s) => runVersion(ctx, { ...common, ...s, records }))),
  ]);

  const texts: ExplanationTexts = new Map();
  const ordered = new Array<ScoreResult>(records.length);
  primaryRuns.forEach((g, k) => {
    results(g.served, g.role, g.subset, primaryOut[k], ctx, texts).forEach((result, j) => {
      ordered[g.indexes[j]] = result;
    });
  });
  const response: ScoreResponse = {
    model: model.name,
    version: primary.served.version,
    signature: primary.served.manifest.signature,
    results: ordered,
  };
  if (shadowRuns.length > 0) {
    response.shadow = shadowRuns.map((s, k) => ({
      version: s.served.version,
      role: s.role,
      signature: s.served.manifest.signature,
      results: results(s.served, s.role, records, shadowOut[k], ctx, texts),
    }));
  }
  return { response, texts };
}
