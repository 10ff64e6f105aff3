/** POST /predict: the demand model's API, counts summed per product. */
import { forecastDemand } from '../../usecases/forecast-demand';
import { route } from '../route';
import { servingSetOf } from '../serving-set-header';

/** Which version answered (a list when the rollout split the rows between champion and challenger). */
export const MODEL_VERSION_HEADER = 'Model-Version';
/** Which version was shadow-scored beside the answer (only when one was). */
export const SHADOW_VERSION_HEADER = 'Shadow-Model-Version';

export const demandRoutes = [
  route({
    method: 'post',
    path: '/predict',
    access: 'client',
    needsModels: true,
    summary:
      "Expected counts per product from a count model, summed over the product's rows; champion and challenger by the registry's rollout (canary by the manifest's rollout key, shadow), the answering version in each entry and in the Model-Version header",
    request: { schema: 'PredictRequest', required: true, what: 'predict request', batch: 'rows' },
    responses: {
      '200': {
        description: 'One entry per product and answering version (Model-Version and Shadow-Model-Version headers)',
        json: 'PredictResponse',
        headers: {
          [MODEL_VERSION_HEADER]: {
            description:
              'The version(s) that answered, comma-separated when the rollout split the rows between champion and challenger.',
            schema: { type: 'string' },
          },
          [SHADOW_VERSION_HEADER]: {
            description: 'The version shadow-scored beside the answer (only when one was).',
            schema: { type: 'string' },
          },
        },
      },
      '400': { description: 'Bad request', problem: true },
      '404': { description: 'Unknown model', problem: true },
      '413': { description: 'Too many rows', problem: true },
      '422': { description: 'Inputs do not fit the manifest', problem: true },
    },
    async handle(_req, res, deps, request) {
      res.locals.records = request.rows.length;
      const out = await forecastDemand({ pool: deps.pool, prometheus: deps.prometheus }, servingSetOf(res), request);
      res.locals.model = out.model;
      res.locals.version = out.versions.join(',');
      res.setHeader(MODEL_VERSION_HEADER, out.versions.join(', '));
      if (out.shadowVersions.length > 0) res.setHeader(SHADOW_VERSION_HEADER, out.shadowVersions.join(', '));
      res.json(out.body);
    },
  }),
];
