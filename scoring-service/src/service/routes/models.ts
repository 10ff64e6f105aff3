/** GET /v1/models, /v1/models/{model}, /v1/models/{model}/versions/{version}: what is served, with manifests. */
import { Router } from 'express';
import type { ServiceDeps } from '../deps';
import type { ServedModel, ServedVersion } from '../serving-set';

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
    versions: [...model.versions.values()].map((v) => versionSummary(model, v)),
  };
}

export function modelRoutes(deps: ServiceDeps): Router {
  const router = Router();
  router.get('/v1/models', (_req, res) => {
    const set = deps.host.current;
    res.json({ models: [...set.models.values()].map(modelSummary), loadedAt: set.builtAt });
  });
  router.get('/v1/models/:model', (req, res) => {
    res.json(modelSummary(deps.host.current.model(req.params.model)));
  });
  router.get('/v1/models/:model/versions/:version', (req, res) => {
    const set = deps.host.current;
    const model = set.model(req.params.model);
    const { served } = set.resolve(req.params.model, req.params.version);
    res.json({ name: model.name, ...versionSummary(model, served), manifest: served.manifest });
  });
  return router;
}
