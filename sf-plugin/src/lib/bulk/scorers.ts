/**
 * Who scores a chunk of leads for the bulk path: the library in-process (the service's worker
 * pool, ONNX session, TreeSHAP and reason text, in worker threads) or the service over HTTP in
 * 200-record calls, as Apex calls it. Both give per lead the fields the Apex writer stores.
 */
import type { LoadedPackage, ScoringRecord } from '../library.js';
import { present } from '../library.js';
import { ServiceClient } from '../service/client.js';
import type { ScoredLead } from './score-fields.js';

export type ScoreOptions = { explainTop: number; asOf: string };

export interface LeadScorer {
  /** How many records to hand over at once, and how many chunks may be in flight. */
  readonly chunkSize: number;
  readonly concurrency: number;
  score(records: ScoringRecord[]): Promise<ScoredLead[]>;
  close(): Promise<void>;
}

/** Young generation of each in-process scoring worker (MiB). */
export const BULK_WORKER_YOUNG_GENERATION_MB = 8;

/** The Apex request's batch size, and the most the service takes per call. */
export const SERVICE_CALL_RECORDS = 200;

export async function inProcessScorer(pkg: LoadedPackage, options: ScoreOptions & { workers?: number }): Promise<LeadScorer> {
  const { WorkerPool } = await import('@lead-scoring/scoring-service/inference');
  const workers = options.workers ?? 2;
  // splitRows as the service's default: a chunk is split over every worker. An 8 MiB young
  // generation per worker keeps the run's peak RSS under 512 MiB (docs/performance.md, bulk section).
  const pool = new WorkerPool({ size: workers, ortThreads: 1, splitRows: 64, youngGenerationMb: BULK_WORKER_YOUNG_GENERATION_MB });
  const key = `${pkg.name}@${pkg.version}:${pkg.manifest.sha256.slice(0, 12)}`;
  await pool.load({ key, onnxBytes: pkg.onnxBytes, background: pkg.background, manifest: pkg.manifest, explain: { blocks: [...pkg.pipeline.blocks] } });
  const columns = pkg.manifest.model.columns;
  return {
    chunkSize: 1000,
    concurrency: workers,
    async score(records) {
      const features = pkg.pipeline.transform(records, { asOf: options.asOf });
      const explain = options.explainTop > 0 ? { top: options.explainTop, asOf: options.asOf, inputs: records.map((r) => r.inputs), json: true } : undefined;
      const out = await pool.run(key, features, records.length, columns, explain);
      return records.map((_, i) => {
        const score = out.scores[i];
        const explanation = out.explanations?.format === 'json' ? out.explanations.rows[i] : out.explanations ? JSON.stringify(out.explanations.rows[i]) : undefined;
        return { score, ...present(score, pkg.manifest), version: pkg.version, explanation };
      });
    },
    close: () => pool.close(),
  };
}

export function serviceScorer(model: string, version: string, client: ServiceClient, options: ScoreOptions): LeadScorer {
  return {
    chunkSize: SERVICE_CALL_RECORDS,
    concurrency: 4,
    async score(records) {
      const results = await client.score(model, {
        version,
        ...(options.explainTop > 0 ? { explain: { top: options.explainTop } } : {}),
        asOf: options.asOf,
        records: records.map((r) => ({ id: r.id, inputs: r.inputs })),
      });
      const byId = new Map(results.map((r) => [r.id, r]));
      return records.map((r) => {
        const got = byId.get(r.id);
        if (!got) throw new Error(`The service returned no result for record ${r.id}.`);
        return {
          score: got.score,
          scaled: got.scaled,
          decile: got.decile,
          tier: got.tier,
          version: got.version,
          explanation: got.explanation === undefined ? undefined : JSON.stringify(got.explanation),
        };
      });
    },
    close: async () => undefined,
  };
}

/** Scores records in chunks with up to `concurrency` chunks in flight; results in input order. */
export async function scoreAll(scorer: LeadScorer, records: ScoringRecord[], onChunk?: (n: number) => void): Promise<ScoredLead[]> {
  const out = new Array<ScoredLead>(records.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < records.length) {
      const start = next;
      next += scorer.chunkSize;
      const chunk = records.slice(start, start + scorer.chunkSize);
      const scored = await scorer.score(chunk);
      for (let i = 0; i < scored.length; i++) out[start + i] = scored[i];
      onChunk?.(chunk.length);
    }
  };
  await Promise.all(Array.from({ length: scorer.concurrency }, lane));
  return out;
}
