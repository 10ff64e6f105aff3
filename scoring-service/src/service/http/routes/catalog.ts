/** GET /v1/models, /v1/models/{model}, /v1/models/{model}/versions/{version}: what is served, with manifests. */
import type { ServedModel, ServedVersion } from '../../serving/serving-set';
import { modelParam, route, versionOrAliasParam } from '../route';
import { servingSetOf } from '../serving-set-header';

function versionSummary(model: ServedModel, v: ServedVersion) {
  return {
    version: v.version,
    status: v.status,
    role: model.champion === v ? 'champion' : model.challenger === v ? 'challenger' : undefined,
    task: v.manifest.task,
    sha256: v.manifest.sha256,
    signature: v.manifest.signature,
    created: v.manifest.created,
    loadedAt: v.loadedAt,
    inputs: v.manifest.inputs.length,
    columns: v.manifest.model.columns,
    explainer: v.info.explainer,
  };
}

function modelSummary(model: ServedModel) {
  return {
    name: model.name,
    description: model.description,
    champion: model.champion?.version,
    challenger: model.challenger?.version,
    /** Count models: the challenger's rollout on /predict (on/off, canary %, shadow), when the registry has one. */
    rollout: model.rollout,
    versions: [...model.versions.values()].map((v) => versionSummary(model, v)),
  };
}

export const catalogRoutes = [
  route({
    method: 'get',
    path: '/v1/models',
    access: 'client',
    needsModels: true,
    summary: 'Served models, versions, aliases and statuses',
    responses: { '200': { description: 'Models', json: 'object' } },
    handle(_req, res) {
      const set = servingSetOf(res);
      res.json({ servingSet: set.digest, models: [...set.models.values()].map(modelSummary), loadedAt: set.builtAt });
    },
  }),
  route({
    method: 'get',
    path: '/v1/models/{model}',
    access: 'client',
    needsModels: true,
    summary: 'One served model',
    parameters: { model: modelParam },
    responses: {
      '200': { description: 'Model', json: 'object' },
      '404': { description: 'Unknown model', problem: true },
    },
    handle(req, res) {
      res.json(modelSummary(servingSetOf(res).model(String(req.params.model))));
    },
  }),
  route({
    method: 'get',
    path: '/v1/models/{model}/versions/{version}',
    access: 'client',
    needsModels: true,
    summary: 'One served version with its manifest',
    parameters: { model: modelParam, version: versionOrAliasParam },
    responses: {
      '200': { description: 'Version and manifest', json: 'object' },
      '404': { description: 'Unknown model or version', problem: true },
    },
    handle(req, res) {
      const set = servingSetOf(res);
      const model = set.model(String(req.params.model));
      const { served } = set.resolve(String(req.params.model), String(req.params.version));
      res.json({ name: model.name, ...versionSummary(model, served), manifest: served.manifest });
    },
  }),
];
