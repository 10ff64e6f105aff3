/** Count and regression metrics, as the Python trainer computes them (models/training/common.py). */

type Numbers = ArrayLike<number>;

function checkLengths(actual: Numbers, predicted: Numbers): void {
  if (actual.length !== predicted.length)
    throw new RangeError(`actual (${actual.length}) and predicted (${predicted.length}) differ in length`);
  if (actual.length === 0) throw new RangeError('no rows');
}

/** Unit Poisson deviance of each row, 2·(y·ln(y/μ) − (y − μ)) with y·ln(y/μ) = 0 when y = 0; their mean is poissonDeviance. */
export function poissonDevianceTerms(actual: Numbers, predicted: Numbers): Float64Array {
  checkLengths(actual, predicted);
  const terms = new Float64Array(actual.length);
  for (let i = 0; i < actual.length; i++) {
    const y = actual[i];
    const mu = predicted[i];
    if (!(mu > 0)) throw new RangeError(`prediction ${i} must be positive for Poisson deviance`);
    terms[i] = 2 * ((y > 0 ? y * Math.log(y / mu) : 0) - (y - mu));
  }
  return terms;
}

/** Mean Poisson deviance 2·mean(y·ln(y/μ) − (y − μ)), with y·ln(y/μ) = 0 when y = 0. Predictions must be positive. */
export function poissonDeviance(actual: Numbers, predicted: Numbers): number {
  const terms = poissonDevianceTerms(actual, predicted);
  let sum = 0;
  for (let i = 0; i < terms.length; i++) sum += terms[i];
  return sum / terms.length;
}

/** Weighted MAPE: Σ|y − μ| / Σy, i.e. absolute errors relative to the total actual count. */
export function weightedMape(actual: Numbers, predicted: Numbers): number {
  checkLengths(actual, predicted);
  let errors = 0;
  let total = 0;
  for (let i = 0; i < actual.length; i++) {
    errors += Math.abs(actual[i] - predicted[i]);
    total += actual[i];
  }
  if (total === 0) throw new RangeError('weighted MAPE is undefined when the actual counts sum to 0');
  return errors / total;
}

/** Coefficient of determination 1 − SS_res / SS_tot, in the units of the target (count space for count models). */
export function r2(actual: Numbers, predicted: Numbers): number {
  checkLengths(actual, predicted);
  let mean = 0;
  for (let i = 0; i < actual.length; i++) mean += actual[i];
  mean /= actual.length;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < actual.length; i++) {
    ssRes += (actual[i] - predicted[i]) ** 2;
    ssTot += (actual[i] - mean) ** 2;
  }
  return 1 - ssRes / ssTot;
}

export function rmse(actual: Numbers, predicted: Numbers): number {
  checkLengths(actual, predicted);
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += (actual[i] - predicted[i]) ** 2;
  return Math.sqrt(sum / actual.length);
}
