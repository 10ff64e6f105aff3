/**
 * Ranking metrics for binary models, computed the way the Python trainer computes them
 * (models/training/common.py), so gates compare like with like.
 */

type Numbers = ArrayLike<number>;

function checkLengths(labels: Numbers, scores: Numbers): void {
  if (labels.length !== scores.length)
    throw new RangeError(`labels (${labels.length}) and scores (${scores.length}) differ in length`);
  if (labels.length === 0) throw new RangeError('no rows');
}

/** Row indices sorted by ascending score; ties keep their original order (numpy's stable argsort). */
export function ascendingOrder(scores: Numbers): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
}

/**
 * Area under the ROC curve: the probability that a random positive outranks a random
 * negative, ties counting one half (Mann-Whitney with average ranks; equals
 * scikit-learn's roc_auc_score). NaN when only one class is present.
 */
export function auc(labels: Numbers, scores: Numbers): number {
  checkLengths(labels, scores);
  const order = ascendingOrder(scores);
  let positives = 0;
  let rankSumPositives = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
    const averageRank = (i + j) / 2 + 1; // ranks are 1-based
    for (let k = i; k <= j; k++) {
      if (labels[order[k]] > 0) {
        positives++;
        rankSumPositives += averageRank;
      }
    }
    i = j + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Group sizes of numpy's array_split(n, parts): the first n % parts groups get one more. */
function splitSizes(n: number, parts: number): number[] {
  const base = Math.floor(n / parts);
  const extra = n % parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}

/**
 * Conversion rate per decile: rows ranked by ascending score (stable) and cut into 10
 * nearly equal groups; index 0 is decile 1 (lowest scores), index 9 is decile 10 (top).
 */
export function conversionByDecile(labels: Numbers, scores: Numbers): number[] {
  checkLengths(labels, scores);
  if (labels.length < 10) throw new RangeError(`deciles need at least 10 rows, got ${labels.length}`);
  const order = ascendingOrder(scores);
  const rates: number[] = [];
  let at = 0;
  for (const size of splitSizes(order.length, 10)) {
    let positives = 0;
    for (let k = at; k < at + size; k++) positives += labels[order[k]];
    rates.push(positives / size);
    at += size;
  }
  return rates;
}

function positiveRate(labels: Numbers): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += labels[i];
  return sum / labels.length;
}

/** Lift per decile (decile rate / overall rate); index 9 = decile 10 = top scores. */
export function liftByDecile(labels: Numbers, scores: Numbers): number[] {
  const overall = positiveRate(labels);
  return conversionByDecile(labels, scores).map((rate) => rate / overall);
}

/** Lift of the top-scoring decile: how many times the overall conversion rate it converts at. */
export function topDecileLift(labels: Numbers, scores: Numbers): number {
  return liftByDecile(labels, scores)[9];
}

/** Conversion rate of the top-scoring decile. */
export function topDecileConversion(labels: Numbers, scores: Numbers): number {
  return conversionByDecile(labels, scores)[9];
}

/** The lowest-scoring 20% of rows (round(0.2 n) rows, stable ascending order): how many, and how many converted. */
function bottom20(labels: Numbers, scores: Numbers): { count: number; positives: number } {
  checkLengths(labels, scores);
  const order = ascendingOrder(scores);
  const count = Math.round(0.2 * order.length);
  if (count === 0) throw new RangeError('the bottom 20% is empty');
  let positives = 0;
  for (let k = 0; k < count; k++) positives += labels[order[k]];
  return { count, positives };
}

/** Conversion rate of the lowest-scoring 20% of rows (round(0.2 n) rows). */
export function bottom20Conversion(labels: Numbers, scores: Numbers): number {
  const { count, positives } = bottom20(labels, scores);
  return positives / count;
}

/**
 * Deprioritization efficiency: the share of leads in the bottom 20% by score minus the share of
 * all conversions those leads hold. Reps who skip the bottom 20% skip that share of the work and
 * lose only the second share of the conversions; the difference is what deprioritizing saves.
 * The V4.1.0 checklist's figures read this way: bottom-20% conversion 1.40% against ~3.4%
 * overall puts 0.2 x 1.40 / 3.4 = 8.3% of conversions in the bottom 20%, and 20% - 8.3% = 11.7%
 * (target >= 11%). A model that ranks at random scores about 0; a model whose bottom 20% never
 * converts scores the full share (about 0.2). The same bottom-20% cut as bottom20Conversion.
 * NaN when no row converted. The Apex job computes the same definition; this one is the reference.
 */
export function deprioritizationEfficiency(labels: Numbers, scores: Numbers): number {
  const { count, positives } = bottom20(labels, scores);
  let total = 0;
  for (let i = 0; i < labels.length; i++) total += labels[i];
  if (total === 0) return NaN;
  return count / labels.length - positives / total;
}
