/**
 * JSON logs (pino). Request logs carry the request id, route, model, version, record count and
 * timings; never headers with keys and never input values (lead data is personal data).
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'scoring-service' }, redact: ['req.headers.authorization'] }, destination);
}

const safeRequestId = /^[A-Za-z0-9._:-]{1,100}$/;

/** Assigns the request id (the caller's X-Request-Id when it is safe to echo), a child logger, and logs the outcome. */
export function requestLogging(log: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && safeRequestId.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    const child = log.child({ reqId: requestId });
    res.locals.log = child;
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const entry = {
        method: req.method,
        route: routeOf(req),
        status: res.statusCode,
        ms: Math.round(ms * 1000) / 1000,
        model: res.locals.model as string | undefined,
        version: res.locals.version as string | undefined,
        records: res.locals.records as number | undefined,
        timings: res.locals.timings as Record<string, number> | undefined,
      };
      if (entry.route.startsWith('/v2/health')) child.debug(entry, 'request');
      else child.info(entry, 'request');
    });
    next();
  };
}

/** The matched route template (never the raw URL with its ids), or the path for 404s. */
export function routeOf(req: Parameters<RequestHandler>[0]): string {
  const template = (req.route as { path?: string } | undefined)?.path;
  return template ? `${req.baseUrl}${template}` : 'unmatched';
}
