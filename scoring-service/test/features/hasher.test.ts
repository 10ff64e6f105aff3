import { readFileSync } from 'node:fs';
import path from 'node:path';
import { featureHasher, hashToken, murmurhash3Signed } from '../../src/features/hasher';

/** Written by models/training/golden_hasher.py from scikit-learn's own FeatureHasher and murmurhash3_32. */
interface HasherGolden {
  sklearn: string;
  murmur: { token: string; hash: number }[];
  cases: { tokens: string[]; nFeatures: number; alternateSign: boolean; nonzero: [number, number][]; dense?: number[] }[];
}
const golden: HasherGolden = JSON.parse(readFileSync(path.join(__dirname, '../../../models/golden/feature-hasher.json'), 'utf8'));

describe('FeatureHasher parity with scikit-learn', () => {
  it('has committed vectors to compare against, including non-ASCII tokens', () => {
    expect(golden.murmur.length).toBeGreaterThan(100);
    expect(golden.cases.length).toBeGreaterThan(100);
    expect(golden.murmur.some((m) => /[^\x00-\x7f]/.test(m.token))).toBe(true);
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

  it('maps a token to |h| mod n with the sign of h, or +1 without alternate sign', () => {
    const h = murmurhash3Signed('abc'); // negative for this token
    expect(h).toBeLessThan(0);
    expect(hashToken('abc', 32)).toEqual({ index: Math.abs(h) % 32, sign: -1 });
    expect(hashToken('abc', 32, false)).toEqual({ index: Math.abs(h) % 32, sign: 1 });
  });

  it('adds up tokens that land in the same column', () => {
    expect(Array.from(featureHasher([['a', 'a', 'a']], 4))).toEqual(Array.from(featureHasher([['a']], 4)).map((v) => v * 3));
  });
});
