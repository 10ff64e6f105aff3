/** Open Inference Protocol v2 routes: health (no key), server and model metadata, readiness, raw-tensor inference. */
import type { Request, Response } from 'express';
import type { ServiceDeps } from '../../deps';
import { inferTensors, modelMetadata } from '../../usecases/infer-tensors';
import { serviceVersion } from '../../version';
import { modelParam, route, versionOrAliasParam, type ResponseDoc, type RouteDeclaration } from '../route';
import { servingSetOf } from '../serving-set-header';

/** The model of the path, and its version when the path names one (else the champion). */
const target = (req: Request) => ({
  model: String(req.params.model),
  version: req.params.version === undefined ? undefined : String(req.params.version),
});

function metadata(req: Request, res: Response) {
  const { model, version } = target(req);
  const set = servingSetOf(res);
  return modelMetadata(set, set.resolve(model, version).served);
}

function readiness(deps: ServiceDeps, req: Request, res: Response) {
  const { model, version } = target(req);
  const served = servingSetOf(res).resolve(model, version).served;
  return { name: served.name, version: served.version, ready: deps.pool.isLoaded(served.key) };
}

/** Where one OIP model route is declared: for the champion, or for a named version. */
interface Variant {
  /** path, parameters, access and availability of this variant. */
  at: Pick<RouteDeclaration, 'path' | 'parameters' | 'access' | 'needsModels'>;
  /** " (champion)" on the champion's routes whose summary says so. */
  champion: string;
  notFound: ResponseDoc;
}

/**
 * One OIP model route, declared for the champion (/v2/models/{model}<suffix>) and for a named
 * version (/v2/models/{model}/versions/{version}<suffix>).
 */
function forChampionAndVersion(suffix: string, declare: (variant: Variant) => RouteDeclaration): RouteDeclaration[] {
  const at = { access: 'client', needsModels: true } as const;
  return [
    declare({
      at: { ...at, path: `/v2/models/{model}${suffix}`, parameters: { model: modelParam } },
      champion: ' (champion)',
      notFound: { description: 'Unknown model', problem: true },
    }),
    declare({
      at: {
        ...at,
        path: `/v2/models/{model}/versions/{version}${suffix}`,
        parameters: { model: modelParam, version: versionOrAliasParam },
      },
      champion: '',
      notFound: { description: 'Unknown model or version', problem: true },
    }),
  ];
}

export const healthRoutes = [
  route({
    method: 'get',
    path: '/v2/health/live',
    access: 'public',
    summary: 'Liveness',
    responses: { '200': { description: '{live: true}', json: 'object' } },
    handle(_req, res) {
      res.json({ live: true });
    },
  }),
  route({
    method: 'get',
    path: '/v2/health/ready',
    access: 'public',
    summary: 'Readiness: models loaded and not shutting down',
    responses: {
      '200': { description: '{ready: true}', json: 'object' },
      '503': { description: '{ready: false, reason}', json: 'object' },
    },
    handle(_req, res, deps) {
      const reason = deps.state.shuttingDown ? 'shutting down' : deps.host.notReadyReason;
      if (reason) res.status(503).json({ ready: false, reason });
      else res.json({ ready: true });
    },
  }),
];

export const oipRoutes: RouteDeclaration[] = [
  route({
    method: 'get',
    path: '/v2',
    access: 'client',
    summary: 'OIP server metadata',
    responses: { '200': { description: '{name, version, extensions}', json: 'object' } },
    handle(_req, res) {
      res.json({ name: 'scoring-service', version: serviceVersion, extensions: [] });
    },
  }),
  ...forChampionAndVersion('', (v) =>
    route({
      ...v.at,
      method: 'get',
      summary: `OIP model metadata${v.champion}`,
      responses: { '200': { json: 'ModelMetadata' }, '404': v.notFound },
      handle(req, res) {
        res.json(metadata(req, res));
      },
    }),
  ),
  ...forChampionAndVersion('/ready', (v) =>
    route({
      ...v.at,
      method: 'get',
      summary: 'OIP model readiness',
      responses: { '200': { description: '{name, ready}', json: 'object' }, '404': v.notFound },
      handle(req, res, deps) {
        res.json(readiness(deps, req, res));
      },
    }),
  ),
  ...forChampionAndVersion('/infer', (v) =>
    route({
      ...v.at,
      method: 'post',
      summary: `OIP inference on raw tensors${v.champion}`,
      request: { schema: 'InferRequest', required: true, what: 'inference request' },
      responses: {
        '200': { json: 'InferResponse' },
        '400': { description: 'Bad tensors', problem: true },
        '404': v.notFound,
      },
      async handle(req, res, deps, request) {
        const { model, version } = target(req);
        const out = await inferTensors(
          deps.pool,
          servingSetOf(res).resolve(model, version).served,
          request,
          deps.config.MAX_RECORDS_PER_REQUEST,
        );
        res.locals.model = out.model_name;
        res.locals.version = out.model_version;
        res.json(out);
      },
    }),
  ),
];
