import reference from './fixtures/reference.json';
import {
  auc,
  bottom20Conversion,
  categoricalShares,
  conversionByDecile,
  histogram,
  liftByDecile,
  poissonDeviance,
  psi,
  r2,
  rmse,
  topDecileConversion,
  topDecileLift,
  weightedMape,
} from '../../src/metrics';

describe('binary ranking metrics', () => {
  it('computes AUC by hand-checkable cases, ties counting one half', () => {
    expect(auc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4])).toBe(1);
    expect(auc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4])).toBe(0);
    // pairs (pos, neg): (0.8,0.5) win, (0.8,0.8) tie, (0.3,0.5) loss, (0.3,0.8) loss -> 1.5 / 4
    expect(auc([1, 0, 1, 0], [0.8, 0.5, 0.3, 0.8])).toBe(0.375);
    expect(auc([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
    expect(auc([1, 1], [0.2, 0.3])).toBeNaN();
  });

  it('agrees with scikit-learn roc_auc_score on tied scores', () => {
    expect(auc(reference.binary.labels, reference.binary.scores)).toBeCloseTo(reference.binary.auc, 12);
  });

  it('cuts deciles like numpy array_split over a stable ascending ranking, top decile last', () => {
    // 20 rows, scores 0..19; positives at scores 18 and 19 (top decile) and 0 (bottom decile).
    const scores = Array.from({ length: 20 }, (_, i) => i);
    const labels = scores.map((s) => (s === 0 || s >= 18 ? 1 : 0));
    expect(conversionByDecile(labels, scores)).toEqual([0.5, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    const overall = 3 / 20;
    expect(liftByDecile(labels, scores)[9]).toBeCloseTo(1 / overall, 12);
    expect(topDecileLift(labels, scores)).toBeCloseTo(1 / overall, 12);
    expect(topDecileConversion(labels, scores)).toBe(1);
    expect(bottom20Conversion(labels, scores)).toBe(0.25); // 4 lowest rows, one positive
  });

  it('matches the trainer on 237 rows with ties (uneven decile sizes)', () => {
    const { labels, scores } = reference.binary;
    const rates = conversionByDecile(labels, scores);
    const lifts = liftByDecile(labels, scores);
    rates.forEach((r, i) => expect(r).toBeCloseTo(reference.binary.conversion_by_decile[i], 12));
    lifts.forEach((l, i) => expect(l).toBeCloseTo(reference.binary.lift_by_decile[i], 12));
    expect(bottom20Conversion(labels, scores)).toBeCloseTo(reference.binary.bottom20_conversion, 12);
  });

  it('refuses mismatched lengths and too few rows', () => {
    expect(() => auc([1, 0], [0.5])).toThrow(/differ in length/);
    expect(() => liftByDecile([1, 0, 0], [0.1, 0.2, 0.3])).toThrow(/at least 10 rows/);
  });
});

describe('count metrics', () => {
  it('computes Poisson deviance, weighted MAPE, R2 and RMSE by hand', () => {
    // y = [0, 2], mu = [1, 1]: terms (0 - (0-1)) = 1 and (2 ln 2 - 1); deviance = 2 * mean = 2 ln 2
    expect(poissonDeviance([0, 2], [1, 1])).toBeCloseTo(2 * Math.log(2), 12);
    expect(weightedMape([2, 4], [1, 5])).toBeCloseTo(2 / 6, 12);
    expect(r2([1, 2, 3], [1, 2, 3])).toBe(1);
    expect(r2([1, 2, 3], [2, 2, 2])).toBe(0);
    expect(rmse([1, 3], [2, 2])).toBe(1);
    expect(() => poissonDeviance([1], [0])).toThrow(/positive/);
  });

  it('agrees with scikit-learn and the trainer', () => {
    const { actual, predicted } = reference.count;
    expect(poissonDeviance(actual, predicted)).toBeCloseTo(reference.count.poisson_deviance, 12);
    expect(weightedMape(actual, predicted)).toBeCloseTo(reference.count.weighted_mape, 12);
    expect(r2(actual, predicted)).toBeCloseTo(reference.count.r2, 12);
    expect(rmse(actual, predicted)).toBeCloseTo(reference.count.rmse, 12);
  });
});

describe('drift', () => {
  it('bins values into (-inf, e0], (e0, e1], ..., (e_last, inf) and ignores NaN', () => {
    expect(histogram([0, 1, 1.5, 2, 3, NaN], [1, 2])).toEqual([2 / 5, 2 / 5, 1 / 5]);
    expect(histogram([], [1])).toEqual([0, 0]);
  });

  it('shares categories with unknown and missing buckets', () => {
    expect(categoricalShares(['Web', 'Web', 'Fax', null, ''], ['Web', 'Event'])).toEqual({
      categories: ['Web', 'Event', '__unknown__', '__missing__'],
      proportions: [0.4, 0, 0.2, 0.4],
    });
    expect(categoricalShares([true, false, true], ['false', 'true', '__unknown__', '__missing__']).proportions).toEqual(
      [1 / 3, 2 / 3, 0, 0],
    );
  });

  it('computes PSI, zero for identical distributions, finite for empty bins', () => {
    expect(psi([0.5, 0.5], [0.5, 0.5])).toBe(0);
    expect(psi([0.5, 0.5], [0.25, 0.75])).toBeCloseTo(-0.25 * Math.log(0.5) + 0.25 * Math.log(1.5), 12);
    const withEmpty = psi([0.5, 0.5, 0], [0.4, 0.4, 0.2]);
    expect(Number.isFinite(withEmpty)).toBe(true);
    expect(withEmpty).toBeCloseTo(2 * -0.1 * Math.log(0.4 / 0.5) + (0.2 - 1e-4) * Math.log(0.2 / 1e-4), 12);
    expect(() => psi([1], [0.5, 0.5])).toThrow(/bins/);
  });
});
