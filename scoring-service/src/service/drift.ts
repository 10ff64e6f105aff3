/** Drift of live scores against the manifest's baseline score histogram (PSI, from the metrics library). */
import type { Manifest } from '../manifest/schema';
import { histogram, psi } from '../metrics';

type Histogram = NonNullable<Manifest['baseline']['score']>;

export function populationStability(baseline: Histogram, values: ArrayLike<number>): number {
  return psi(baseline.proportions, histogram(values, baseline.edges));
}
