/**
 * XGBoost JSON model (`Booster.save_model("m.json")`) -> TreeEnsemble.
 *
 * Reads the trees as stored (split_conditions are float32 thresholds, and leaf values on
 * leaves; sum_hessian is the cover XGBoost's own pred_contribs uses), and turns the stored
 * base_score (kept after the inverse link) back into a margin. Refuses what a single-output
 * ONNX tree ensemble cannot reproduce exactly, and says which part and why.
 */
import { z } from 'zod';
import { describeIssues, zodIssues } from '../manifest/issues';
import type { Tree, TreeEnsemble } from './ensemble';
import { PackageError } from '../package/errors';

export type XgboostObjective = 'binary:logistic' | 'count:poisson' | 'reg:squarederror';

export const SUPPORTED_OBJECTIVES: readonly XgboostObjective[] = [
  'binary:logistic',
  'count:poisson',
  'reg:squarederror',
];

const LINK_BY_OBJECTIVE: Record<XgboostObjective, TreeEnsemble['link']> = {
  'binary:logistic': 'logit',
  'count:poisson': 'log',
  'reg:squarederror': 'identity',
};

export interface XgboostModel {
  ensemble: TreeEnsemble;
  objective: XgboostObjective;
  /** base_score as XGBoost stores it: a probability, a mean count or a mean value (after the inverse link). */
  baseScore: number;
  /** learner.feature_names, when the model was trained with names. */
  featureNames?: string[];
  /** learner.feature_types ("q", "int", "float", "i"), when stored. */
  featureTypes?: string[];
  /** XGBoost version that wrote the file, e.g. "1.7.4". */
  xgboostVersion?: string;
  /** Things the caller should know but that do not stop the import. */
  warnings: string[];
}

const numberLike = z.union([z.number(), z.string()]);
const flag = z.union([z.number(), z.boolean()]);

const treeSchema = z.object({
  left_children: z.array(z.number().int()),
  right_children: z.array(z.number().int()),
  split_indices: z.array(z.number().int()),
  // XGBoost writes NaN for categorical split conditions; parseJsonText turns bare NaN into null.
  split_conditions: z.array(z.number().nullable()),
  default_left: z.array(flag),
  split_type: z.array(z.number().int()).optional(),
  sum_hessian: z.array(z.number()),
  base_weights: z.array(z.number()).optional(),
  tree_param: z.object({ num_nodes: numberLike, size_leaf_vector: numberLike.optional() }).optional(),
});

const modelSchema = z.object({
  version: z.array(z.number()).optional(),
  learner: z.object({
    feature_names: z.array(z.string()).optional(),
    feature_types: z.array(z.string()).optional(),
    objective: z.object({ name: z.string() }),
    learner_model_param: z.object({
      base_score: numberLike,
      num_class: numberLike.optional(),
      num_feature: numberLike,
      num_target: numberLike.optional(),
    }),
    attributes: z.record(z.string(), z.unknown()).optional(),
    gradient_booster: z.object({
      name: z.string(),
      model: z
        .object({
          trees: z.array(z.unknown()),
          tree_info: z.array(z.number().int()).optional(),
        })
        .optional(),
    }),
  }),
});

/** Why each unsupported objective is refused (a prefix match covers a family). */
const REFUSAL_REASONS: [prefix: string, reason: string][] = [
  [
    'multi:',
    'it is a multi-class model (one tree group per class, softmax over classes); the scoring contract has one score per record',
  ],
  [
    'binary:logitraw',
    'it outputs raw log-odds, not a probability; retrain with binary:logistic (same trees, calibrated output)',
  ],
  ['binary:hinge', 'it outputs hard 0/1 labels, which cannot be ranked or explained as a probability'],
  ['reg:logistic', 'it is logistic regression on a continuous target; use binary:logistic for a 0/1 outcome'],
  ['reg:gamma', 'its log link and gamma deviance are not validated here yet; count data should use count:poisson'],
  ['reg:tweedie', 'its log link and tweedie deviance are not validated here yet; count data should use count:poisson'],
  ['reg:', 'only reg:squarederror (identity link) is validated for regression'],
  ['rank:', 'ranking scores are only comparable within a query group and have no probability or count meaning'],
  ['survival:', 'survival objectives predict hazards or times that the scoring contract has no output for'],
];

function parseNumber(value: number | string, what: string): number {
  if (typeof value === 'number') return value;
  // XGBoost >= 3 writes a vector as "[5E-1]" (one entry per target); older versions write "5E-1".
  const text = value.trim();
  const inner = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const parts = inner
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length > 1) {
    throw new PackageError(
      'multi-target',
      `${what} holds ${parts.length} values (${text}): multi-target models are not supported, the scoring contract has one output per record`,
    );
  }
  const parsed = parts.length === 1 ? Number(parts[0]) : NaN;
  if (!Number.isFinite(parsed))
    throw new PackageError('invalid-base-score', `${what} is not a number: ${JSON.stringify(value)}`);
  return parsed;
}

/** The margin XGBoost starts from: link(base_score), computed in float32 as XGBoost's ProbToMargin does. */
export function baseMarginFor(objective: XgboostObjective, baseScore: number): number {
  const bs = Math.fround(baseScore);
  switch (objective) {
    case 'binary:logistic':
      if (!(bs > 0 && bs < 1)) {
        throw new PackageError(
          'invalid-base-score',
          `learner_model_param.base_score must be a probability strictly between 0 and 1 for binary:logistic, got ${baseScore}`,
        );
      }
      return Math.fround(-Math.log(Math.fround(Math.fround(1 / bs) - 1))) + 0; // + 0 turns -0 into 0
    case 'count:poisson':
      if (!(bs > 0)) {
        throw new PackageError(
          'invalid-base-score',
          `learner_model_param.base_score must be a positive mean count for count:poisson, got ${baseScore}`,
        );
      }
      return Math.fround(Math.log(bs));
    case 'reg:squarederror':
      return bs;
  }
}

function refuseObjective(name: string): never {
  const match = REFUSAL_REASONS.find(([prefix]) => name.startsWith(prefix));
  const reason = match ? match[1] : 'it is not one of the objectives this importer validates';
  const code = name.startsWith('multi:') ? 'multi-class' : 'unsupported-objective';
  throw new PackageError(
    code,
    `XGBoost objective "${name}" is not supported: ${reason}. Supported objectives: ${SUPPORTED_OBJECTIVES.join(', ')}.`,
  );
}

function readTree(raw: unknown, index: number, nFeatures: number, featureNames?: string[]): Tree {
  const parsed = treeSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error).map((i) => ({
      ...i,
      path: `learner.gradient_booster.model.trees[${index}].${i.path}`,
    }));
    throw new PackageError('json-invalid', `XGBoost JSON tree ${index} is malformed: ${describeIssues(issues)}`, {
      issues,
    });
  }
  const t = parsed.data;
  const n = t.left_children.length;
  const where = `tree ${index}`;
  const lengths = {
    right_children: t.right_children,
    split_indices: t.split_indices,
    split_conditions: t.split_conditions,
    default_left: t.default_left,
    sum_hessian: t.sum_hessian,
  };
  for (const [field, arr] of Object.entries(lengths)) {
    if (arr.length !== n)
      throw new PackageError('invalid-tree', `${where}: ${field} has ${arr.length} entries but left_children has ${n}`);
  }
  const leafSize = t.tree_param?.size_leaf_vector !== undefined ? Number(t.tree_param.size_leaf_vector) : 0;
  if (leafSize > 1) {
    throw new PackageError(
      'multi-target',
      `${where} has vector leaves (size_leaf_vector ${leafSize}): multi-target trees are not supported, the scoring contract has one output per record`,
    );
  }
  const categorical = t.split_type?.findIndex((s) => s !== 0) ?? -1;
  if (categorical >= 0) {
    const f = t.split_indices[categorical];
    const label = featureNames?.[f] ? `"${featureNames[f]}" (column ${f})` : `column ${f}`;
    throw new PackageError(
      'categorical-splits',
      `${where} node ${categorical} is a categorical split on ${label} (split_type 1): ONNX tree ensembles (opset 3) cannot express set-membership splits exactly. ` +
        'Encode the input as onehot or ordinal features in the manifest and retrain without enable_categorical.',
    );
  }

  // Keep only nodes reachable from the root (pruned nodes can linger in the arrays), numbered in preorder.
  const order: number[] = [];
  const newId = new Int32Array(n).fill(-1);
  const stack = [0];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node < 0 || node >= n)
      throw new PackageError('invalid-tree', `${where}: a child index ${node} is outside 0..${n - 1}`);
    if (newId[node] !== -1)
      throw new PackageError(
        'invalid-tree',
        `${where}: node ${node} is reached twice (the children arrays do not form a tree)`,
      );
    newId[node] = order.length;
    order.push(node);
    if (t.left_children[node] !== -1) stack.push(t.right_children[node], t.left_children[node]);
  }

  const m = order.length;
  const tree: Tree = {
    feature: new Int32Array(m),
    threshold: new Float32Array(m),
    yes: new Int32Array(m),
    no: new Int32Array(m),
    missingYes: new Uint8Array(m),
    value: new Float64Array(m),
    cover: new Float64Array(m),
  };
  order.forEach((old, i) => {
    const left = t.left_children[old];
    tree.cover[i] = Math.fround(t.sum_hessian[old]); // XGBoost keeps covers as float32
    if (left === -1) {
      if (t.right_children[old] !== -1)
        throw new PackageError('invalid-tree', `${where}: node ${old} has a right child but no left child`);
      tree.feature[i] = -1;
      tree.yes[i] = -1;
      tree.no[i] = -1;
      const leaf = t.split_conditions[old];
      if (leaf === null || !Number.isFinite(leaf))
        throw new PackageError('invalid-tree', `${where}: leaf ${old} has no finite value`);
      tree.value[i] = Math.fround(leaf);
      return;
    }
    const feature = t.split_indices[old];
    if (feature < 0 || feature >= nFeatures) {
      throw new PackageError(
        'invalid-tree',
        `${where}: node ${old} splits on column ${feature}, but the model has ${nFeatures} columns`,
      );
    }
    tree.feature[i] = feature;
    const threshold = t.split_conditions[old];
    if (threshold === null)
      throw new PackageError('invalid-tree', `${where}: node ${old} has no split condition (NaN)`);
    tree.threshold[i] = threshold;
    tree.yes[i] = newId[left];
    tree.no[i] = newId[t.right_children[old]];
    tree.missingYes[i] = Number(t.default_left[old]) ? 1 : 0;
  });
  return tree;
}

/** XGBoost's JSON writer emits bare NaN (not valid JSON) for categorical split conditions. */
function nanToNull(text: string): string {
  return text.replace(/([[,:]\s*)-?NaN(?=\s*[,\]}])/g, '$1null');
}

/** Parses an XGBoost JSON model (object or JSON text) and checks it is one this product can serve exactly. */
export function parseXgboostModel(input: unknown): XgboostModel {
  let json = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
    try {
      json = JSON.parse(nanToNull(text));
    } catch (err) {
      throw new PackageError(
        'json-invalid',
        `not an XGBoost JSON model: ${(err as Error).message}. Save it with Booster.save_model("model.json") (UBJSON and the legacy binary format are not read).`,
      );
    }
  }
  const parsed = modelSchema.safeParse(json);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error);
    throw new PackageError(
      'json-invalid',
      `not an XGBoost JSON model (as written by Booster.save_model("model.json")): ${describeIssues(issues)}`,
      { issues },
    );
  }
  const learner = parsed.data.learner;
  const warnings: string[] = [];

  const booster = learner.gradient_booster;
  if (booster.name !== 'gbtree' || !booster.model) {
    const why =
      booster.name === 'gblinear'
        ? 'it is a linear model, not trees'
        : booster.name === 'dart'
          ? 'dart scales each tree by a dropout weight that ONNX tree ensembles do not carry; retrain with booster="gbtree"'
          : 'only gbtree boosters are read';
    throw new PackageError('unsupported-booster', `XGBoost booster "${booster.name}" is not supported: ${why}.`);
  }

  const objectiveName = learner.objective.name;
  if (!(SUPPORTED_OBJECTIVES as readonly string[]).includes(objectiveName)) refuseObjective(objectiveName);
  const objective = objectiveName as XgboostObjective;

  const param = learner.learner_model_param;
  const numClass = param.num_class === undefined ? 0 : parseNumber(param.num_class, 'learner_model_param.num_class');
  if (numClass > 1) {
    throw new PackageError(
      'multi-class',
      `the model has num_class ${numClass}: multi-class models are not supported, the scoring contract has one score per record`,
    );
  }
  const numTarget =
    param.num_target === undefined ? 1 : parseNumber(param.num_target, 'learner_model_param.num_target');
  if (numTarget > 1) {
    throw new PackageError(
      'multi-target',
      `the model has num_target ${numTarget}: multi-target models are not supported, the scoring contract has one output per record`,
    );
  }
  const nFeatures = parseNumber(param.num_feature, 'learner_model_param.num_feature');
  if (!Number.isInteger(nFeatures) || nFeatures < 1)
    throw new PackageError(
      'json-invalid',
      `learner_model_param.num_feature must be a positive integer, got ${param.num_feature}`,
    );

  const featureTypes = learner.feature_types && learner.feature_types.length > 0 ? learner.feature_types : undefined;
  const categoricalColumn = featureTypes?.indexOf('c') ?? -1;
  if (categoricalColumn >= 0) {
    const name = learner.feature_names?.[categoricalColumn];
    throw new PackageError(
      'categorical-splits',
      `column ${categoricalColumn}${name ? ` ("${name}")` : ''} has feature type "c" (categorical): ONNX tree ensembles (opset 3) cannot express set-membership splits exactly. ` +
        'Encode the input as onehot or ordinal features in the manifest and retrain without enable_categorical.',
    );
  }
  const featureNames = learner.feature_names && learner.feature_names.length > 0 ? learner.feature_names : undefined;
  if (featureNames && featureNames.length !== nFeatures) {
    throw new PackageError(
      'json-invalid',
      `learner.feature_names has ${featureNames.length} names but learner_model_param.num_feature is ${nFeatures}`,
    );
  }

  const baseScore = parseNumber(param.base_score, 'learner_model_param.base_score');
  const baseMargin = baseMarginFor(objective, baseScore);

  const treeInfo = booster.model.tree_info;
  if (treeInfo && treeInfo.some((g) => g !== 0)) {
    throw new PackageError(
      'multi-class',
      'tree_info assigns trees to more than one output group: multi-output models are not supported',
    );
  }
  const trees = booster.model.trees.map((raw, i) => readTree(raw, i, nFeatures, featureNames));
  if (trees.length === 0) throw new PackageError('invalid-tree', 'the model has no trees');

  const bestIteration = Number(learner.attributes?.best_iteration);
  if (Number.isInteger(bestIteration) && bestIteration + 1 < trees.length) {
    warnings.push(
      `the model was trained with early stopping (best_iteration ${bestIteration}) but all ${trees.length} trees are imported, as Booster.predict does by default; ` +
        'save the model after slicing (booster[: best_iteration + 1]) to serve only the best iterations',
    );
  }

  return {
    ensemble: { nFeatures, baseMargin, link: LINK_BY_OBJECTIVE[objective], trees },
    objective,
    baseScore,
    featureNames,
    featureTypes,
    xgboostVersion: parsed.data.version?.join('.'),
    warnings,
  };
}

/** Shorthand when only the trees are needed (SHAP, the reference predictor). */
export function treeEnsembleFromXgboost(input: unknown): TreeEnsemble {
  return parseXgboostModel(input).ensemble;
}
