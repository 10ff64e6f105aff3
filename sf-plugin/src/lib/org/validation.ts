/**
 * `org validate`'s comparison: what the org's full scoring path returned (Apex -> Named
 * Credential -> service) against the same inputs scored in-process from the package, and the
 * sample's decile distribution against the manifest's (each decile is 10% of the validation set).
 */
import type { LocalScore } from '../package/local-scorer.js';
import { present, psi, type Manifest } from '../library.js';

export type ValidateResponse = {
  stored?: unknown[];
  service?: { model?: string; version?: string; signature?: string; results?: { id: string; score: number; decile?: number }[] };
  request?: { asOf?: string; version?: string; records?: { id: string; inputs: Record<string, unknown> }[] };
};

export type Mismatch = { id: string; local: number | null; org: number | null; diff: number | null };

export type OrgComparison = {
  requested: number;
  compared: number;
  /** null when some score was not a number at all. */
  maxAbsDiff: number | null;
  mismatches: Mismatch[];
  missing: string[];
  versionsSeen: string[];
  signaturesSeen: string[];
  decileShares: number[];
  /** null when no lead was scored both ways (nothing to measure). */
  psi: number | null;
};

/** Share of `scores` in each of the manifest's deciles (1..10), all zero when there is none. */
export function decileShares(scores: readonly number[], manifest: Manifest): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const s of scores) counts[present(s, manifest).decile - 1]++;
  return counts.map((c) => (scores.length ? c / scores.length : 0));
}

export function compareScores(
  manifest: Manifest,
  requestedIds: string[],
  orgScores: Map<string, number>,
  localScores: LocalScore[],
  tolerance: number,
  meta: { versions: Set<string>; signatures: Set<string> },
): OrgComparison {
  const local = new Map(localScores.map((s) => [s.id, s.score]));
  const mismatches: Mismatch[] = [];
  const missing: string[] = [];
  let maxAbsDiff = 0;
  let compared = 0;
  const scored: number[] = [];
  for (const id of requestedIds) {
    const o = orgScores.get(id);
    const l = local.get(id);
    if (o === undefined || l === undefined) {
      missing.push(id);
      continue;
    }
    compared++;
    const diff = Math.abs(o - l);
    if (!(diff <= tolerance)) mismatches.push({ id, local: l, org: o, diff: Number.isFinite(diff) ? diff : null });
    maxAbsDiff = Math.max(maxAbsDiff, Number.isFinite(diff) ? diff : Infinity);
    scored.push(o);
  }
  const shares = decileShares(scored, manifest);
  const total = scored.length;
  return {
    requested: requestedIds.length,
    compared,
    maxAbsDiff: Number.isFinite(maxAbsDiff) ? maxAbsDiff : null,
    mismatches,
    missing,
    versionsSeen: [...meta.versions],
    signaturesSeen: [...meta.signatures],
    decileShares: shares.map((s) => Math.round(s * 1e4) / 1e4),
    psi: total ? psi(new Array<number>(10).fill(0.1), shares) : null,
  };
}
