/**
 * scikit-learn's FeatureHasher(input_type="string"), bit for bit: each token's UTF-8 bytes
 * are hashed with MurmurHash3 x86 32-bit (seed 0) read as a signed int h; the column is
 * |h| mod n_features and, with alternate_sign, the value is +1 for h >= 0 and -1 otherwise.
 * Values of tokens landing in the same column add up.
 */
import { x86 } from 'murmurhash3js-revisited';

/** MurmurHash3 x86 32-bit of a string's UTF-8 bytes, as a signed 32-bit integer (sklearn's murmurhash3_32(positive=False)). */
export function murmurhash3Signed(token: string, seed = 0): number {
  return x86.hash32(Buffer.from(token, 'utf8'), seed) | 0;
}

/** Column and sign of one token, as FeatureHasher computes them. */
export function hashToken(token: string, nFeatures: number, alternateSign = true): { index: number; sign: 1 | -1 } {
  const h = murmurhash3Signed(token);
  // Math.abs(-2^31) is exact in JavaScript, where sklearn special-cases it to the same remainder.
  const index = Math.abs(h) % nFeatures;
  return { index, sign: alternateSign && h < 0 ? -1 : 1 };
}

/** Adds the tokens' hashed values into out[offset .. offset + nFeatures). */
export function hashInto(
  tokens: Iterable<string>,
  out: Float32Array | Float64Array,
  offset: number,
  nFeatures: number,
  alternateSign = true,
): void {
  for (const token of tokens) {
    const { index, sign } = hashToken(token, nFeatures, alternateSign);
    out[offset + index] += sign;
  }
}

/** FeatureHasher.transform for a batch of token lists: a dense row-major [samples x nFeatures] matrix. */
export function featureHasher(samples: Iterable<string>[], nFeatures: number, alternateSign = true): Float64Array {
  const out = new Float64Array(samples.length * nFeatures);
  samples.forEach((tokens, i) => hashInto(tokens, out, i * nFeatures, nFeatures, alternateSign));
  return out;
}
