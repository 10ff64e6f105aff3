/** Open Inference Protocol v2 routes: health (no key), server and model metadata, readiness, raw-tensor inference. */
import type { Request } from 'express';
import type { ServiceDeps } from '../../deps';
import { inferTensors, modelMetadata } from '../../usecases/infer-tensors';
import { serviceVersion } from '../../version';
import { modelParam, route, versionOrAliasParam, type RouteDeclaration } from '../route';

/** The model of the path, and its version when the path names one (else the champion). */
const target = (req: Request) => ({
  model: String(req.params.model),
  version: req.params.version === undefined ? undefined : String(req.params.version),
});

function metadata(deps: ServiceDeps, req: Request) {
  const { model, version } = target(req);
  const set = deps.host.current;
  return modelMetadata(set, set.resolve(model, version).served);
}

function readiness(deps: ServiceDeps, req: Request) {
  const { model, version } = target(req);
  const served = deps.host.current.resolve(model, version).served;
  return { name: served.name, version: served.version, ready: deps.pool.isLoaded(served.key) };
}

/** The same route for the champion (/v2/models/{model}...) and for a named version (/v2/models/{model}/versions/{version}...). */
function forChampionAndVersion(
  declare: (
    path: string,
    parameters: Record<string, string>,
    which: { summary: string; unknown: string },
  ) => RouteDeclaration,
  suffix: string,
): RouteDeclaration[] {
  return [
    declare(`/v2/models/{model}${suffix}`, { model: modelParam }, { summary: ' (champion)', unknown: 'Unknown model' }),
    declare(
      `/v2/models/{model}/versions/{version}${suffix}`,
      { model: modelParam, version: versionOrAliasParam },
      { summary: '', unknown: 'Unknown model or version' },
    ),
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
  ...forChampionAndVersion(
    (path, parameters, which) =>
      route({
        method: 'get',
        path,
        access: 'client',
        needsModels: true,
        summary: `OIP model metadata${which.summary}`,
        parameters,
        responses: { '200': { json: 'ModelMetadata' }, '404': { description: which.unknown, problem: true } },
        handle(req, res, deps) {
          res.json(metadata(deps, req));
        },
      }),
    '',
  ),
  ...forChampionAndVersion(
    (path, parameters, which) =>
      route({
        method: 'get',
        path,
        access: 'client',
        needsModels: true,
        summary: 'OIP model readiness',
        parameters,
        responses: {
          '200': { description: '{name, ready}', json: 'object' },
          '404': { description: which.unknown, problem: true },
        },
        handle(req, res, deps) {
          res.json(readiness(deps, req));
        },
      }),
    '/ready',
  ),
  ...forChampionAndVersion(
    (path, parameters, which) =>
      route({
        method: 'post',
        path,
        access: 'client',
        needsModels: true,
        summary: `OIP inference on raw tensors${which.summary}`,
        parameters,
        request: { schema: 'InferRequest', required: true, what: 'inference request' },
        responses: {
          '200': { json: 'InferResponse' },
          '400': { description: 'Bad tensors', problem: true },
          '404': { description: which.unknown, problem: true },
        },
        async handle(req, res, deps, request) {
          const { model, version } = target(req);
          const out = await deps.host.withSet((set) =>
            inferTensors(deps.pool, set.resolve(model, version).served, request, deps.config.MAX_RECORDS_PER_REQUEST),
          );
          res.locals.model = out.model_name;
          res.locals.version = out.model_version;
          res.json(out);
        },
      }),
    '/infer',
  ),
];
