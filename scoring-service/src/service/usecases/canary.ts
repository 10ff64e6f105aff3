/**
 * Canary routing: whether a record goes to the challenger is decided by a stable hash of its id,
 * so the same lead keeps the same model across calls and across replicas. Reproducible anywhere:
 * bucket = first 4 bytes of sha256(utf8 id) as an unsigned big-endian integer, mod 100;
 * the challenger takes buckets below the canary percent.
 */
import { createHash } from 'node:crypto';

export function canaryBucket(id: string): number {
  return createHash('sha256').update(id, 'utf8').digest().readUInt32BE(0) % 100;
}

export function goesToChallenger(id: string, percent: number): boolean {
  return canaryBucket(id) < percent;
}
