/** Admin routes (admin key): reload the serving set, load or retire one version, change a count model's rollout. */
import type { Request, Response } from 'express';
import { ReloadRefused } from '../../errors';
import { HttpProblem } from '../problems';
import { modelParam, route, semverParam } from '../route';
import { answerFromDigest } from '../serving-set-header';

const modelName = /^[a-z][a-z0-9-]*$/;
const semver = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

/** The model and version of the path, checked before anything touches MODELS_DIR. */
function target(req: Request, res: Response): { model: string; version: string } {
  const model = String(req.params.model);
  const version = String(req.params.version);
  if (!modelName.test(model)) throw new HttpProblem(400, 'The model name must be kebab-case, such as lead-scoring.');
  if (!semver.test(version)) throw new HttpProblem(400, 'The version must be a semantic version such as 4.1.0.');
  res.locals.model = model;
  res.locals.version = version;
  return { model, version };
}

const versionParams = { model: modelParam, version: semverParam };

/** The model of the path, checked like target(). */
function modelTarget(req: Request, res: Response): string {
  const model = String(req.params.model);
  if (!modelName.test(model)) throw new HttpProblem(400, 'The model name must be kebab-case, such as gift-demand.');
  res.locals.model = model;
  return model;
}

export const adminRoutes = [
  route({
    method: 'post',
    path: '/v1/admin/reload',
    access: 'admin',
    summary: 'Rebuild the serving set from MODELS_DIR (also on SIGHUP)',
    responses: {
      '200': { description: 'Serving versions', json: 'object' },
      '422': {
        description: 'Registry unreadable, or versions refused (listed; the previous artifact keeps serving)',
        problem: true,
      },
    },
    async handle(_req, res, deps) {
      const report = await deps.host.reload();
      answerFromDigest(res, report.servingSet);
      if (report.refused.length > 0) {
        throw new ReloadRefused(
          `Reloaded with ${report.refused.length} version(s) refused; ${report.refused.filter((r) => r.keptPrevious).length} of them keep serving their previous verified artifact.`,
          report.refused.map((r) => ({ path: `${r.model}/${r.version}`, message: r.reason })),
        );
      }
      res.json(report);
    },
  }),
  route({
    method: 'post',
    path: '/v1/admin/models/{model}/versions/{version}/load',
    access: 'admin',
    summary: 'Verify and load one version (sha256, signature); replaces the same version if served',
    parameters: versionParams,
    request: { schema: 'AdminLoadRequest', required: false, what: 'load request' },
    responses: {
      '200': { description: 'Serving versions', json: 'object' },
      '400': { description: 'Bad path', problem: true },
      '404': { description: 'No such package folder', problem: true },
      '422': { description: 'The package does not verify', problem: true },
    },
    async handle(req, res, deps, body) {
      const { model, version } = target(req, res);
      const report = await deps.host.loadVersion(model, version, body);
      answerFromDigest(res, report.servingSet);
      res.json(report);
    },
  }),
  route({
    method: 'post',
    path: '/v1/admin/models/{model}/versions/{version}/retire',
    access: 'admin',
    summary: 'Stop serving one version (running requests finish)',
    parameters: versionParams,
    responses: {
      '200': { description: 'Serving versions', json: 'object' },
      '404': { description: 'Not served', problem: true },
      '409': { description: 'It is the champion', problem: true },
    },
    async handle(req, res, deps) {
      const { model, version } = target(req, res);
      const report = await deps.host.retireVersion(model, version);
      answerFromDigest(res, report.servingSet);
      res.json(report);
    },
  }),
  route({
    method: 'put',
    path: '/v1/admin/models/{model}/rollout',
    access: 'admin',
    summary:
      "A count model's rollout: champion, challenger, kill switch (enabled), canary percent by the manifest's rollout key, shadow scoring. Applies from the next request; written to registry.json",
    parameters: { model: modelParam },
    request: { schema: 'RolloutRequest', required: true, what: 'rollout request' },
    responses: {
      '200': { description: 'The rollout now serving', json: 'RolloutResponse' },
      '400': { description: 'Bad path or body', problem: true },
      '404': { description: 'Model or version not served', problem: true },
      '409': {
        description:
          'Not a count model, canary without a rollout key in the manifest, challenger = champion, or no registry entry',
        problem: true,
      },
    },
    async handle(req, res, deps, body) {
      const model = modelTarget(req, res);
      const report = await deps.host.changeRollout(model, body);
      answerFromDigest(res, report.servingSet);
      res.json(report);
    },
  }),
];
