/** POST /predict: the demand model's API, counts summed per product. */
import { forecastDemand } from '../../usecases/forecast-demand';
import { route } from '../route';
import { servingSetOf } from '../serving-set-header';

export const demandRoutes = [
  route({
    method: 'post',
    path: '/predict',
    access: 'client',
    needsModels: true,
    summary: "Expected counts per product from a count model, summed over the product's rows",
    request: { schema: 'PredictRequest', required: true, what: 'predict request', batch: 'rows' },
    responses: {
      '200': { description: 'One entry per product', json: 'PredictResponse' },
      '400': { description: 'Bad request', problem: true },
      '404': { description: 'Unknown model', problem: true },
      '413': { description: 'Too many rows', problem: true },
      '422': { description: 'Inputs do not fit the manifest', problem: true },
    },
    async handle(_req, res, deps, request) {
      res.locals.records = request.rows.length;
      const out = await forecastDemand({ pool: deps.pool, prometheus: deps.prometheus }, servingSetOf(res), request);
      res.locals.model = out.model;
      res.locals.version = out.version;
      res.json(out.body);
    },
  }),
];
