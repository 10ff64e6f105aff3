/**
 * Scores records in-process with the same package, feature pipeline and ONNX Runtime the
 * service uses: the reference the org's path and the golden files are compared against.
 * Loaded lazily by the commands that need it, so list/deploy never load ONNX Runtime.
 */
import type { LoadedPackage, ScoringRecord } from './library.js';

export type LocalScore = { id: string; score: number; decile: number | null };

/** decile = 1 + number of cut points <= score (10 is the top), as the manifest defines it. */
export function decileOf(score: number, cuts: readonly number[] | undefined): number | null {
  if (!cuts) return null;
  let d = 1;
  for (const c of cuts) if (c <= score) d++;
  return d;
}

export async function scoreLocally(pkg: LoadedPackage, records: ScoringRecord[], asOf?: string): Promise<LocalScore[]> {
  if (records.length === 0) return [];
  const { createSession, predictRows } = await import('@lead-scoring/scoring-service/dist/inference/session.js');
  const features = pkg.pipeline.transform(records, asOf ? { asOf } : {});
  const session = await createSession(pkg.modelPath, { threads: 1 });
  try {
    const scores = await predictRows(session, pkg.manifest.model, features, records.length);
    return records.map((r, i) => ({ id: r.id, score: scores[i], decile: decileOf(scores[i], pkg.manifest.outputs.deciles) }));
  } finally {
    await session.release();
  }
}
