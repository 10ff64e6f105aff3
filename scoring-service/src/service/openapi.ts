/**
 * The OpenAPI 3.1 document, generated from the zod schemas the routes validate with
 * (z.toJSONSchema), so the contract Apex, the CLI and the contract tests read is the one enforced.
 */
import { z } from 'zod';
import {
  adminLoadRequestSchema,
  inputsJsonSchema,
  inputsSchema,
  inferRequestSchema,
  inferResponseSchema,
  modelMetadataSchema,
  predictRequestSchema,
  predictResponseSchema,
  problemSchema,
  scoreRequestSchema,
  scoreResponseSchema,
} from './schemas';

const components: Record<string, z.ZodType> = {
  ScoreRequest: scoreRequestSchema,
  ScoreResponse: scoreResponseSchema,
  PredictRequest: predictRequestSchema,
  PredictResponse: predictResponseSchema,
  InferRequest: inferRequestSchema,
  InferResponse: inferResponseSchema,
  ModelMetadata: modelMetadataSchema,
  AdminLoadRequest: adminLoadRequestSchema,
  Problem: problemSchema,
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const out = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    reused: 'inline',
    override: (ctx) => {
      if (ctx.zodSchema === inputsSchema) Object.assign(ctx.jsonSchema, inputsJsonSchema);
    },
  }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ content: { 'application/json': { schema: ref(name) } } });
const anyJson = (description: string) => ({
  description,
  content: { 'application/json': { schema: { type: 'object' } } },
});
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});

const authErrors = { '401': problem('Missing or invalid API key'), '403': problem('The route needs an admin key') };
const p = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
});
const modelParam = p('model', 'Model name, such as lead-scoring');
const versionParam = p('version', 'A version such as 4.1.0, or champion / challenger');

export interface RouteDoc {
  method: 'get' | 'post';
  path: string;
  /** No key needed. */
  public?: boolean;
  admin?: boolean;
  operation: Record<string, unknown>;
}

/** Every route the service answers; tests walk this list to check auth on each. */
export const routeDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/v2/health/live',
    public: true,
    operation: { summary: 'Liveness', responses: { '200': anyJson('{live: true}') } },
  },
  {
    method: 'get',
    path: '/v2/health/ready',
    public: true,
    operation: {
      summary: 'Readiness: models loaded and not shutting down',
      responses: { '200': anyJson('{ready: true}'), '503': anyJson('{ready: false, reason}') },
    },
  },
  {
    method: 'post',
    path: '/v1/models/{model}/score',
    operation: {
      summary: 'Score records with a version or alias; optional shadow versions, canary split and reasons',
      parameters: [modelParam],
      requestBody: { required: true, ...json('ScoreRequest') },
      responses: {
        '200': { description: 'Scores in record order', ...json('ScoreResponse') },
        '400': problem('The body does not match the schema'),
        ...authErrors,
        '404': problem('Unknown model, version or alias'),
        '413': problem('Too many records or body too large'),
        '415': problem('Body is not JSON'),
        '422': problem(
          'Inputs do not fit the manifest (unknown input, wrong type, value not allowed, required input missing)',
        ),
        '503': problem('Not ready or shutting down'),
      },
    },
  },
  {
    method: 'post',
    path: '/predict',
    operation: {
      summary: "Expected counts per product from a count model, summed over the product's rows",
      requestBody: { required: true, ...json('PredictRequest') },
      responses: {
        '200': { description: 'One entry per product', ...json('PredictResponse') },
        '400': problem('Bad request'),
        ...authErrors,
        '404': problem('Unknown model'),
        '413': problem('Too many rows'),
        '422': problem('Inputs do not fit the manifest'),
      },
    },
  },
  {
    method: 'get',
    path: '/v1/models',
    operation: {
      summary: 'Served models, versions, aliases and statuses',
      responses: { '200': anyJson('Models'), ...authErrors },
    },
  },
  {
    method: 'get',
    path: '/v1/models/{model}',
    operation: {
      summary: 'One served model',
      parameters: [modelParam],
      responses: { '200': anyJson('Model'), ...authErrors, '404': problem('Unknown model') },
    },
  },
  {
    method: 'get',
    path: '/v1/models/{model}/versions/{version}',
    operation: {
      summary: 'One served version with its manifest',
      parameters: [modelParam, versionParam],
      responses: { '200': anyJson('Version and manifest'), ...authErrors, '404': problem('Unknown model or version') },
    },
  },
  {
    method: 'get',
    path: '/v2',
    operation: {
      summary: 'OIP server metadata',
      responses: { '200': anyJson('{name, version, extensions}'), ...authErrors },
    },
  },
  {
    method: 'get',
    path: '/v2/models/{model}',
    operation: {
      summary: 'OIP model metadata (champion)',
      parameters: [modelParam],
      responses: { '200': json('ModelMetadata'), ...authErrors, '404': problem('Unknown model') },
    },
  },
  {
    method: 'get',
    path: '/v2/models/{model}/versions/{version}',
    operation: {
      summary: 'OIP model metadata',
      parameters: [modelParam, versionParam],
      responses: { '200': json('ModelMetadata'), ...authErrors, '404': problem('Unknown model or version') },
    },
  },
  {
    method: 'get',
    path: '/v2/models/{model}/ready',
    operation: {
      summary: 'OIP model readiness',
      parameters: [modelParam],
      responses: { '200': anyJson('{name, ready}'), ...authErrors, '404': problem('Unknown model') },
    },
  },
  {
    method: 'get',
    path: '/v2/models/{model}/versions/{version}/ready',
    operation: {
      summary: 'OIP model readiness',
      parameters: [modelParam, versionParam],
      responses: { '200': anyJson('{name, ready}'), ...authErrors, '404': problem('Unknown model or version') },
    },
  },
  {
    method: 'post',
    path: '/v2/models/{model}/infer',
    operation: {
      summary: 'OIP inference on raw tensors (champion)',
      parameters: [modelParam],
      requestBody: { required: true, ...json('InferRequest') },
      responses: {
        '200': json('InferResponse'),
        '400': problem('Bad tensors'),
        ...authErrors,
        '404': problem('Unknown model'),
      },
    },
  },
  {
    method: 'post',
    path: '/v2/models/{model}/versions/{version}/infer',
    operation: {
      summary: 'OIP inference on raw tensors',
      parameters: [modelParam, versionParam],
      requestBody: { required: true, ...json('InferRequest') },
      responses: {
        '200': json('InferResponse'),
        '400': problem('Bad tensors'),
        ...authErrors,
        '404': problem('Unknown model or version'),
      },
    },
  },
  {
    method: 'get',
    path: '/metrics',
    operation: {
      summary: 'Prometheus metrics',
      responses: {
        '200': { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } },
        ...authErrors,
      },
    },
  },
  {
    method: 'get',
    path: '/openapi.json',
    operation: { summary: 'This document', responses: { '200': anyJson('OpenAPI 3.1'), ...authErrors } },
  },
  {
    method: 'post',
    path: '/v1/admin/reload',
    admin: true,
    operation: {
      summary: 'Rebuild the serving set from MODELS_DIR (also on SIGHUP)',
      responses: {
        '200': anyJson('Serving versions'),
        ...authErrors,
        '422': problem('Registry unreadable, or versions refused (listed; the previous artifact keeps serving)'),
      },
    },
  },
  {
    method: 'post',
    path: '/v1/admin/models/{model}/versions/{version}/load',
    admin: true,
    operation: {
      summary: 'Verify and load one version (sha256, signature); replaces the same version if served',
      parameters: [modelParam, p('version', 'A semantic version')],
      requestBody: { required: false, ...json('AdminLoadRequest') },
      responses: {
        '200': anyJson('Serving versions'),
        '400': problem('Bad path'),
        ...authErrors,
        '404': problem('No such package folder'),
        '422': problem('The package does not verify'),
      },
    },
  },
  {
    method: 'post',
    path: '/v1/admin/models/{model}/versions/{version}/retire',
    admin: true,
    operation: {
      summary: 'Stop serving one version (running requests finish)',
      parameters: [modelParam, p('version', 'A semantic version')],
      responses: {
        '200': anyJson('Serving versions'),
        ...authErrors,
        '404': problem('Not served'),
        '409': problem('It is the champion'),
      },
    },
  },
];

export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routeDocs) {
    const operation: Record<string, unknown> = { ...route.operation };
    operation.security = route.public ? [] : [{ [route.admin ? 'adminKey' : 'apiKey']: [] }];
    paths[route.path] = { ...(paths[route.path] ?? {}), [route.method]: operation };
  }
  const schemas: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(components))
    schemas[name] = jsonSchema(schema, name.endsWith('Request') ? 'input' : 'output');
  return {
    openapi: '3.1.0',
    info: {
      title: 'Lead scoring service',
      version,
      description:
        'Scores and exact SHAP reasons from versioned model packages. Errors are application/problem+json. See docs/service.md.',
    },
    security: [{ apiKey: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'A key from SCORING_API_KEYS (or an admin key).' },
        adminKey: { type: 'http', scheme: 'bearer', description: 'A key from SCORING_ADMIN_KEYS.' },
      },
    },
  };
}
