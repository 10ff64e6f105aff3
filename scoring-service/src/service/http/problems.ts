/**
 * The one place errors become answers: the domain's named errors (../errors.ts), the package,
 * pool and body-parser errors, and the HTTP layer's own refusals (HttpProblem) are mapped to a
 * status and an RFC 9457 `application/problem+json` body. Nothing from a 5xx cause (stack,
 * message) and no input value ever reaches a response.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { PoolClosedError, WorkerCrashedError, WorkerTaskError } from '../../inference/pool';
import { PackageError } from '../../package/errors';
import {
  BatchTooLarge,
  InputsInvalid,
  ModelNotServed,
  PackageNotFound,
  PackagePathRefused,
  PackageRefused,
  ReloadRefused,
  RequestRefused,
  RetireRefused,
  RolloutRefused,
  ServiceError,
  type Issue,
} from '../errors';

export type ProblemIssue = Issue;

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: ProblemIssue[];
  /** Open Inference Protocol clients read `error`; set on /v2 routes. */
  error?: string;
  requestId?: string;
}

const titles: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable input',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/** A refusal of the HTTP layer itself (auth, body, route), meant for the caller: its status, detail and issues are safe to show. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly errors?: ProblemIssue[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

/** Paths as the caller wrote them: records[3].inputs.industry. */
export function formatIssuePath(pathParts: readonly PropertyKey[]): string {
  let out = '';
  for (const part of pathParts) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

export function fromZod(error: z.ZodError, prefix: PropertyKey[] = []): ProblemIssue[] {
  return error.issues.map((issue) => ({ path: formatIssuePath([...prefix, ...issue.path]), message: issue.message }));
}

/** Validates with a zod schema; a failure becomes a 400 listing the failing paths. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HttpProblem(400, `The ${what} does not match the schema.`, fromZod(parsed.error));
  return parsed.data;
}

function problemType(status: number): string {
  return `https://httpstatuses.io/${status}`;
}

export function problemBody(status: number, detail: string, errors?: ProblemIssue[]): ProblemBody {
  const body: ProblemBody = { type: problemType(status), title: titles[status] ?? 'Error', status, detail };
  if (errors && errors.length > 0) body.errors = errors;
  return body;
}

/** Body-parser errors carry `type` and `status`; map the ones a caller can cause. */
function fromBodyParser(err: { type?: string; status?: number; limit?: number }): HttpProblem | undefined {
  switch (err.type) {
    case 'entity.too.large':
      return new HttpProblem(413, `The request body is larger than the limit of ${err.limit} bytes.`);
    case 'entity.parse.failed':
      return new HttpProblem(400, 'The request body is not valid JSON.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpProblem(415, 'The request body must be UTF-8 JSON.');
    case 'request.aborted':
      return new HttpProblem(400, 'The request was aborted by the client.');
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new HttpProblem(400, 'The request body could not be read.');
    default:
      return undefined;
  }
}

/** The status of each named domain error. */
const statusOfDomainError = new Map<abstract new (...args: never[]) => ServiceError, number>([
  [ModelNotServed, 404],
  [RequestRefused, 400],
  [InputsInvalid, 422],
  [BatchTooLarge, 413],
  [ReloadRefused, 422],
  [PackageRefused, 422],
  [PackagePathRefused, 400],
  [PackageNotFound, 404],
  [RetireRefused, 409],
  [RolloutRefused, 409],
]);

/** Turns anything thrown into the problem a caller should see. */
export function toProblem(err: unknown): HttpProblem {
  if (err instanceof HttpProblem) return err;
  if (err instanceof ServiceError) {
    const status = statusOfDomainError.get(err.constructor as typeof ServiceError);
    if (status !== undefined) return new HttpProblem(status, err.message, err.issues);
  }
  if (err instanceof z.ZodError) return new HttpProblem(400, 'The request does not match the schema.', fromZod(err));
  if (err instanceof PackageError) {
    // A package that does not verify is a server-side artifact problem, but its message names the file, not user data.
    return new HttpProblem(422, err.message);
  }
  if (err instanceof WorkerCrashedError) {
    // An internal failure (500), though the request itself is safe to retry: the worker is replaced at once.
    return new HttpProblem(
      500,
      'An inference worker stopped while running this request; it has been replaced. Retry the request.',
    );
  }
  if (err instanceof PoolClosedError)
    return new HttpProblem(503, 'The service is shutting down; retry on another replica.', undefined, {
      'Retry-After': '1',
    });
  if (err instanceof WorkerTaskError && err.code === 'no-explainer') return new HttpProblem(422, err.message);
  if (err && typeof err === 'object') {
    const mapped = fromBodyParser(err as { type?: string });
    if (mapped) return mapped;
    // Other client errors raised by express itself (http-errors with a 4xx status), e.g. a path that is not valid URL encoding.
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return new HttpProblem(
        status,
        err instanceof URIError
          ? 'The request path is not valid URL encoding.'
          : `The request cannot be handled (${titles[status] ?? status}).`,
      );
    }
  }
  return new HttpProblem(500, 'The service failed to handle this request; the failure is logged with its request id.');
}

export function sendProblem(res: Parameters<RequestHandler>[1], problem: HttpProblem): void {
  const body = problemBody(problem.status, problem.detail, problem.errors);
  const requestId = res.locals.requestId as string | undefined;
  if (requestId) body.requestId = requestId;
  if (res.req.path.startsWith('/v2/')) body.error = problem.detail;
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(body));
}

/** The one error handler. Logs 5xx with the cause (never the body); 4xx at debug. */
export const errorHandler: ErrorRequestHandler = (err, req, res, next) => {
  if (res.headersSent) return next(err);
  const problem = toProblem(err);
  const log = res.locals.log as
    { error: (o: object, m: string) => void; debug: (o: object, m: string) => void } | undefined;
  if (problem.status >= 500)
    log?.error(
      { err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) },
      'request failed',
    );
  else log?.debug({ status: problem.status, detail: problem.detail }, 'request refused');
  sendProblem(res, problem);
};

/** 404 for routes that do not exist. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpProblem(404, `No route ${req.method} ${req.path}.`));
};
