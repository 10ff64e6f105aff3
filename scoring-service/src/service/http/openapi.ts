/**
 * The OpenAPI 3.1 document, written from the route declarations (routes.ts) and the zod
 * schemas the routes validate with (z.toJSONSchema), so the contract Apex, the CLI and the
 * contract tests read is the one enforced.
 */
import { z } from 'zod';
import type { ResponseDoc, RouteDeclaration } from './route';
import { routes } from './routes';
import { componentSchemas, inputsJsonSchema, inputsSchema, type ComponentName } from './schemas';
import { SERVING_SET_HEADER, servingSetHeaderDoc } from './serving-set-header';

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

const ref = (name: ComponentName) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: ComponentName) => ({ content: { 'application/json': { schema: ref(name) } } });

/** Every answer carries it, errors included (serving-set-header.ts). */
const headers = { [SERVING_SET_HEADER]: { $ref: '#/components/headers/ServingSet' } };

function responseDoc(doc: ResponseDoc): Record<string, unknown> {
  const own = 'json' in doc && typeof doc.json === 'string' && 'headers' in doc ? doc.headers : undefined;
  return { ...responseBody(doc), headers: { ...headers, ...own } };
}

function responseBody(doc: ResponseDoc): Record<string, unknown> {
  if ('problem' in doc)
    return { description: doc.description, content: { 'application/problem+json': { schema: ref('Problem') } } };
  if ('text' in doc) return { description: doc.description, content: { 'text/plain': { schema: { type: 'string' } } } };
  if (doc.json === 'object')
    return { description: doc.description, content: { 'application/json': { schema: { type: 'object' } } } };
  return { ...(doc.description === undefined ? {} : { description: doc.description }), ...json(doc.json) };
}

const keyErrors: Record<string, ResponseDoc> = {
  '401': { description: 'Missing or invalid API key', problem: true },
  '403': { description: 'The route needs an admin key', problem: true },
};

function operation(route: RouteDeclaration): Record<string, unknown> {
  const out: Record<string, unknown> = { summary: route.summary };
  if (route.parameters)
    out.parameters = Object.entries(route.parameters).map(([name, description]) => ({
      name,
      in: 'path',
      required: true,
      description,
      schema: { type: 'string' },
    }));
  if (route.request) out.requestBody = { required: route.request.required, ...json(route.request.schema) };
  const responses = route.access === 'public' ? route.responses : { ...route.responses, ...keyErrors };
  out.responses = Object.fromEntries(Object.entries(responses).map(([status, doc]) => [status, responseDoc(doc)]));
  out.security = route.access === 'public' ? [] : [{ [route.access === 'admin' ? 'adminKey' : 'apiKey']: [] }];
  return out;
}

export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) paths[route.path] = { ...(paths[route.path] ?? {}), [route.method]: operation(route) };
  const schemas: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(componentSchemas))
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
      headers: { ServingSet: servingSetHeaderDoc },
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'A key from SCORING_API_KEYS (or an admin key).' },
        adminKey: { type: 'http', scheme: 'bearer', description: 'A key from SCORING_ADMIN_KEYS.' },
      },
    },
  };
}
