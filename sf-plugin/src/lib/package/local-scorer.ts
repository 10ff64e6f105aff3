/**
 * Scores records in-process with the same package, feature pipeline and ONNX Runtime the
 * service uses: the reference the org's path and the golden files are compared against.
 * Loaded lazily by the commands that need it, so list/deploy never load ONNX Runtime.
 */
import type { LoadedPackage, ScoringRecord } from '../library.js';

/** Raw scores only: callers compare them, and place them in deciles with present() where they need to. */
export type LocalScore = { id: string; score: number };

export async function scoreLocally(pkg: LoadedPackage, records: ScoringRecord[], asOf?: string): Promise<LocalScore[]> {
  if (records.length === 0) return [];
  const { createSession, predictRows } = await import('@lead-scoring/scoring-service/inference');
  const features = pkg.pipeline.transform(records, asOf ? { asOf } : {});
  const session = await createSession(pkg.modelPath, { threads: 1 });
  try {
    const scores = await predictRows(session, pkg.manifest.model, features, records.length);
    return records.map((r, i) => ({ id: r.id, score: scores[i] }));
  } finally {
    await session.release();
  }
}
