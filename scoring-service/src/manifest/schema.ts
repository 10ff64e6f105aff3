/**
 * The model package contract: one zod schema for manifest.json, one for registry.json and
 * one for a ledger.jsonl entry. Everything that reads or writes a package (the Python
 * trainer, the importer, the service, the CLI) agrees through these schemas.
 * docs/model-package.md explains every field for data scientists.
 */
import { distance } from 'fastest-levenshtein';
import { z } from 'zod';
import { closestKey } from './issues';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex sha256');
const semver = z.string().regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/, 'must be a semantic version such as 4.1.0');
const identifier = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case: a lowercase letter, then letters, digits or _');
export const modelNameSchema = z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be kebab-case, such as lead-scoring');

/** One input the caller sends per record (what Apex maps from a Lead field). */
export const inputSchema = z
  .object({
    name: identifier,
    type: z.enum(['number', 'string', 'boolean', 'date']),
    /** Human label used in reasons: "Industry tenure". */
    label: z.string().min(1),
    /** Unit used when phrasing a number: "months". */
    unit: z.string().optional(),
    /** Default Salesforce field path, e.g. "Lead.Industry_Tenure_Months__c". */
    field: z.string().optional(),
    description: z.string().optional(),
    /** A required input may not be missing or null (422 otherwise). */
    required: z.boolean().default(false),
    /** Known values of a string input. */
    allowed: z.array(z.string()).optional(),
    /** When true, a string value outside `allowed` is refused with 422 instead of going to the unknown bucket. */
    strict: z.boolean().default(false),
  })
  .strict();
export type InputSpec = z.infer<typeof inputSchema>;

/**
 * One term of a cross: the input's numeric value (booleans are 1/0); with `equals`, the
 * indicator (input == equals) as 1/0; with `edges`, the input's bucket index (as in `bucket`).
 */
const crossTerm = z
  .object({
    input: identifier,
    equals: z.string().optional(),
    edges: z.array(z.number()).min(1).optional(),
  })
  .strict();

/**
 * How inputs become the model's columns. Blocks are laid out in order; each block
 * produces the number of columns stated in its comment. Missing means absent, null or "".
 */
export const featureSchema = z.discriminatedUnion('kind', [
  /** 1 column: the number (boolean -> 1/0); missing -> NaN. */
  z.object({ kind: z.literal('number'), input: identifier, name: z.string().optional() }).strict(),
  /**
   * categories.length (+1 when unknown) columns, named `<input>=<category>` (and `<input>=__unknown__`):
   * 1 in the matching column, 0 elsewhere; an unlisted value sets the unknown column
   * (all zeros when unknown is false); missing -> all zeros.
   */
  z
    .object({
      kind: z.literal('onehot'),
      input: identifier,
      categories: z.array(z.string()).min(1),
      unknown: z.boolean().default(true),
    })
    .strict(),
  /** 1 column: index of the value in categories; an unlisted value -> -1; missing -> NaN. */
  z
    .object({
      kind: z.literal('ordinal'),
      input: identifier,
      categories: z.array(z.string()).min(1),
      name: z.string().optional(),
    })
    .strict(),
  /** 1 column: number of edges <= value (bisect right), so 0..edges.length; missing -> NaN. */
  z
    .object({
      kind: z.literal('bucket'),
      input: identifier,
      edges: z.array(z.number()).min(1),
      name: z.string().optional(),
    })
    .strict(),
  /** 1 column: the product of the terms; NaN when any term's input is missing. */
  z.object({ kind: z.literal('cross'), name: z.string(), terms: z.array(crossTerm).min(2) }).strict(),
  /**
   * nFeatures columns named `<name>[i]`, bit for bit scikit-learn's
   * FeatureHasher(n_features=nFeatures, input_type="string", alternate_sign=alternateSign):
   * one string token per entry of `tokens`, built as `a=<value of a>|b=<value of b>` from the
   * listed inputs (booleans as "true"/"false", numbers as JavaScript prints them);
   * a token with any missing input is left out.
   */
  z
    .object({
      kind: z.literal('hash'),
      name: z.string(),
      nFeatures: z.number().int().positive(),
      alternateSign: z.boolean().default(true),
      tokens: z.array(z.array(identifier).min(1)).min(1),
    })
    .strict(),
  /**
   * columns.length columns from a snapshot table shipped in the package
   * (snapshots/<table>.json, see snapshotTableSchema): the first key input whose value
   * is present and found in the table's index for that key wins; otherwise the table's
   * global defaults.
   */
  z
    .object({
      kind: z.literal('lookup'),
      table: identifier,
      keys: z.array(identifier).min(1),
      columns: z.array(z.string()).min(1),
    })
    .strict(),
  /** 1 column: whole days from the date input to the request's as-of date (default: now, UTC); missing -> NaN. */
  z.object({ kind: z.literal('days_since'), input: identifier, name: z.string().optional() }).strict(),
]);
export type FeatureSpec = z.infer<typeof featureSchema>;

/** snapshots/<table>.json: rows addressed by one or more keys, plus global defaults. */
export const snapshotTableSchema = z
  .object({
    columns: z.array(z.string()).min(1),
    /** key name (an input name) -> key value -> row (one number per column). */
    index: z.record(z.string(), z.record(z.string(), z.array(z.number()))),
    defaults: z.array(z.number()),
  })
  .strict();
export type SnapshotTable = z.infer<typeof snapshotTableSchema>;

/** The metrics the gates and reports read; others may travel along. */
const metricFields = {
  auc_train: z.number(),
  auc_test: z.number(),
  overfit_gap: z.number(),
  lift_by_decile: z.array(z.number()).length(10),
  top_decile_lift: z.number(),
  top_decile_conversion: z.number(),
  bottom20_conversion: z.number(),
  positive_rate: z.number(),
  poisson_deviance: z.number(),
  weighted_mape: z.number(),
  r2: z.number(),
  rmse: z.number(),
  n_train: z.number().int(),
  n_test: z.number().int(),
};
/** A key one or two letters off one of these is a typo (auc_tset), refused rather than kept as an extra. */
const KNOWN_METRICS = Object.keys(metricFields);

/** The V4.1.0 checklist's sign-offs: three approvals before the production deploy, two reviews after it. */
export const PRE_DEPLOYMENT_ROLES = ['data-science', 'engineering', 'business'] as const;
export const POST_DEPLOYMENT_ROLES = ['week-1', 'week-2'] as const;
const preDeploymentRole = z.enum(PRE_DEPLOYMENT_ROLES);
const postDeploymentRole = z.enum(POST_DEPLOYMENT_ROLES);
export type SignoffRole = (typeof PRE_DEPLOYMENT_ROLES)[number] | (typeof POST_DEPLOYMENT_ROLES)[number];

const histogram = z
  .object({
    /** Bin edges, ascending; bins are (-inf, e0], (e0, e1], ..., (e_last, inf). */
    edges: z.array(z.number()),
    /** Share of the reference data in each bin: edges.length + 1 numbers summing to 1. */
    proportions: z.array(z.number().min(0)),
  })
  .strict();
const categoricalShare = z
  .object({ categories: z.array(z.string()), proportions: z.array(z.number().min(0)) })
  .strict();

export const manifestSchema = z
  .object({
    schemaVersion: z.literal(1),
    name: modelNameSchema,
    version: semver,
    task: z.enum(['binary-classification', 'poisson-regression', 'regression']),
    description: z.string().optional(),
    created: z.string().datetime({ offset: true }),
    /** sha256 of model.onnx. */
    sha256: sha256Hex,
    /** sha256 of every other file of the package, by path relative to the package folder. */
    files: z.record(z.string(), sha256Hex).default({}),
    /** Hash of the ordered feature schema (inputs and features); see signature.ts. */
    signature: sha256Hex,
    inputs: z.array(inputSchema).min(1),
    features: z.array(featureSchema).min(1),
    model: z
      .object({
        format: z.literal('onnx'),
        /** The ONNX graph input: one float32 tensor [batch, columns]. */
        inputName: z.string(),
        columns: z.number().int().positive(),
        /** The output holding the prediction: probabilities [batch, 2] (column 1 = positive) or values [batch, 1]. */
        outputName: z.string(),
        /** How the prediction maps to the margin the trees add up to: logit for binary, log for Poisson. */
        link: z.enum(['logit', 'log', 'identity']),
        /** Node covers are in nodes_hitrates ("onnx"), or were computed from background.json ("background"). */
        covers: z.enum(['onnx', 'background', 'none']).default('onnx'),
        source: z
          .object({ framework: z.string(), version: z.string().optional(), objective: z.string().optional() })
          .strict()
          .optional(),
      })
      .strict(),
    outputs: z
      .object({
        /**
         * Scaled score 0-100: the percentile of the score among the validation scores,
         * interpolated in these 101 quantiles (q0..q100).
         */
        quantiles: z.array(z.number()).length(101).optional(),
        /** Decile cut points on the score (9 ascending values): decile = 1 + number of cuts <= score; 10 is the top. */
        deciles: z.array(z.number()).length(9).optional(),
        /** Tiers by decile, highest first: the first tier whose minDecile <= decile. */
        tiers: z.array(z.object({ name: z.string(), minDecile: z.number().int().min(1).max(10) }).strict()).optional(),
        /** Count models: confidence of an expected quantity is clamped to [min, max]. */
        confidence: z.object({ min: z.number(), max: z.number() }).strict().optional(),
      })
      .strict(),
    metrics: z
      .object(metricFields)
      .partial()
      // Other metrics may travel along (n_validation, ...), but not a misspelt known one: a gate would read it as missing.
      .passthrough()
      .superRefine((metrics, ctx) => {
        for (const key of Object.keys(metrics)) {
          if (KNOWN_METRICS.includes(key)) continue;
          const meant = closestKey(key, KNOWN_METRICS);
          if (meant && distance(key, meant) <= 2)
            ctx.addIssue({ code: 'custom', path: [key], message: `unknown metric; did you mean \`${meant}\`?` });
        }
      }),
    gates: z
      .object({
        promotion: z
          .object({
            /** Test AUC must exceed the champion's by more than this (0 = strictly above). */
            min_auc_gain_over_champion: z.number().default(0),
            min_top_decile_lift: z.number().default(1.5),
            max_overfit_gap: z.number().default(0.15),
          })
          .strict()
          .default({ min_auc_gain_over_champion: 0, min_top_decile_lift: 1.5, max_overfit_gap: 0.15 }),
        rollback: z
          .object({
            min_top_decile_lift: z.number().default(1.5),
            consecutive_weeks: z.number().int().default(2),
            min_auc: z.number().default(0.59),
            min_top_decile_conversion: z.number().default(0.05),
            /**
             * Count models (poisson-regression, regression), watched per ordering cycle against actuals.
             * Unset thresholds are derived from the validation metrics (manifest/count-rollback.ts):
             * deviance and weighted MAPE at most baseline x (1 + margin), R2 at least baseline - margin x |baseline|.
             */
            max_poisson_deviance: z.number().positive().optional(),
            max_weighted_mape: z.number().positive().optional(),
            min_r2: z.number().optional(),
            /** Relative slack over the validation metrics for the derived thresholds; 0.1 unless set. */
            margin: z.number().min(0).optional(),
            /** A count model breaches when a threshold is crossed in this many consecutive complete cycles; 1 unless set. */
            consecutive_cycles: z.number().int().positive().optional(),
          })
          .strict()
          .default({ min_top_decile_lift: 1.5, consecutive_weeks: 2, min_auc: 0.59, min_top_decile_conversion: 0.05 }),
        /**
         * Lead models: the V4.1.0 checklist's "Key Metrics to Track" targets, reported by monitor beside
         * the rollback criteria (not a breach). Unset ones take the checklist's values (manifest/lead-targets.ts).
         */
        targets: z
          .object({
            min_top_decile_lift: z.number().optional(),
            min_auc: z.number().optional(),
            max_bottom20_conversion: z.number().optional(),
            min_deprioritization_efficiency: z.number().optional(),
          })
          .strict()
          .optional(),
        /** Sign-offs a production deploy needs (the V4.1.0 checklist's pre-deployment approvals). */
        signoffs: z.array(preDeploymentRole).default([...PRE_DEPLOYMENT_ROLES]),
        /** Sign-offs due after the production deploy: week 1 (metrics validated) and week 2 (no regressions). */
        post_deployment_signoffs: z.array(postDeploymentRole).default([...POST_DEPLOYMENT_ROLES]),
        /** One actor may hold several roles on the same model sha256 (a one-person team); off by default. */
        allow_same_actor_signoffs: z.boolean().default(false),
        /**
         * A production deploy or promotion needs a passing `sf scoring verify` in the ledger for this
         * exact version and sha256: the warehouse's scores checked against local inference. Off by default.
         */
        require_warehouse_verify: z.boolean().default(false),
      })
      .strict()
      .default({
        promotion: { min_auc_gain_over_champion: 0, min_top_decile_lift: 1.5, max_overfit_gap: 0.15 },
        rollback: { min_top_decile_lift: 1.5, consecutive_weeks: 2, min_auc: 0.59, min_top_decile_conversion: 0.05 },
        signoffs: [...PRE_DEPLOYMENT_ROLES],
        post_deployment_signoffs: [...POST_DEPLOYMENT_ROLES],
        allow_same_actor_signoffs: false,
        require_warehouse_verify: false,
      }),
    baseline: z
      .object({
        score: histogram.optional(),
        inputs: z.record(z.string(), z.union([histogram, categoricalShare])).default({}),
      })
      .strict()
      .default({ inputs: {} }),
    /** background.json: up to a few hundred feature rows (columns) for covers and model-agnostic SHAP. */
    background: z.object({ file: z.string(), rows: z.number().int().positive() }).strict().optional(),
    /**
     * Count models served by POST /predict: the input whose value keys the canary bucket (the
     * usecases/canary.ts hash of its value), so every row of one shop goes to the same version for
     * the whole ordering cycle. Without it, /predict does not split traffic (canary stays 0).
     */
    rollout: z.object({ key: identifier }).strict().optional(),
    // Strict at every level: a misspelt key is refused with the closest known one (manifest/issues.ts), never dropped.
  })
  .strict()
  .superRefine((manifest, ctx) => {
    const key = manifest.rollout?.key;
    if (key !== undefined && !manifest.inputs.some((i) => i.name === key)) {
      const meant = closestKey(
        key,
        manifest.inputs.map((i) => i.name),
      );
      ctx.addIssue({
        code: 'custom',
        path: ['rollout', 'key'],
        message: `${key} is not one of the manifest's inputs${meant ? `; did you mean \`${meant}\`?` : ''}`,
      });
    }
  });
export type Manifest = z.infer<typeof manifestSchema>;

export const versionStatusSchema = z.enum(['candidate', 'staging', 'production', 'deprecated', 'archived']);
export type VersionStatus = z.infer<typeof versionStatusSchema>;

/**
 * The rollout of a count model's challenger, kept in registry.json next to the aliases so a
 * restart keeps it; `PUT /v1/admin/models/{model}/rollout` applies a change at once and
 * `sf scoring model rollout` writes it. `enabled: false` is the kill switch: the challenger
 * takes no canary traffic and is not shadow-scored, whatever the request asks.
 */
export const rolloutStateSchema = z
  .object({
    /** The challenger answers (canary) and can be shadow-scored. */
    enabled: z.boolean(),
    /** Percent of rollout-key values (manifest `rollout.key`, e.g. shops) whose rows the challenger serves. */
    canary: z.number().int().min(0).max(100),
    /** Score the challenger beside every answer (returned under `shadow`), even when the request does not ask. */
    shadow: z.boolean().default(false),
    /** The champion before the last promotion: its package is kept for `--revert`. */
    previousChampion: semver.optional(),
    /** When and by whom the state was last changed. */
    changedAt: z.string().datetime({ offset: true }).optional(),
    changedBy: z.string().optional(),
  })
  .strict();
export type RolloutState = z.infer<typeof rolloutStateSchema>;

export const registrySchema = z.object({
  schemaVersion: z.literal(1),
  models: z.record(
    modelNameSchema,
    z.object({
      description: z.string().optional(),
      /** Service-wide defaults for the champion/challenger aliases; an org's own config can differ. */
      aliases: z.object({ champion: semver.optional(), challenger: semver.optional() }).default({}),
      /** Count models (POST /predict): how the challenger takes traffic; see rolloutStateSchema. */
      rollout: rolloutStateSchema.optional(),
      versions: z.record(
        semver,
        z.object({
          status: versionStatusSchema,
          sha256: sha256Hex,
          signature: sha256Hex,
          created: z.string(),
          /** Package folder relative to the models directory: "<name>/<version>". */
          path: z.string(),
          statusReason: z.string().optional(),
        }),
      ),
    }),
  ),
});
export type Registry = z.infer<typeof registrySchema>;

export const ledgerEntrySchema = z.object({
  ts: z.string().datetime({ offset: true }),
  action: z.enum([
    'import',
    'validate',
    'deploy',
    'org-validate',
    'signoff',
    'promote',
    'rollback',
    'status',
    'mapping-deploy',
    // A never-deployed candidate's package deleted (`sf scoring model archive --remove`).
    'remove',
    // sf scoring score: a whole-org rescore through Bulk API 2.0 (counts and duration in details).
    'bulk-score',
    // sf scoring verify: a warehouse's scores compared with local inference (files' sha256, counts, max diff, PSI in details).
    'warehouse-verify',
    // sf scoring compare --actuals: a count model's challenger judged against the champion over
    // complete ordering cycles (details: cycles, verdict, per-version figures).
    'compare',
    // sf scoring model rollout: a count model's challenger, canary, shadow, kill switch, promotion or reversion.
    'rollout',
  ]),
  model: modelNameSchema,
  version: semver,
  sha256: sha256Hex.optional(),
  mappingSignature: z.string().optional(),
  org: z
    .object({
      id: z.string(),
      username: z.string().optional(),
      instanceUrl: z.string().optional(),
      isSandbox: z.boolean(),
    })
    .optional(),
  role: z.string().optional(),
  actor: z.string(),
  result: z.enum(['pass', 'fail', 'ok', 'forced']),
  reason: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;
