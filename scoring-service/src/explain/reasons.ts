/**
 * Reasons: SHAP values per model column folded back into what a person recognises, then
 * ordered and phrased.
 *
 * Folding (through the feature pipeline's block layout, src/features/pipeline.ts):
 *  - one-input blocks (number, onehot, ordinal, bucket, days_since) fold into their input;
 *    several blocks of the same input (a number and its bucket) become one reason;
 *  - cross, hash and lookup blocks mix inputs, so each stays one reason under its own label
 *    ("Tenure bucket x mobility", "Product x gender interactions", "Shop profile").
 * A folded reason's contribution is the sum of its columns' SHAP values (the usual way to
 * report one-hot and hashed features), so folding keeps the total: base + the sum of all
 * reasons = the model's margin, to the last bit the column values carry.
 */
import type { FeatureBlock } from '../features/pipeline';
import type { InputSpec } from '../manifest/schema';
import type { TreeEnsemble } from '../trees/ensemble';
import { asOfEpochDay } from '../features/dates';
import { humanize, isMissing, phraseInput } from './phrasing';

export type ExplanationUnit = 'log-odds' | 'log-count' | 'value';

/** One reason group: the model columns that fold into one reason. */
export interface ReasonGroup {
  /** The input name, or the block's name for cross/hash/lookup blocks. */
  key: string;
  label: string;
  kind: 'input' | 'cross' | 'hash' | 'lookup';
  inputs: string[];
  columns: number[];
}

export interface Reason {
  /** Input name (or block name for a cross, hash set or lookup). */
  input: string;
  label: string;
  /** The lead's raw value (a summary text for blocks that read several inputs); null when missing. */
  value: string | number | boolean | null;
  /** Margin units (see Explanation.unit). */
  contribution: number;
  direction: 'raises' | 'lowers';
  text: string;
  /** Sampling explanations only: standard error of the contribution. */
  standardError?: number;
}

export interface Explanation {
  /** The model's average margin (bias): where every lead starts. */
  base: number;
  /** base + the contributions of every group (the lead's margin). */
  margin: number;
  unit: ExplanationUnit;
  /** Exact TreeSHAP, or the sampling estimate for models that are not trees. */
  method: 'treeshap' | 'sampling';
  /** How to read the contributions, for the person looking at them. */
  note: string;
  reasons: Reason[];
}

export interface ReasonOptions {
  /** The record's raw inputs, as sent. */
  inputs: Record<string, unknown>;
  /** Reference day for dates ("12 days ago"): the request's asOf, default today (UTC). */
  asOf?: string | Date;
  /** Keep the k largest reasons by |contribution|; all when absent. */
  top?: number;
}

export interface ReasonBuilder {
  readonly groups: readonly ReasonGroup[];
  readonly nColumns: number;
  readonly unit: ExplanationUnit;
  /** Sums column contributions (nColumns values, a trailing bias is ignored) into one value per group. */
  fold(columnContributions: ArrayLike<number>): Float64Array;
  /** From one row of TreeSHAP output (nColumns + 1 values, bias last). */
  fromColumns(row: ArrayLike<number>, options: ReasonOptions): Explanation;
  /** From one row of sampling output whose players are `groups` (nGroups + 1 values, expected value last). */
  fromGroups(
    values: ArrayLike<number>,
    standardErrors: ArrayLike<number> | undefined,
    options: ReasonOptions,
  ): Explanation;
}

const UNITS: Record<TreeEnsemble['link'], ExplanationUnit> = { logit: 'log-odds', log: 'log-count', identity: 'value' };

const NOTES: Record<ExplanationUnit, string> = {
  'log-odds':
    "Contributions are in log-odds. They add up from the base to the lead's margin, and the score is 1 / (1 + e^-margin). " +
    'A contribution c multiplies the odds of converting by e^c: +0.5 is about x1.65, -0.5 about x0.61.',
  'log-count':
    'Contributions are in log-count units. They add up from the base to the log of the expected count, so each one multiplies ' +
    'the expected count by e^contribution: +0.10 is about x1.11, -0.10 about x0.90. Reasons combine by multiplying, not adding, counts.',
  value: "Contributions are in the model's units and add up from the base to the prediction.",
};

const SAMPLING_NOTE =
  ' Estimated by permutation sampling against background data (interventional SHAP, for a model that is not a tree ensemble); ' +
  'each reason carries its standard error: the true value lies within two standard errors about 95% of the time.';

function blockLabel(block: FeatureBlock, specs: Map<string, InputSpec>): string {
  switch (block.kind) {
    case 'hash': {
      // "hash_product_gender" -> "Product x gender interactions"
      const words = block.name
        .replace(/^hash[_-]?/i, '')
        .split(/[_-]+/)
        .filter(Boolean);
      return words.length > 0 ? `${humanize(words.join(' x '))} interactions` : `${humanize(block.name)} interactions`;
    }
    case 'lookup': {
      // Keyed by a shop (then branch...): "Shop profile".
      const first = specs.get(block.inputs[0]);
      return first ? `${first.label} profile` : humanize(block.name);
    }
    default:
      return humanize(block.name);
  }
}

export function createReasonBuilder(layout: {
  blocks: readonly FeatureBlock[];
  inputs: readonly InputSpec[];
  link: TreeEnsemble['link'];
}): ReasonBuilder {
  const specs = new Map(layout.inputs.map((s) => [s.name, s]));
  const nColumns = layout.blocks.reduce((m, b) => Math.max(m, b.start + b.width), 0);
  const owner = new Int32Array(nColumns).fill(-1);
  const groups: ReasonGroup[] = [];
  const byKey = new Map<string, ReasonGroup>();
  for (const block of layout.blocks) {
    let group: ReasonGroup | undefined;
    if (block.kind === 'cross' || block.kind === 'hash' || block.kind === 'lookup') {
      let key = block.name;
      while (byKey.has(key)) key = `${key}_`; // never merge a block into an input of the same name
      group = { key, label: blockLabel(block, specs), kind: block.kind, inputs: [...block.inputs], columns: [] };
    } else {
      const input = block.inputs[0];
      group = byKey.get(input);
      if (!group)
        group = {
          key: input,
          label: specs.get(input)?.label ?? humanize(input),
          kind: 'input',
          inputs: [input],
          columns: [],
        };
    }
    if (!byKey.has(group.key)) {
      byKey.set(group.key, group);
      groups.push(group);
    }
    for (let c = block.start; c < block.start + block.width; c++) {
      if (owner[c] !== -1) throw new Error(`column ${c} belongs to two feature blocks`);
      owner[c] = groups.indexOf(group);
      group.columns.push(c);
    }
  }
  const uncovered = owner.indexOf(-1);
  if (uncovered >= 0) throw new Error(`column ${uncovered} belongs to no feature block`);
  const unit = UNITS[layout.link];

  function fold(columnContributions: ArrayLike<number>): Float64Array {
    if (columnContributions.length < nColumns)
      throw new RangeError(`expected ${nColumns} column contributions, got ${columnContributions.length}`);
    const out = new Float64Array(groups.length);
    for (let c = 0; c < nColumns; c++) out[owner[c]] += columnContributions[c];
    return out;
  }

  function reasonFor(g: number, contribution: number, options: ReasonOptions, asOfDay: number): Reason {
    const group = groups[g];
    const direction = contribution > 0 ? 'raises' : 'lowers';
    const spec = (name: string): InputSpec =>
      specs.get(name) ?? { name, type: 'string', label: humanize(name), required: false, strict: false };
    if (group.kind === 'input') {
      const raw = options.inputs[group.key];
      const value = isMissing(raw) ? null : (raw as string | number | boolean);
      return {
        input: group.key,
        label: group.label,
        value,
        contribution,
        direction,
        text: phraseInput(spec(group.key), raw, asOfDay),
      };
    }
    const parts = group.inputs.map((name) => phraseInput(spec(name), options.inputs[name], asOfDay));
    const present = group.inputs.filter((name) => !isMissing(options.inputs[name]));
    const value =
      present.length === 0
        ? null
        : present.map((name) => `${spec(name).label}: ${String(options.inputs[name])}`).join(', ');
    return {
      input: group.key,
      label: group.label,
      value,
      contribution,
      direction,
      text: `${group.label} (${parts.join(', ')})`,
    };
  }

  function build(
    contributions: ArrayLike<number>,
    base: number,
    errors: ArrayLike<number> | undefined,
    method: Explanation['method'],
    options: ReasonOptions,
  ): Explanation {
    if (options.top !== undefined && !(Number.isInteger(options.top) && options.top >= 1))
      throw new RangeError(`top must be a positive integer, got ${options.top}`);
    const asOfDay = asOfEpochDay(options.asOf);
    let margin = base;
    const order = groups.map((_, g) => g);
    for (let g = 0; g < groups.length; g++) margin += contributions[g];
    // Largest effect first; ties by label so the order never depends on the column layout.
    order.sort(
      (a, b) =>
        Math.abs(contributions[b]) - Math.abs(contributions[a]) || groups[a].label.localeCompare(groups[b].label),
    );
    const kept = options.top === undefined ? order : order.slice(0, options.top);
    const reasons = kept.map((g) => {
      const reason = reasonFor(g, contributions[g], options, asOfDay);
      if (errors) reason.standardError = errors[g];
      return reason;
    });
    return { base, margin, unit, method, note: NOTES[unit] + (method === 'sampling' ? SAMPLING_NOTE : ''), reasons };
  }

  return {
    groups,
    nColumns,
    unit,
    fold,
    fromColumns(row, options) {
      if (row.length < nColumns + 1)
        throw new RangeError(`expected ${nColumns + 1} values (columns and bias), got ${row.length}`);
      return build(fold(row), row[nColumns], undefined, 'treeshap', options);
    },
    fromGroups(values, standardErrors, options) {
      if (values.length < groups.length + 1)
        throw new RangeError(`expected ${groups.length + 1} values (groups and expected value), got ${values.length}`);
      return build(values, values[groups.length], standardErrors, 'sampling', options);
    },
  };
}
