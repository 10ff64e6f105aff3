/** POST /v1/models/{model}/score: real-time and batch scoring with champion/challenger, shadow, canary and reasons. */
import { Router } from 'express';
import { HttpProblem, parseOr400 } from '../errors';
import type { ServiceDeps } from '../deps';
import { scoreRequestJson } from '../scoring';
import { scoreRequestSchema } from '../schemas';

export function scoreRoutes(deps: ServiceDeps): Router {
  const router = Router();
  router.post('/v1/models/:model/score', async (req, res) => {
    const limit = deps.config.MAX_RECORDS_PER_REQUEST;
    const body = req.body as { records?: unknown } | undefined;
    // Counted before validation, so a huge batch is refused as too large, not listed issue by issue.
    if (body && Array.isArray(body.records) && body.records.length > limit) {
      throw new HttpProblem(
        413,
        `At most ${limit} records per call; this call has ${body.records.length}. Split the batch.`,
      );
    }
    const request = parseOr400(scoreRequestSchema, body, 'score request');
    res.locals.records = request.records.length;
    const timings: Record<string, number> = {};
    res.locals.timings = timings;
    const response = await deps.host.withSet((set) =>
      scoreRequestJson({ pool: deps.pool, metrics: deps.metrics, timings }, set, String(req.params.model), request),
    );
    res.locals.model = response.model;
    res.locals.version = response.version;
    // What res.json sends (same Content-Type), from text already serialized.
    res.set('Content-Type', 'application/json').send(response.json);
  });
  return router;
}
