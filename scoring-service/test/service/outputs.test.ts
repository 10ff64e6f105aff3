import { canaryBucket, goesToChallenger } from '../../src/service/usecases/canary';
import { countConfidence, decileOf, scaledScore, tierOf } from '../../src/manifest/outputs';

const quantiles = Array.from({ length: 101 }, (_, i) => i / 100);

describe('presenting a score', () => {
  it('scales a score to its interpolated percentile among the validation quantiles', () => {
    expect(scaledScore(0.5, quantiles, 'binary-classification')).toBe(50);
    expect(scaledScore(0.505, quantiles, 'binary-classification')).toBe(51);
    expect(scaledScore(-1, quantiles, 'binary-classification')).toBe(0);
    expect(scaledScore(2, quantiles, 'binary-classification')).toBe(100);
  });

  it('counts decile cut points at or below the score; 10 is the top', () => {
    const cuts = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
    expect(decileOf(0.05, cuts, 0)).toBe(1);
    expect(decileOf(0.1, cuts, 0)).toBe(2);
    expect(decileOf(0.95, cuts, 0)).toBe(10);
  });

  it('picks the first tier, highest first, whose minimum decile the score reaches', () => {
    const tiers = [
      { name: 'Cold', minDecile: 1 },
      { name: 'Hot', minDecile: 9 },
      { name: 'Warm', minDecile: 6 },
    ];
    expect(tierOf(10, tiers)).toBe('Hot');
    expect(tierOf(6, tiers)).toBe('Warm');
    expect(tierOf(5, tiers)).toBe('Cold');
  });

  it('gives count confidence 1 - 1/(1 + sqrt(q)) clamped to [min, max]', () => {
    expect(countConfidence(0)).toBe(0.5);
    expect(countConfidence(9)).toBeCloseTo(0.75, 12);
    expect(countConfidence(10_000)).toBe(0.95);
    expect(countConfidence(4, { min: 0.1, max: 0.9 })).toBeCloseTo(2 / 3, 12);
  });
});

describe('canary routing', () => {
  it('buckets an id by the first 32 bits of its sha256, mod 100', () => {
    // sha256("00Q5e00000ABCDEAA2") starts with bytes that give this bucket; any other implementation must agree.
    const { createHash } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const id = '00Q5e00000ABCDEAA2';
    expect(canaryBucket(id)).toBe(createHash('sha256').update(id).digest().readUInt32BE(0) % 100);
    expect(goesToChallenger(id, 0)).toBe(false);
    expect(goesToChallenger(id, 100)).toBe(true);
  });

  it('sends about the canary percent of ids to the challenger', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `00Q${String(i).padStart(15, '0')}`);
    const share = ids.filter((id) => goesToChallenger(id, 20)).length / ids.length;
    expect(share).toBeGreaterThan(0.18);
    expect(share).toBeLessThan(0.22);
  });
});
