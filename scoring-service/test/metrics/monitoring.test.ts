import {
  bottom20Conversion,
  deprioritizationEfficiency,
  groupBy,
  groupByPeriod,
  periodKey,
  poissonDeviance,
  poissonDevianceTerms,
} from '../../src/metrics';

describe('deprioritization efficiency', () => {
  it('is the bottom 20% share of leads minus the share of conversions they hold (hand-computed)', () => {
    // 10 leads ranked by score 1..10; the bottom 20% is the 2 lowest (scores 1 and 2), holding 1 of 4 conversions.
    const scores = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const labels = [0, 1, 0, 1, 0, 0, 0, 1, 0, 1];
    // 2/10 of the leads, 1/4 of the conversions: 0.20 - 0.25 = -0.05 (worse than random).
    expect(deprioritizationEfficiency(labels, scores)).toBeCloseTo(-0.05, 12);
    // The same leads with the low-scored converter moved to the top: the bottom 2 hold none of 4.
    expect(deprioritizationEfficiency([0, 0, 0, 1, 0, 0, 0, 1, 1, 1], scores)).toBeCloseTo(0.2, 12);
  });

  it("reads the V4.1.0 checklist's figures: 1.40% bottom-20% conversion against 3.4% overall is ~11.7%", () => {
    // 5,000 leads, 170 conversions (3.4%); the 1,000 lowest-scored hold 14 (1.40%).
    const n = 5000;
    const scores = Array.from({ length: n }, (_, i) => i);
    const labels = new Array<number>(n).fill(0);
    for (let k = 0; k < 14; k++) labels[k * 70] = 1; // 14 in rows 0..910 (the bottom 1,000)
    for (let k = 0; k < 156; k++) labels[1000 + k * 25] = 1; // 156 in rows 1000..4875
    expect(labels.reduce((a, b) => a + b, 0)).toBe(170);
    expect(bottom20Conversion(labels, scores)).toBeCloseTo(0.014, 12);
    // 0.2 - 14/170 = 0.2 - 0.082353 = 0.117647
    expect(deprioritizationEfficiency(labels, scores)).toBeCloseTo(0.117647, 6);
  });

  it('is NaN when nothing converted, and refuses mismatched lengths', () => {
    expect(deprioritizationEfficiency(new Array(10).fill(0), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toBeNaN();
    expect(() => deprioritizationEfficiency([0, 1], [1])).toThrow(/differ in length/);
  });
});

describe('period grouping', () => {
  it('names days, ISO weeks (Monday start, week 1 holds the first Thursday) and months in UTC', () => {
    expect(periodKey('2026-03-29T23:59:59Z', 'daily')).toBe('2026-03-29');
    expect(periodKey('2026-03-29T23:59:59Z', 'weekly')).toBe('2026-W13'); // a Sunday
    expect(periodKey('2026-03-30T00:00:00Z', 'weekly')).toBe('2026-W14'); // the next Monday
    expect(periodKey('2026-12-31', 'weekly')).toBe('2026-W53');
    expect(periodKey('2027-01-01', 'weekly')).toBe('2026-W53'); // a Friday: still the last week of 2026
    expect(periodKey('2027-01-04', 'weekly')).toBe('2027-W01');
    expect(periodKey('2024-12-30', 'weekly')).toBe('2025-W01'); // a Monday in December, week 1 of 2025
    expect(periodKey('2024-12-29', 'weekly')).toBe('2024-W52');
    expect(periodKey(new Date('2026-02-28T12:00:00Z'), 'monthly')).toBe('2026-02');
  });

  it('groups rows by period, oldest first, each group with its [start, end)', () => {
    const rows = ['2026-03-31T10:00:00Z', '2026-03-29T10:00:00Z', '2026-03-30T09:00:00Z', '2026-04-02T00:00:00Z'].map((at, i) => ({ at, i }));
    const weekly = groupByPeriod(rows, (r) => r.at, 'weekly');
    expect(weekly.map((g) => [g.key, g.start, g.end, g.items.map((r) => r.i)])).toEqual([
      ['2026-W13', '2026-03-23T00:00:00.000Z', '2026-03-30T00:00:00.000Z', [1]],
      ['2026-W14', '2026-03-30T00:00:00.000Z', '2026-04-06T00:00:00.000Z', [0, 2, 3]],
    ]);
    const monthly = groupByPeriod(rows, (r) => r.at, 'monthly');
    expect(monthly.map((g) => [g.key, g.end, g.items.length])).toEqual([
      ['2026-03', '2026-04-01T00:00:00.000Z', 3],
      ['2026-04', '2026-05-01T00:00:00.000Z', 1],
    ]);
    expect(groupByPeriod(rows, (r) => r.at, 'daily').map((g) => g.key)).toEqual(['2026-03-29', '2026-03-30', '2026-03-31', '2026-04-02']);
  });

  it('orders cycle labels naturally and refuses a value that is not a date', () => {
    expect(groupBy(['cycle 10', 'cycle 2', 'cycle 2'], (c) => c).map((g) => [g.key, g.items.length])).toEqual([
      ['cycle 2', 2],
      ['cycle 10', 1],
    ]);
    expect(() => periodKey('spring', 'weekly')).toThrow(/"spring" is not a date/);
  });
});

describe('Poisson deviance terms', () => {
  it('are the per-row deviances whose mean is the deviance (hand-computed)', () => {
    // y=0, mu=1: 2*(0 - (0-1)) = 2; y=2, mu=2: 0; y=1, mu=e: 2*(1*ln(1/e) - (1-e)) = 2*(e-2)
    const terms = poissonDevianceTerms([0, 2, 1], [1, 2, Math.E]);
    expect(Array.from(terms)).toEqual([2, 0, expect.closeTo(2 * (Math.E - 2), 12)]);
    expect(poissonDeviance([0, 2, 1], [1, 2, Math.E])).toBeCloseTo((2 + 2 * (Math.E - 2)) / 3, 12);
  });
});
