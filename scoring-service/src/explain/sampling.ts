/**
 * Model-agnostic SHAP for models that are not tree ensembles (a logistic regression, a small
 * MLP exported to ONNX): antithetic permutation sampling of interventional Shapley values
 * against the package's background rows.
 *
 * The game: v(S) = mean over background rows b of margin(x_S, b_rest), i.e. the players in S
 * take the lead's values and the others take each background row's values ("interventional"
 * SHAP, what shap's PermutationExplainer and KernelExplainer estimate). This is a different
 * target from path-dependent TreeSHAP, which conditions through the trees' covers; for the same
 * tree model the two generally differ (docs/explanations.md).
 *
 * Estimator: each sample is a random order of the players and its reverse (antithetic pair).
 * Walking an order from "all background" to "all lead", each player's marginal change is an
 * unbiased estimate of its Shapley value, and each walk's changes sum exactly to
 * margin(x) - v(empty), so the estimates are additive whatever the sample size. The samples
 * are independent, so the standard error of each value is the sample standard deviation of
 * the per-pair estimates over sqrt(pairs). Background averaging is exact (every background
 * row is used for every coalition), so the error is sampling error only.
 *
 * All coalitions of a lead are built up front and sent to `predictMargin` in large batches,
 * so the model runtime (onnxruntime in the service) sees a few big calls, not thousands.
 */

/** Margins (log-odds, log-count or value) for n row-major float32 rows. */
export type PredictMargin = (rows: Float32Array, n: number) => Promise<Float64Array>;

export interface SamplingExplainerOptions {
  predictMargin: PredictMargin;
  nFeatures: number;
  /** Background rows (row-major, NaN = missing), e.g. the package's background.json. */
  background: Float32Array;
  nBackground: number;
  /**
   * Players: groups of columns that enter or leave together (e.g. the columns of one feature
   * block, so one-hot columns never mix two categories). Default: one player per column.
   */
  groups?: ReadonlyArray<ReadonlyArray<number>>;
  /** Antithetic permutation pairs per row (default 32). The error shrinks as 1/sqrt(pairs). */
  pairs?: number;
  /** Seed of the permutation generator (default 1): same seed, same rows, same values. */
  seed?: number;
  /** Most rows per predictMargin call (default 65536). */
  maxBatchRows?: number;
}

export interface SamplingExplanation {
  /** Players (groups or columns). */
  nPlayers: number;
  /** nRows x (nPlayers + 1): one value per player in margin space, then the expected value (mean background margin). */
  values: Float64Array;
  /** nRows x nPlayers: standard error of each value (sampling error of the estimate). */
  standardError: Float64Array;
  /** Model rows evaluated in total. */
  evaluations: number;
}

/**
 * Deterministic uniform [0, 1) generator (mulberry32): small, fast, good enough for shuffling.
 * Exported so tests elsewhere draw reproducible data from the same generator.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled(n: number, random: () => number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

function checkOptions(o: SamplingExplainerOptions): ReadonlyArray<ReadonlyArray<number>> {
  if (!Number.isInteger(o.nFeatures) || o.nFeatures < 1)
    throw new RangeError(`nFeatures must be a positive integer, got ${o.nFeatures}`);
  if (!Number.isInteger(o.nBackground) || o.nBackground < 1)
    throw new RangeError(`sampling SHAP needs at least one background row, got ${o.nBackground}`);
  if (o.background.length < o.nBackground * o.nFeatures) {
    throw new RangeError(
      `background holds ${o.background.length} values; ${o.nBackground} rows of ${o.nFeatures} columns need ${o.nBackground * o.nFeatures}`,
    );
  }
  const pairs = o.pairs ?? 32;
  if (!Number.isInteger(pairs) || pairs < 2)
    throw new RangeError(`pairs must be an integer >= 2 (a standard error needs two samples), got ${pairs}`);
  const groups = o.groups ?? Array.from({ length: o.nFeatures }, (_, j) => [j]);
  const seen = new Set<number>();
  groups.forEach((g, p) => {
    if (g.length === 0) throw new RangeError(`group ${p} has no columns`);
    for (const c of g) {
      if (!Number.isInteger(c) || c < 0 || c >= o.nFeatures)
        throw new RangeError(`group ${p} names column ${c}, the model has ${o.nFeatures}`);
      if (seen.has(c)) throw new RangeError(`column ${c} is in more than one group`);
      seen.add(c);
    }
  });
  if (seen.size !== o.nFeatures)
    throw new RangeError(`groups cover ${seen.size} of ${o.nFeatures} columns; every column must be in one group`);
  return groups;
}

/** Interventional SHAP estimates, with standard errors, for nRows rows. */
export async function explainBySampling(
  rows: Float32Array,
  nRows: number,
  options: SamplingExplainerOptions,
): Promise<SamplingExplanation> {
  const groups = checkOptions(options);
  const { predictMargin, nFeatures: width, background, nBackground: nb } = options;
  if (!Number.isInteger(nRows) || nRows < 0) throw new RangeError(`nRows must be a non-negative integer, got ${nRows}`);
  if (rows.length < nRows * width)
    throw new RangeError(`rows holds ${rows.length} values; ${nRows} rows of ${width} columns need ${nRows * width}`);
  const pairs = options.pairs ?? 32;
  const maxBatch = Math.max(nb, options.maxBatchRows ?? 65536);
  const random = seededRandom(options.seed ?? 1);
  const nPlayers = groups.length;
  const values = new Float64Array(nRows * (nPlayers + 1));
  const standardError = new Float64Array(nRows * nPlayers);
  let evaluations = 0;

  // v(empty): the background's mean margin, the same for every row.
  const backgroundMargins = await predictMargin(background.subarray(0, nb * width), nb);
  evaluations += nb;
  let expected = 0;
  for (let b = 0; b < nb; b++) expected += backgroundMargins[b] / nb;

  for (let r = 0; r < nRows; r++) {
    const row = rows.subarray(r * width, (r + 1) * width);
    // Each walk visits nPlayers - 1 intermediate coalitions (the full one is the row itself).
    const orders: Int32Array[] = [];
    for (let p = 0; p < pairs; p++) {
      const order = shuffled(nPlayers, random);
      orders.push(order, order.slice().reverse());
    }
    const steps = nPlayers - 1;
    const coalitionValues = new Float64Array(orders.length * steps);
    const perBatch = Math.max(1, Math.floor(maxBatch / nb));
    const batch = new Float32Array(Math.min(perBatch, orders.length * steps) * nb * width);
    let pending = 0;
    let done = 0;
    const flush = async (): Promise<void> => {
      if (pending === 0) return;
      const margins = await predictMargin(batch.subarray(0, pending * nb * width), pending * nb);
      evaluations += pending * nb;
      for (let c = 0; c < pending; c++) {
        let s = 0;
        for (let b = 0; b < nb; b++) s += margins[c * nb + b];
        coalitionValues[done + c] = s / nb;
      }
      done += pending;
      pending = 0;
    };
    const inCoalition = new Uint8Array(width);
    for (const order of orders) {
      inCoalition.fill(0);
      for (let s = 0; s < steps; s++) {
        for (const c of groups[order[s]]) inCoalition[c] = 1;
        const base = pending * nb * width;
        for (let b = 0; b < nb; b++) {
          const to = base + b * width;
          const from = b * width;
          for (let j = 0; j < width; j++) batch[to + j] = inCoalition[j] ? row[j] : background[from + j];
        }
        pending++;
        if (pending === perBatch) await flush();
      }
    }
    await flush();
    const full = (await predictMargin(row, 1))[0];
    evaluations += 1;

    // Per pair: the average of the two walks' marginal changes; then mean and standard error (two-pass).
    const estimates = new Float64Array(pairs * nPlayers);
    for (let p = 0; p < pairs; p++) {
      for (let w = 0; w < 2; w++) {
        const o = 2 * p + w;
        const order = orders[o];
        let previous = expected;
        for (let s = 0; s <= steps; s++) {
          const current = s < steps ? coalitionValues[o * steps + s] : full;
          estimates[p * nPlayers + order[s]] += (current - previous) / 2;
          previous = current;
        }
      }
    }
    const out = r * (nPlayers + 1);
    for (let i = 0; i < nPlayers; i++) {
      let mean = 0;
      for (let p = 0; p < pairs; p++) mean += estimates[p * nPlayers + i] / pairs;
      let squares = 0;
      for (let p = 0; p < pairs; p++) squares += (estimates[p * nPlayers + i] - mean) ** 2;
      values[out + i] = mean;
      standardError[r * nPlayers + i] = Math.sqrt(squares / (pairs - 1) / pairs);
    }
    values[out + nPlayers] = expected;
  }
  return { nPlayers, values, standardError, evaluations };
}
