/** GET /metrics (Prometheus) and GET /openapi.json. */
import { Router } from 'express';
import type { ServiceDeps } from '../deps';
import { openApiDocument } from '../openapi';

export function opsRoutes(deps: ServiceDeps, version: string): Router {
  const router = Router();
  let document: Record<string, unknown> | undefined;
  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  router.get('/openapi.json', (_req, res) => {
    document ??= openApiDocument(version);
    res.json(document);
  });
  return router;
}
