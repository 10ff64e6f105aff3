/** The field mapping's identity: what the production gate compares between sandbox and production. */
import { createHash } from 'node:crypto';
import type { FieldMapping } from '../org/custom-metadata.js';
import { canonicalJson } from '../library.js';

/**
 * sha256 over the mapping of the given inputs (input -> field path, sorted by input). Inputs
 * with no mapping count as unmapped, so a missing record changes the signature too.
 */
export function mappingSignature(mappings: FieldMapping[], inputs: readonly string[]): string {
  const byInput = new Map(mappings.map((m) => [m.input, m.field]));
  const entries = [...inputs].sort().map((input) => ({ input, field: byInput.get(input) ?? null }));
  return createHash('sha256').update(canonicalJson(entries)).digest('hex');
}
