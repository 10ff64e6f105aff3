/**
 * Model column names implied by a manifest's feature blocks, in order. The importer checks
 * them against XGBoost's feature_names, so a model trained on a different column order
 * than the manifest describes is refused before it can score anything.
 * Names follow the manifest schema comments: `<input>=<category>`, `<name>[i]`, ...
 */
import type { FeatureSpec } from '../manifest/schema';

export function featureColumnNames(features: FeatureSpec[]): string[] {
  return features.flatMap((f): string[] => {
    switch (f.kind) {
      case 'number':
      case 'ordinal':
      case 'bucket':
      case 'days_since':
        return [f.name ?? f.input];
      case 'onehot':
        return [...f.categories.map((c) => `${f.input}=${c}`), ...(f.unknown ? [`${f.input}=__unknown__`] : [])];
      case 'cross':
        return [f.name];
      case 'hash':
        return Array.from({ length: f.nFeatures }, (_, i) => `${f.name}[${i}]`);
      case 'lookup':
        return [...f.columns];
    }
  });
}
