/**
 * Gauss-Legendre quadrature on [0, 1].
 *
 * TreeSHAP's Shapley weights are Beta integrals: for a leaf whose path has d unique
 * features, the weight sum for feature k is the integral over t in [0, 1] of a
 * polynomial of degree d - 1 (a product of (1 - t) z_j + t o_j over the other features).
 * An n-point Gauss-Legendre rule is exact for degree 2n - 1, so ceil(d / 2) points
 * give the exact Shapley value with all-positive terms (no cancellation).
 */
export interface QuadratureRule {
  nodes: Float64Array;
  weights: Float64Array;
}

const cache = new Map<number, QuadratureRule>();

/** The n-point rule on [0, 1] (nodes ascending). */
export function gaussLegendre01(n: number): QuadratureRule {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`quadrature needs a positive integer number of points, got ${n}`);
  const hit = cache.get(n);
  if (hit) return hit;
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Newton iteration on the Legendre polynomial P_n over [-1, 1], from the usual cosine guess.
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 1;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 1; k < n; k++) {
        const p2 = ((2 * k + 1) * x * p1 - k * p0) / (k + 1);
        p0 = p1;
        p1 = p2;
      }
      const pn = n === 1 ? x : p1;
      const pPrev = n === 1 ? 1 : p0;
      derivative = (n * (x * pn - pPrev)) / (x * x - 1);
      const step = pn / derivative;
      x -= step;
      if (Math.abs(step) < 1e-16) break;
    }
    // Map to [0, 1]: t = (1 - x) / 2 keeps the nodes ascending.
    nodes[i] = (1 - x) / 2;
    weights[i] = 1 / ((1 - x * x) * derivative * derivative);
  }
  const rule = { nodes, weights };
  cache.set(n, rule);
  return rule;
}
