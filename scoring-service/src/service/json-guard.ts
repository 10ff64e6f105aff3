/**
 * Refuses JSON bodies that are hostile in shape, before any schema sees them: prototype keys
 * (`__proto__`, which zod and plain objects treat specially) and nesting deeper than any route needs.
 */
import type { RequestHandler } from 'express';
import { HttpProblem } from './errors';

const MAX_DEPTH = 32;

function check(value: unknown, depth: number, path: string): void {
  if (value === null || typeof value !== 'object') return;
  if (depth > MAX_DEPTH) throw new HttpProblem(400, `The request body is nested deeper than ${MAX_DEPTH} levels.`);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) check(value[i], depth + 1, path);
    return;
  }
  for (const key of Object.keys(value)) {
    if (key === '__proto__')
      throw new HttpProblem(400, 'The request body contains a "__proto__" key, which is not allowed.', [
        { path: path || '(root)', message: '__proto__ is not allowed' },
      ]);
    check(
      (value as Record<string, unknown>)[key],
      depth + 1,
      path ? `${path}.${key.slice(0, 100)}` : key.slice(0, 100),
    );
  }
}

export const jsonGuard: RequestHandler = (req, _res, next) => {
  if (req.body !== undefined) check(req.body, 0, '');
  next();
};

/** POST bodies must be JSON (415 otherwise), so a form post is not read as an empty body. */
export const requireJson: RequestHandler = (req, _res, next) => {
  if (req.method === 'POST' && Number(req.headers['content-length'] ?? 0) > 0 && !req.is('application/json')) {
    return next(new HttpProblem(415, 'Send the request body as application/json.'));
  }
  if (req.method === 'POST' && req.headers['transfer-encoding'] && !req.is('application/json')) {
    return next(new HttpProblem(415, 'Send the request body as application/json.'));
  }
  next();
};
