import { createHash } from 'node:crypto';
import type { FeatureSpec, InputSpec } from './schema';

/** JSON with object keys sorted at every level, so the same schema always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The feature signature: sha256 over the ordered inputs (name and type) and feature blocks.
 * Labels, units and descriptions do not count: changing them does not change what the model sees.
 */
export function featureSignature(inputs: Pick<InputSpec, 'name' | 'type'>[], features: FeatureSpec[]): string {
  const schema = { inputs: inputs.map(({ name, type }) => ({ name, type })), features };
  return createHash('sha256').update(canonicalJson(schema)).digest('hex');
}
