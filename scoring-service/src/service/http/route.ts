/**
 * A route is one declaration: method, path, who may call it, its request and response
 * schemas and its summary. The app mounts the declarations (routes.ts) and /openapi.json is
 * written from the same list, so what is served and what is documented cannot drift apart.
 */
import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { ServiceDeps } from '../deps';
import { HttpProblem, parseOr400 } from './problems';
import { componentSchemas, type ComponentName } from './schemas';

/** public: no key (health); client: a client or admin key; admin: an admin key. */
export type Access = 'public' | 'client' | 'admin';

/** A response header a route sets besides Serving-Set (which every answer carries). */
export interface HeaderDoc {
  description: string;
  schema: Record<string, unknown>;
}

/** How one response is documented: a named component, any JSON object, Prometheus text, or a problem. */
export type ResponseDoc =
  | { description?: string; json: ComponentName; headers?: Record<string, HeaderDoc> }
  | { description: string; json: 'object' }
  | { description: string; text: true }
  | { description: string; problem: true };

/** The JSON body of a route: validated against its schema before the handler runs (400 naming the failing paths). */
export interface RequestDoc<Name extends ComponentName = ComponentName> {
  schema: Name;
  required: boolean;
  /** How the 400 names the body: "The score request does not match the schema." */
  what: string;
  /**
   * The array whose length MAX_RECORDS_PER_REQUEST caps: counted before validation, so a huge
   * batch is refused as too large (413), not listed issue by issue.
   */
  batch?: 'records' | 'rows';
}

interface RouteDoc {
  method: 'get' | 'post' | 'put';
  /** The OpenAPI template, such as /v1/models/{model}; the router reads {name} as :name. */
  path: string;
  access: Access;
  summary: string;
  /** Description of each path parameter, in path order. */
  parameters?: Record<string, string>;
  /** Answered 503 while no model is loaded. */
  needsModels?: boolean;
  /** Responses other than 401/403, which every route with a key requirement documents. */
  responses: Record<string, ResponseDoc>;
}

type Handler<Body extends unknown[]> = (req: Request, res: Response, deps: ServiceDeps, ...body: Body) => unknown;

/** A route that reads a JSON body: its handler gets the body as the request schema outputs it. */
export interface RouteWithBody<Name extends ComponentName> extends RouteDoc {
  request: RequestDoc<Name>;
  handle: Handler<[body: z.output<(typeof componentSchemas)[Name]>]>;
}

export interface RouteWithoutBody extends RouteDoc {
  request?: undefined;
  handle: Handler<[]>;
}

/** A declared route as the app mounts it and /openapi.json documents it. */
export interface RouteDeclaration extends RouteDoc {
  request?: RequestDoc;
  /** Validates the body (when the route has one), then runs the handler. */
  run: Handler<[]>;
}

/** Declares a route. */
export function route<Name extends ComponentName>(declaration: RouteWithBody<Name>): RouteDeclaration;
export function route(declaration: RouteWithoutBody): RouteDeclaration;
export function route(declaration: RouteWithBody<ComponentName> | RouteWithoutBody): RouteDeclaration {
  if (declaration.request === undefined) {
    const { handle, ...doc } = declaration;
    return { ...doc, run: handle };
  }
  const { handle, request, ...doc } = declaration;
  return {
    ...doc,
    request,
    run: (req, res, deps) => handle(req, res, deps, validatedBody(request, deps, req.body)),
  };
}

/** The body, validated; a batch over MAX_RECORDS_PER_REQUEST is refused before validation. */
function validatedBody(
  request: RequestDoc,
  deps: ServiceDeps,
  raw: unknown,
): z.output<(typeof componentSchemas)[ComponentName]> {
  if (request.batch) {
    const limit = deps.config.MAX_RECORDS_PER_REQUEST;
    const items = (raw as Record<string, unknown> | undefined)?.[request.batch];
    if (Array.isArray(items) && items.length > limit)
      throw new HttpProblem(
        413,
        `At most ${limit} ${request.batch} per call; this call has ${items.length}. Split the batch.`,
      );
  }
  return parseOr400(componentSchemas[request.schema], request.required ? raw : (raw ?? {}), request.what);
}

export const modelParam = 'Model name, such as lead-scoring';
export const versionOrAliasParam = 'A version such as 4.1.0, or champion / challenger';
export const semverParam = 'A semantic version';

/** The express form of a path template: {model} -> :model. */
export function expressPath(template: string): string {
  return template.replace(/\{(\w+)\}/g, ':$1');
}
