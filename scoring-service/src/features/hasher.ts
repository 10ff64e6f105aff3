/**
 * scikit-learn's FeatureHasher(input_type="string"), bit for bit: each token's UTF-8 bytes
 * are hashed with MurmurHash3 x86 32-bit (seed 0) read as a signed int h; the column is
 * |h| mod n_features and, with alternate_sign, the value is +1 for h >= 0 and -1 otherwise.
 * Values of tokens landing in the same column add up.
 *
 * The hash is computed here, streaming over the token's pieces as UTF-8, because the
 * pipeline builds tokens like `product_id=P1|gender=female` for every row: encoding each to
 * a Buffer for a byte-array murmur library cost more than the rest of the pipeline. The
 * tests check this against the murmurhash3js-revisited library and scikit-learn's vectors.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
/** The constants, for code that ships the class source elsewhere (the warehouse hash UDF). */
export const MURMUR3_CONSTANTS = { C1, C2 } as const;

/** Incremental MurmurHash3 x86 32-bit over the UTF-8 encoding of the strings fed to it. */
export class Murmur3 {
  private h1 = 0;
  private pending = 0;
  private pendingBytes = 0;
  private length = 0;

  reset(seed = 0): this {
    this.h1 = seed | 0;
    this.pending = 0;
    this.pendingBytes = 0;
    this.length = 0;
    return this;
  }

  private byte(b: number): void {
    this.pending |= b << (this.pendingBytes << 3);
    this.length++;
    if (++this.pendingBytes === 4) {
      let k1 = Math.imul(this.pending, C1);
      k1 = Math.imul((k1 << 15) | (k1 >>> 17), C2);
      const h = this.h1 ^ k1;
      this.h1 = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
      this.pending = 0;
      this.pendingBytes = 0;
    }
  }

  /** Feeds a string as UTF-8 (a lone surrogate is encoded as U+FFFD, as Buffer.from does). */
  update(text: string): this {
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      if (c < 0x80) {
        this.byte(c);
      } else if (c < 0x800) {
        this.byte(0xc0 | (c >> 6));
        this.byte(0x80 | (c & 63));
      } else {
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
          const low = text.charCodeAt(i + 1);
          if (low >= 0xdc00 && low <= 0xdfff) {
            const cp = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
            this.byte(0xf0 | (cp >> 18));
            this.byte(0x80 | ((cp >> 12) & 63));
            this.byte(0x80 | ((cp >> 6) & 63));
            this.byte(0x80 | (cp & 63));
            i++;
            continue;
          }
        }
        if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
        this.byte(0xe0 | (c >> 12));
        this.byte(0x80 | ((c >> 6) & 63));
        this.byte(0x80 | (c & 63));
      }
    }
    return this;
  }

  /** The hash as a signed 32-bit integer (scikit-learn's murmurhash3_32(..., positive=False)). */
  digest(): number {
    let h = this.h1;
    if (this.pendingBytes > 0) {
      let k1 = Math.imul(this.pending, C1);
      k1 = Math.imul((k1 << 15) | (k1 >>> 17), C2);
      h ^= k1;
    }
    h ^= this.length;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h | 0;
  }
}

const shared = new Murmur3();

/** MurmurHash3 x86 32-bit of a string's UTF-8 bytes, as a signed 32-bit integer. */
export function murmurhash3Signed(token: string, seed = 0): number {
  return shared.reset(seed).update(token).digest();
}

/** Column of a signed hash: |h| mod n (Math.abs(-2^31) is exact here, where sklearn special-cases it to the same remainder). */
export function hashIndex(h: number, nFeatures: number): number {
  return Math.abs(h) % nFeatures;
}

/** Column and sign of one token, as FeatureHasher computes them. */
export function hashToken(token: string, nFeatures: number, alternateSign = true): { index: number; sign: 1 | -1 } {
  const h = murmurhash3Signed(token);
  return { index: hashIndex(h, nFeatures), sign: alternateSign && h < 0 ? -1 : 1 };
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
