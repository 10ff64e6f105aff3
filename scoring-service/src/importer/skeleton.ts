/**
 * The manifest fields the importer can infer when no training metadata comes with the
 * model: one number input per XGBoost column (named after feature_names, or f0..fn), passed
 * through unchanged. A data scientist then edits labels, units, fields and feature kinds.
 */
import type { XgboostModel, XgboostObjective } from '../trees/from-xgboost';

export const TASK_BY_OBJECTIVE: Record<
  XgboostObjective,
  'binary-classification' | 'poisson-regression' | 'regression'
> = {
  'binary:logistic': 'binary-classification',
  'count:poisson': 'poisson-regression',
  'reg:squarederror': 'regression',
};

/** Input names must be snake_case identifiers; XGBoost names can be anything ("Cold Call", "x[3]"). */
function toIdentifier(raw: string, index: number, taken: Set<string>): string {
  let name = raw
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!name) name = `f${index}`;
  if (!/^[a-z]/.test(name)) name = `f_${name}`;
  let unique = name;
  for (let k = 2; taken.has(unique); k++) unique = `${name}_${k}`;
  taken.add(unique);
  return unique;
}

export function manifestSkeleton(model: XgboostModel): Record<string, unknown> {
  const n = model.ensemble.nFeatures;
  const taken = new Set<string>();
  const columns = Array.from({ length: n }, (_, i) => {
    const original = model.featureNames?.[i];
    const input = toIdentifier(original ?? `f${i}`, i, taken);
    return { original, input };
  });
  return {
    task: TASK_BY_OBJECTIVE[model.objective],
    description: `Imported from an XGBoost ${model.objective} model (${model.ensemble.trees.length} trees) without training metadata: every column is a number input. Add labels, units, Salesforce fields and feature kinds before deploying.`,
    inputs: columns.map(({ original, input }) => ({
      name: input,
      type: 'number',
      label: original ?? `Feature ${input}`,
    })),
    // Keep the XGBoost column name when the input had to be renamed, so the columns still line up by name.
    features: columns.map(({ original, input }) =>
      original !== undefined && original !== input
        ? { kind: 'number', input, name: original }
        : { kind: 'number', input },
    ),
    outputs: model.objective === 'count:poisson' ? { confidence: { min: 0.5, max: 0.95 } } : {},
    metrics: {},
  };
}
