/**
 * The express app: middleware order is the security model. Health first (no key), then the
 * key check (before any body is read), then the JSON body with its size limit and guard,
 * then the routes, then the one error handler. No CORS: browsers on other origins are not callers.
 */
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import { requireKey } from './auth';
import type { ServiceDeps } from './deps';
import { errorHandler, HttpProblem, notFoundHandler } from './errors';
import { jsonGuard, requireJson } from './json-guard';
import { requestLogging, routeOf } from './logger';
import { adminRoutes } from './routes/admin';
import { modelRoutes } from './routes/models';
import { healthRoutes, oipRoutes } from './routes/oip';
import { opsRoutes } from './routes/ops';
import { predictRoutes } from './routes/predict';
import { scoreRoutes } from './routes/score';

function requestMetrics(deps: ServiceDeps): RequestHandler {
  return (req, res, next) => {
    const end = deps.metrics.latency.startTimer();
    res.on('finish', () => {
      const labels = {
        method: req.method,
        route: routeOf(req),
        model: (res.locals.model as string) ?? '',
        version: (res.locals.version as string) ?? '',
      };
      end(labels);
      deps.metrics.requests.inc({ ...labels, status: String(res.statusCode) });
    });
    next();
  };
}

/** New work is refused while shutting down, and model routes while no model is loaded. */
function availability(deps: ServiceDeps): RequestHandler {
  return (req, res, next) => {
    if (deps.state.shuttingDown) {
      res.setHeader('Connection', 'close');
      return next(
        new HttpProblem(503, 'The service is shutting down; retry on another replica.', undefined, {
          'Retry-After': '1',
        }),
      );
    }
    const needsModels =
      req.path === '/predict' || req.path.startsWith('/v1/models') || req.path.startsWith('/v2/models');
    const reason = deps.host.notReadyReason;
    if (needsModels && reason)
      return next(new HttpProblem(503, `The service is not ready: ${reason}.`, undefined, { 'Retry-After': '5' }));
    next();
  };
}

export function createApp(deps: ServiceDeps, version: string): Express {
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
  app.use(requestLogging(deps.log));
  app.use(requestMetrics(deps));
  app.use(healthRoutes(deps));

  const clientKey = requireKey(deps.keys, 'client');
  const adminKey = requireKey(deps.keys, 'admin');
  app.use((req, res, next) =>
    req.path.startsWith('/v1/admin/') ? adminKey(req, res, next) : clientKey(req, res, next),
  );
  app.use(availability(deps));
  app.use(requireJson);
  app.use(express.json({ limit: deps.config.MAX_BODY_BYTES, strict: true, type: 'application/json' }));
  app.use(jsonGuard);

  app.use(scoreRoutes(deps));
  app.use(predictRoutes(deps));
  app.use(modelRoutes(deps));
  app.use(oipRoutes(deps));
  app.use(opsRoutes(deps, version));
  app.use(adminRoutes(deps));
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
