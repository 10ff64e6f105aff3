/**
 * Refuses JSON bodies that are hostile in shape, before any schema sees them: prototype keys
 * (`__proto__`, which zod and plain objects treat specially) and nesting deeper than any route needs.
 */
import type { RequestHandler } from 'express';
import { HttpProblem } from './problems';

const MAX_DEPTH = 32;

/** What is wrong with a parsed body, if anything. Builds no path strings: it runs on every value of every request. */
function problem(value: unknown, depth: number): 'depth' | 'proto' | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (depth > MAX_DEPTH) return 'depth';
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = problem(value[i], depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (key === '__proto__') return 'proto';
    const found = problem((value as Record<string, unknown>)[key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** The path of the first `__proto__` key, walked again only once one was found. */
function protoPath(value: unknown, path: string): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = protoPath(item, path);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (key === '__proto__') return path || '(root)';
    const found = protoPath(
      (value as Record<string, unknown>)[key],
      path ? `${path}.${key.slice(0, 100)}` : key.slice(0, 100),
    );
    if (found !== undefined) return found;
  }
  return undefined;
}

function check(body: unknown): void {
  const found = problem(body, 0);
  if (found === 'depth') throw new HttpProblem(400, `The request body is nested deeper than ${MAX_DEPTH} levels.`);
  if (found === 'proto')
    throw new HttpProblem(400, 'The request body contains a "__proto__" key, which is not allowed.', [
      { path: protoPath(body, '') ?? '(root)', message: '__proto__ is not allowed' },
    ]);
}

export const jsonGuard: RequestHandler = (req, _res, next) => {
  if (req.body !== undefined) check(req.body);
  next();
};

/** POST bodies must be JSON (415 otherwise), so a form post is not read as an empty body. */
export const requireJson: RequestHandler = (req, _res, next) => {
  if (
    (req.method === 'POST' || req.method === 'PUT') &&
    Number(req.headers['content-length'] ?? 0) > 0 &&
    !req.is('application/json')
  ) {
    return next(new HttpProblem(415, 'Send the request body as application/json.'));
  }
  if (
    (req.method === 'POST' || req.method === 'PUT') &&
    req.headers['transfer-encoding'] &&
    !req.is('application/json')
  ) {
    return next(new HttpProblem(415, 'Send the request body as application/json.'));
  }
  next();
};
