/** Open Inference Protocol v2 routes. Health routes need no key; the rest do (mounted after auth). */
import { Router } from 'express';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ServiceDeps } from '../deps';
import { parseOr400 } from '../errors';
import { infer, modelMetadata } from '../oip';
import { inferRequestSchema } from '../schemas';

/** The service's own version (src/ and dist/ sit at the same depth under the package). */
const serviceVersion = (
  JSON.parse(readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')) as { version: string }
).version;

export function healthRoutes(deps: ServiceDeps): Router {
  const router = Router();
  router.get('/v2/health/live', (_req, res) => {
    res.json({ live: true });
  });
  router.get('/v2/health/ready', (_req, res) => {
    const reason = deps.state.shuttingDown ? 'shutting down' : deps.host.notReadyReason;
    if (reason) res.status(503).json({ ready: false, reason });
    else res.json({ ready: true });
  });
  return router;
}

export function oipRoutes(deps: ServiceDeps): Router {
  const router = Router();
  router.get('/v2', (_req, res) => {
    res.json({ name: 'scoring-service', version: serviceVersion, extensions: [] });
  });
  const metadata = (model: string, version?: string) => {
    const set = deps.host.current;
    return modelMetadata(set, set.resolve(model, version).served);
  };
  router.get('/v2/models/:model', (req, res) => {
    res.json(metadata(req.params.model));
  });
  router.get('/v2/models/:model/versions/:version', (req, res) => {
    res.json(metadata(req.params.model, req.params.version));
  });
  const ready = (model: string, version?: string) => {
    const served = deps.host.current.resolve(model, version).served;
    return { name: served.name, version: served.version, ready: deps.pool.isLoaded(served.key) };
  };
  router.get('/v2/models/:model/ready', (req, res) => {
    res.json(ready(req.params.model));
  });
  router.get('/v2/models/:model/versions/:version/ready', (req, res) => {
    res.json(ready(req.params.model, req.params.version));
  });
  const inferRoute = async (model: string, version: string | undefined, body: unknown) => {
    const request = parseOr400(inferRequestSchema, body, 'inference request');
    return deps.host.withSet((set) =>
      infer(deps.pool, set.resolve(model, version).served, request, deps.config.MAX_RECORDS_PER_REQUEST),
    );
  };
  router.post('/v2/models/:model/infer', async (req, res) => {
    const out = await inferRoute(req.params.model, undefined, req.body);
    res.locals.model = out.model_name;
    res.locals.version = out.model_version;
    res.json(out);
  });
  router.post('/v2/models/:model/versions/:version/infer', async (req, res) => {
    const out = await inferRoute(req.params.model, req.params.version, req.body);
    res.locals.model = out.model_name;
    res.locals.version = out.model_version;
    res.json(out);
  });
  return router;
}
