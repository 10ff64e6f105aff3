/** Admin routes (admin key): reload the serving set, load or retire one version. */
import { Router } from 'express';
import type { ServiceDeps } from '../deps';
import { HttpProblem, parseOr400 } from '../errors';
import { adminLoadRequestSchema } from '../schemas';

const modelName = /^[a-z][a-z0-9-]*$/;
const semver = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

function target(params: Record<string, string>): { model: string; version: string } {
  if (!modelName.test(params.model))
    throw new HttpProblem(400, 'The model name must be kebab-case, such as lead-scoring.');
  if (!semver.test(params.version)) throw new HttpProblem(400, 'The version must be a semantic version such as 4.1.0.');
  return { model: params.model, version: params.version };
}

export function adminRoutes(deps: ServiceDeps): Router {
  const router = Router();
  router.post('/v1/admin/reload', async (_req, res) => {
    const report = await deps.host.reload();
    if (report.refused.length > 0) {
      throw new HttpProblem(
        422,
        `Reloaded with ${report.refused.length} version(s) refused; ${report.refused.filter((r) => r.keptPrevious).length} of them keep serving their previous verified artifact.`,
        report.refused.map((r) => ({ path: `${r.model}/${r.version}`, message: r.reason })),
      );
    }
    res.json(report);
  });
  router.post('/v1/admin/models/:model/versions/:version/load', async (req, res) => {
    const { model, version } = target(req.params);
    const body = parseOr400(adminLoadRequestSchema, req.body ?? {}, 'load request');
    res.locals.model = model;
    res.locals.version = version;
    res.json(await deps.host.loadVersion(model, version, body));
  });
  router.post('/v1/admin/models/:model/versions/:version/retire', async (req, res) => {
    const { model, version } = target(req.params);
    res.locals.model = model;
    res.locals.version = version;
    res.json(await deps.host.retireVersion(model, version));
  });
  return router;
}
