/**
 * Request and response schemas of every route. Requests are validated with these at the
 * edge; /openapi.json is generated from the same objects, so the document cannot drift.
 */
import { z } from 'zod';

export const versionRef = z
  .string()
  .regex(
    /^(?:champion|challenger|\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/,
    'must be a version such as 4.1.0, or champion, or challenger',
  )
  .meta({ description: 'A semantic version, or the alias champion or challenger.' });

type InputValue = number | string | boolean | null;

const isInputValue = (v: unknown): v is InputValue =>
  v === null ||
  typeof v === 'boolean' ||
  (typeof v === 'number' && Number.isFinite(v)) ||
  (typeof v === 'string' && v.length <= 1000);

export const inputValueJsonSchema = {
  anyOf: [{ type: 'number' }, { type: 'string', maxLength: 1000 }, { type: 'boolean' }, { type: 'null' }],
  description: 'A number, string, boolean, ISO date (YYYY-MM-DD) or null (missing).',
};

/**
 * Input values by input name. Checked by a predicate per record rather than z.record of a
 * union: a 2000-lead batch holds ~50,000 values, and z.record costs about 15 times more here
 * (measured: 1.2 ms vs 0.08 ms for 200 leads). Same rules, same issue paths
 * (records[i].inputs.<name>); its JSON Schema is given explicitly (openapi.ts).
 */
export const inputsSchema = z
  .custom<Record<string, InputValue>>(
    (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
    'must be an object of input values',
  )
  .superRefine((inputs, ctx) => {
    for (const name of Object.keys(inputs)) {
      if (!isInputValue(inputs[name])) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'must be a number, a string of at most 1000 characters, a boolean or null',
        });
      }
    }
  });

export const inputsJsonSchema = {
  type: 'object',
  additionalProperties: inputValueJsonSchema,
  description: 'Input values by input name, as the manifest names them. Omitted or null inputs are scored as missing.',
};

export const explainSchema = z
  .union([z.strictObject({ top: z.number().int().min(1).max(100) }), z.strictObject({ all: z.literal(true) })])
  .meta({ description: "Return the top-k reasons, or every input's contribution." });

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/, 'must be an ISO date such as 2026-11-25');

export const scoreRecordSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(255)
    .meta({ description: 'The record id (for a Lead, its 18-character Id). Canary routing hashes it.' }),
  inputs: inputsSchema,
});

export const scoreRequestSchema = z
  .strictObject({
    version: versionRef.optional().meta({ description: 'Version or alias to score with; default: champion.' }),
    shadow: z
      .array(versionRef)
      .max(5)
      .optional()
      .meta({ description: 'Versions or aliases also scored on the same records, returned under `shadow`.' }),
    canary: z
      .strictObject({ percent: z.number().int().min(0).max(100) })
      .optional()
      .meta({
        description:
          'Send this percent of records (by a stable hash of the id) to the challenger, the rest to the champion. Not combined with `version`.',
      }),
    explain: explainSchema.optional(),
    asOf: isoDate.optional().meta({ description: 'Date that "days since" features count to; default: today (UTC).' }),
    records: z.array(scoreRecordSchema).min(1),
  })
  .superRefine((body, ctx) => {
    const seen = new Set<string>();
    body.records.forEach((record, index) => {
      if (seen.has(record.id))
        ctx.addIssue({ code: 'custom', path: ['records', index, 'id'], message: 'duplicate record id' });
      seen.add(record.id);
    });
    if (body.canary && body.version)
      ctx.addIssue({ code: 'custom', path: ['canary'], message: 'canary cannot be combined with an explicit version' });
  });
export type ScoreRequest = z.output<typeof scoreRequestSchema>;

export const reasonSchema = z.object({
  input: z.string(),
  label: z.string(),
  value: z.union([z.number(), z.string(), z.boolean(), z.null()]),
  contribution: z.number(),
  direction: z.enum(['raises', 'lowers']),
  text: z.string(),
  standardError: z
    .number()
    .optional()
    .meta({ description: 'Sampling explanations only: the standard error of the contribution.' }),
});

export const explanationSchema = z.object({
  base: z.number().meta({ description: 'Expected margin over the reference data.' }),
  margin: z.number().meta({ description: "This record's margin: base + the sum of all contributions." }),
  unit: z.enum(['log-odds', 'log-count', 'value']),
  method: z
    .enum(['treeshap', 'sampling'])
    .meta({ description: 'Exact TreeSHAP, or permutation sampling for models that are not tree ensembles.' }),
  note: z.string().meta({ description: 'How to read the contributions.' }),
  reasons: z.array(reasonSchema),
});

export const scoreResultSchema = z.object({
  id: z.string(),
  version: z.string(),
  role: z.enum(['champion', 'challenger', 'explicit']),
  score: z.number().meta({ description: 'Probability (binary) or expected count.' }),
  scaled: z.number().int().min(0).max(100),
  decile: z.number().int().min(1).max(10),
  tier: z.string(),
  explanation: explanationSchema.optional(),
});

export const scoreResponseSchema = z.object({
  model: z.string(),
  version: z.string(),
  signature: z.string(),
  results: z.array(scoreResultSchema),
  shadow: z
    .array(
      z.object({
        version: z.string(),
        role: z.enum(['champion', 'challenger', 'explicit']),
        signature: z.string(),
        results: z.array(scoreResultSchema),
      }),
    )
    .optional(),
});

export const predictRequestSchema = z.strictObject({
  model: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .meta({ description: 'A count model; default: the only count model served.' }),
  version: versionRef.optional().meta({
    description:
      "Version or alias that answers every row; default: the rollout decides (champion, and the challenger for the canary's share of the manifest's rollout key).",
  }),
  shadow: z.boolean().optional().meta({
    description:
      "Also score every row with the other version (the challenger beside the champion, the champion beside the challenger), returned under each product's `shadow`. Ignored while the challenger is switched off.",
  }),
  asOf: isoDate.optional(),
  rows: z
    .array(inputsSchema)
    .min(1)
    .meta({ description: 'One row per product and group; every row needs product_id.' }),
});

const roleSchema = z.enum(['champion', 'challenger', 'explicit']);

export const predictResponseSchema = z
  .array(
    z.object({
      product_id: z.union([z.string(), z.number()]),
      expected_qty: z.number().meta({ description: "Expected count summed over the product's rows." }),
      confidence_score: z.number().meta({ description: 'clamp(min, max, 1 - 1/(1 + sqrt(expected_qty))).' }),
      model_version: z.string().meta({ description: 'The version that produced this answer.' }),
      role: roleSchema.meta({ description: 'The part that version plays: champion, challenger (canary) or explicit.' }),
      shadow: z
        .object({
          model_version: z.string(),
          role: roleSchema,
          expected_qty: z.number(),
          confidence_score: z.number(),
        })
        .optional()
        .meta({
          description: 'The other version on the same rows (shadow scoring), for the A/B comparison; not served.',
        }),
    }),
  )
  .meta({
    description:
      "One entry per product and version (a product whose rows were split between champion and challenger by the rollout key appears once per version). The Model-Version header lists the versions that answered, Shadow-Model-Version the shadow's.",
  });

export const rolloutRequestSchema = z
  .strictObject({
    champion: z
      .string()
      .regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/, 'must be a semantic version such as 2.1.0')
      .optional()
      .meta({ description: 'Make this served version the champion (promotion, reversion).' }),
    challenger: z
      .union([
        z.string().regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/, 'must be a semantic version such as 2.2.0'),
        z.null(),
      ])
      .optional()
      .meta({ description: 'The served version that challenges; null: none.' }),
    enabled: z
      .boolean()
      .optional()
      .meta({ description: 'false is the kill switch: the challenger answers nothing from the next request on.' }),
    canary: z.number().int().min(0).max(100).optional().meta({
      description: "Percent of the manifest's rollout-key values (shops) whose rows the challenger answers.",
    }),
    shadow: z.boolean().optional().meta({ description: 'Score the challenger beside every answer.' }),
    previousChampion: z
      .union([z.string().regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/, 'must be a semantic version'), z.null()])
      .optional()
      .meta({ description: 'The champion kept for reversion after a promotion; null: forget it.' }),
    changedBy: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: 'Who made the change (kept in the registry).' }),
  })
  .refine((b) => Object.keys(b).some((k) => k !== 'changedBy'), {
    message: 'name at least one of champion, challenger, enabled, canary, shadow, previousChampion',
  });

export const rolloutResponseSchema = z.object({
  model: z.string(),
  champion: z.string(),
  challenger: z.string().nullable(),
  rollout: z.object({
    enabled: z.boolean(),
    canary: z.number().int(),
    shadow: z.boolean(),
    previousChampion: z.string().optional(),
    changedAt: z.string().optional(),
    changedBy: z.string().optional(),
  }),
  rolloutKey: z.string().nullable().meta({ description: "The champion manifest's rollout key." }),
  persisted: z.union([z.object({ ok: z.literal(true) }), z.object({ ok: z.literal(false), reason: z.string() })]).meta({
    description: 'Whether MODELS_DIR/registry.json now holds the change (else it lasts until a restart or reload).',
  }),
  servingSet: z.string(),
});

const tensorData: z.ZodType<unknown> = z.lazy(() =>
  z.array(z.union([z.number(), z.boolean(), z.string(), z.null(), tensorData])),
);

export const inferRequestSchema = z.strictObject({
  id: z.string().max(255).optional(),
  parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  inputs: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        shape: z.array(z.number().int().min(0)).min(1).max(8),
        datatype: z.enum(['FP32', 'FP64', 'INT32', 'INT64', 'BOOL']),
        parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
        data: tensorData.meta({
          description: 'Row-major values, flat or nested. null is a missing value (NaN) in FP32/FP64 tensors.',
        }),
      }),
    )
    .min(1),
  outputs: z
    .array(z.strictObject({ name: z.string(), parameters: z.record(z.string(), z.unknown()).optional() }))
    .optional(),
});
export type InferRequest = z.output<typeof inferRequestSchema>;

const tensorMeta = z.object({ name: z.string(), datatype: z.string(), shape: z.array(z.number().int()) });
export const modelMetadataSchema = z.object({
  name: z.string(),
  versions: z.array(z.string()),
  platform: z.string(),
  inputs: z.array(tensorMeta),
  outputs: z.array(tensorMeta),
});
export const inferResponseSchema = z.object({
  model_name: z.string(),
  model_version: z.string(),
  id: z.string().optional(),
  outputs: z.array(
    z.object({
      name: z.string(),
      datatype: z.string(),
      shape: z.array(z.number().int()),
      data: z.array(z.union([z.number(), z.string(), z.boolean()])),
    }),
  ),
});

export const adminLoadRequestSchema = z
  .strictObject({
    path: z.string().min(1).max(500).optional().meta({
      description: "Package folder relative to MODELS_DIR; default: the registry's path or <model>/<version>.",
    }),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional()
      .meta({ description: 'Refuse the package unless model.onnx has this sha256.' }),
  })
  .default({});

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  requestId: z.string().optional(),
  error: z.string().optional(),
});

/** The schemas /openapi.json names under components; route declarations refer to them by these names. */
export const componentSchemas = {
  ScoreRequest: scoreRequestSchema,
  ScoreResponse: scoreResponseSchema,
  PredictRequest: predictRequestSchema,
  PredictResponse: predictResponseSchema,
  InferRequest: inferRequestSchema,
  InferResponse: inferResponseSchema,
  ModelMetadata: modelMetadataSchema,
  AdminLoadRequest: adminLoadRequestSchema,
  RolloutRequest: rolloutRequestSchema,
  RolloutResponse: rolloutResponseSchema,
  Problem: problemSchema,
} satisfies Record<string, z.ZodType>;

export type ComponentName = keyof typeof componentSchemas;
