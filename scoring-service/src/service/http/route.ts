/**
 * A route is one declaration: method, path, who may call it, its request and response
 * schemas and its summary. The app mounts the declarations (routes.ts) and /openapi.json is
 * written from the same list, so what is served and what is documented cannot drift apart.
 */
import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { ServiceDeps } from '../deps';
import type { ComponentName, componentSchemas } from './schemas';

/** public: no key (health); client: a client or admin key; admin: an admin key. */
export type Access = 'public' | 'client' | 'admin';

/** How one response is documented: a named component, any JSON object, Prometheus text, or a problem. */
export type ResponseDoc =
  | { description?: string; json: ComponentName }
  | { description: string; json: 'object' }
  | { description: string; text: true }
  | { description: string; problem: true };

export interface RouteDeclaration<Name extends ComponentName = ComponentName> {
  method: 'get' | 'post';
  /** The OpenAPI template, such as /v1/models/{model}; the router reads {name} as :name. */
  path: string;
  access: Access;
  summary: string;
  /** Description of each path parameter, in path order. */
  parameters?: Record<string, string>;
  /** Answered 503 while no model is loaded. */
  needsModels?: boolean;
  /** The JSON body: validated against its schema before `handle` runs (400 naming the failing paths). */
  request?: {
    schema: Name;
    required: boolean;
    /** How the 400 names the body: "The score request does not match the schema." */
    what: string;
    /**
     * The array whose length MAX_RECORDS_PER_REQUEST caps: counted before validation, so a huge
     * batch is refused as too large (413), not listed issue by issue.
     */
    batch?: 'records' | 'rows';
  };
  /** Responses other than 401/403, which every route with a key requirement documents. */
  responses: Record<string, ResponseDoc>;
  handle(req: Request, res: Response, deps: ServiceDeps, body: z.output<(typeof componentSchemas)[Name]>): unknown;
}

/** Declares a route; `handle` gets the body as its request schema outputs it. */
export function route<Name extends ComponentName>(declaration: RouteDeclaration<Name>): RouteDeclaration {
  return declaration;
}

export const modelParam = 'Model name, such as lead-scoring';
export const versionOrAliasParam = 'A version such as 4.1.0, or champion / challenger';
export const semverParam = 'A semantic version';

/** The express form of a path template: {model} -> :model. */
export function expressPath(template: string): string {
  return template.replace(/\{(\w+)\}/g, ':$1');
}
