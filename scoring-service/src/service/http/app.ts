/**
 * The express app: middleware order is the security model. Each declared route (routes.ts)
 * gets its chain: the key check its access names (before any body is read), availability,
 * the JSON body with its size limit and guard, its schema, then its handler; anything else is
 * refused without a key (401) and answered 404 with one. One error handler answers every error.
 * No CORS: browsers on other origins are not callers.
 */
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { ServiceDeps } from '../deps';
import { requireKey } from './auth';
import { jsonGuard, requireJson } from './body-guard';
import { requestLogging, routeOf } from './logger';
import { errorHandler, HttpProblem, notFoundHandler } from './problems';
import { pinServingSet } from './serving-set-header';
import { expressPath, type RouteDeclaration } from './route';
import { routes } from './routes';

function requestMetrics(deps: ServiceDeps): RequestHandler {
  return (req, res, next) => {
    const end = deps.prometheus.latency.startTimer();
    res.on('finish', () => {
      const labels = {
        method: req.method,
        route: routeOf(req),
        model: (res.locals.model as string) ?? '',
        version: (res.locals.version as string) ?? '',
      };
      end(labels);
      deps.prometheus.requests.inc({ ...labels, status: String(res.statusCode) });
    });
    next();
  };
}

/** New work is refused while shutting down, and routes that need a model while none is loaded. */
function availability(deps: ServiceDeps, needsModels: boolean): RequestHandler {
  return (_req, res, next) => {
    if (deps.state.shuttingDown) {
      res.setHeader('Connection', 'close');
      return next(
        new HttpProblem(503, 'The service is shutting down; retry on another replica.', undefined, {
          'Retry-After': '1',
        }),
      );
    }
    const reason = needsModels ? deps.host.notReadyReason : undefined;
    if (reason)
      return next(new HttpProblem(503, `The service is not ready: ${reason}.`, undefined, { 'Retry-After': '5' }));
    next();
  };
}

function chain(route: RouteDeclaration, deps: ServiceDeps, body: RequestHandler[]): RequestHandler[] {
  const handler: RequestHandler = async (req, res) => {
    await route.run(req, res, deps);
  };
  if (route.access === 'public') return [handler];
  return [requireKey(deps.keys, route.access), availability(deps, route.needsModels ?? false), ...body, handler];
}

export function createApp(deps: ServiceDeps): Express {
  const app = express();
  app.set('trust proxy', false);
  app.set('query parser', false);
  app.set('etag', false);
  app.use(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
      frameguard: { action: 'deny' },
      crossOriginResourcePolicy: { policy: 'same-origin' },
    }),
  );
  app.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  // First, so every answer (errors and 404s too) carries the Serving-Set header.
  app.use(pinServingSet(deps.host));
  app.use(requestLogging(deps.log));
  app.use(requestMetrics(deps));

  const body = [
    requireJson,
    express.json({ limit: deps.config.MAX_BODY_BYTES, strict: true, type: 'application/json' }),
    jsonGuard,
  ];
  for (const route of routes) app[route.method](expressPath(route.path), ...chain(route, deps, body));
  app.use(requireKey(deps.keys, 'client'), availability(deps, false), notFoundHandler);
  app.use(errorHandler);
  return app;
}
