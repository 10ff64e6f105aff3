/**
 * Scores records in-process with the same package, feature pipeline and ONNX Runtime the
 * service uses: the reference the org's path and the golden files are compared against.
 * Loaded lazily by the commands that need it, so list/deploy never load ONNX Runtime.
 */
import { present, type LoadedPackage, type ScoringRecord } from '../library.js';

export type LocalScore = { id: string; score: number; decile: number };

export async function scoreLocally(pkg: LoadedPackage, records: ScoringRecord[], asOf?: string): Promise<LocalScore[]> {
  if (records.length === 0) return [];
  const { createSession, predictRows } = await import('@lead-scoring/scoring-service/inference');
  const features = pkg.pipeline.transform(records, asOf ? { asOf } : {});
  const session = await createSession(pkg.modelPath, { threads: 1 });
  try {
    const scores = await predictRows(session, pkg.manifest.model, features, records.length);
    return records.map((r, i) => ({ id: r.id, score: scores[i], decile: present(scores[i], pkg.manifest).decile }));
  } finally {
    await session.release();
  }
}
