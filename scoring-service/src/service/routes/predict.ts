/** POST /predict: the demand model's API, counts summed per product. */
import { Router } from 'express';
import { HttpProblem, parseOr400 } from '../errors';
import type { ServiceDeps } from '../deps';
import { predictRequest } from '../predict';
import { predictRequestSchema } from '../schemas';

export function predictRoutes(deps: ServiceDeps): Router {
  const router = Router();
  router.post('/predict', async (req, res) => {
    const limit = deps.config.MAX_RECORDS_PER_REQUEST;
    const body = req.body as { rows?: unknown } | undefined;
    if (body && Array.isArray(body.rows) && body.rows.length > limit) {
      throw new HttpProblem(413, `At most ${limit} rows per call; this call has ${body.rows.length}. Split the batch.`);
    }
    const request = parseOr400(predictRequestSchema, body, 'predict request');
    res.locals.records = request.rows.length;
    const out = await deps.host.withSet((set) =>
      predictRequest({ pool: deps.pool, metrics: deps.metrics }, set, request),
    );
    res.locals.model = out.model;
    res.locals.version = out.version;
    res.json(out.body);
  });
  return router;
}
