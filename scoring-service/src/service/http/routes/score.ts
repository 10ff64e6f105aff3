/** POST /v1/models/{model}/score: real-time and batch scoring with champion/challenger, shadow, canary and reasons. */
import { scoreRecords } from '../../usecases/score-records';
import { modelParam, route } from '../route';
import { servingSetOf } from '../serving-set-header';

export const scoreRoutes = [
  route({
    method: 'post',
    path: '/v1/models/{model}/score',
    access: 'client',
    needsModels: true,
    summary: 'Score records with a version or alias; optional shadow versions, canary split and reasons',
    parameters: { model: modelParam },
    request: { schema: 'ScoreRequest', required: true, what: 'score request', batch: 'records' },
    responses: {
      '200': { description: 'Scores in record order', json: 'ScoreResponse' },
      '400': { description: 'The body does not match the schema', problem: true },
      '404': { description: 'Unknown model, version or alias', problem: true },
      '413': { description: 'Too many records or body too large', problem: true },
      '415': { description: 'Body is not JSON', problem: true },
      '422': {
        description:
          'Inputs do not fit the manifest (unknown input, wrong type, value not allowed, required input missing)',
        problem: true,
      },
      '503': { description: 'Not ready or shutting down', problem: true },
    },
    async handle(req, res, deps, request) {
      res.locals.records = request.records.length;
      const timings: Record<string, number> = {};
      res.locals.timings = timings;
      const response = await scoreRecords(
        { pool: deps.pool, prometheus: deps.prometheus, timings },
        servingSetOf(res),
        String(req.params.model),
        request,
      );
      res.locals.model = response.model;
      res.locals.version = response.version;
      // What res.json sends (same Content-Type), from text already serialized.
      res.set('Content-Type', 'application/json').send(response.json);
    },
  }),
];
