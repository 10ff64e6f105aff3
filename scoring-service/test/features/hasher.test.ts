import { readFileSync } from 'node:fs';
import path from 'node:path';
import { x86 } from 'murmurhash3js-revisited';
import { featureHasher, hashToken, Murmur3, murmurhash3Signed } from '../../src/features/hasher';

/** Written by models/training/golden_hasher.py from scikit-learn's own FeatureHasher and murmurhash3_32. */
interface HasherGolden {
  sklearn: string;
  murmur: { token: string; hash: number }[];
  cases: {
    tokens: string[];
    nFeatures: number;
    alternateSign: boolean;
    nonzero: [number, number][];
    dense?: number[];
  }[];
}
const golden: HasherGolden = JSON.parse(
  readFileSync(path.join(__dirname, '../../../models/golden/feature-hasher.json'), 'utf8'),
);

describe('FeatureHasher parity with scikit-learn', () => {
  it('has committed vectors to compare against, including non-ASCII tokens', () => {
    expect(golden.murmur.length).toBeGreaterThan(100);
    expect(golden.cases.length).toBeGreaterThan(100);
    expect(golden.murmur.some((m) => [...m.token].some((ch) => ch.charCodeAt(0) > 0x7f))).toBe(true);
  });

  it('computes the same signed MurmurHash3 for every committed token', () => {
    const mismatches = golden.murmur.filter((m) => murmurhash3Signed(m.token) !== m.hash);
    expect(mismatches).toEqual([]);
  });

  it('produces the same hashed vector for every committed case', () => {
    const mismatches: string[] = [];
    golden.cases.forEach((c, k) => {
      const row = featureHasher([c.tokens], c.nFeatures, c.alternateSign);
      const nonzero: [number, number][] = [];
      row.forEach((v, i) => {
        if (v !== 0) nonzero.push([i, v]);
      });
      if (JSON.stringify(nonzero) !== JSON.stringify(c.nonzero)) mismatches.push(`case ${k}`);
      if (c.dense && JSON.stringify(Array.from(row)) !== JSON.stringify(c.dense)) mismatches.push(`case ${k} (dense)`);
    });
    expect(mismatches).toEqual([]);
  });

  it('agrees with the murmurhash3js-revisited library over UTF-8 bytes, surrogate pairs and lone surrogates included', () => {
    // A deterministic spread of strings: ASCII, 2- and 3-byte characters, emoji, lone surrogates, lengths 0..40.
    const alphabet = [
      'a',
      'Z',
      '=',
      '|',
      '0',
      'é',
      'ü',
      'ß',
      '日',
      '本',
      '€',
      '😀',
      '🚀',
      '\ud800',
      '\udfff',
      ' ',
      '\u0000',
    ];
    let seed = 12345;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const mismatches: string[] = [];
    for (let k = 0; k < 2000; k++) {
      let token = '';
      const len = next() % 41;
      for (let c = 0; c < len; c++) token += alphabet[next() % alphabet.length];
      const expected = x86.hash32(Buffer.from(token, 'utf8'), 0) | 0;
      if (murmurhash3Signed(token) !== expected) mismatches.push(JSON.stringify(token));
    }
    expect(mismatches).toEqual([]);
  });

  it('hashes a token fed in pieces the same as the whole token', () => {
    const whole = 'product_id=P-1|gender=female|shop=Zürich😀';
    const pieces = new Murmur3()
      .reset()
      .update('product_id=')
      .update('P-1')
      .update('|')
      .update('gender=female|shop=')
      .update('Zürich😀')
      .digest();
    expect(pieces).toBe(murmurhash3Signed(whole));
  });

  it('maps a token to |h| mod n with the sign of h, or +1 without alternate sign', () => {
    const h = murmurhash3Signed('abc'); // negative for this token
    expect(h).toBeLessThan(0);
    expect(hashToken('abc', 32)).toEqual({ index: Math.abs(h) % 32, sign: -1 });
    expect(hashToken('abc', 32, false)).toEqual({ index: Math.abs(h) % 32, sign: 1 });
  });

  it('adds up tokens that land in the same column', () => {
    expect(Array.from(featureHasher([['a', 'a', 'a']], 4))).toEqual(
      Array.from(featureHasher([['a']], 4)).map((v) => v * 3),
    );
  });
});
