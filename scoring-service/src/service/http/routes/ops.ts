/** GET /metrics (Prometheus) and GET /openapi.json. */
import { openApiDocument } from '../openapi';
import { route, type RouteDeclaration } from '../route';
import { serviceVersion } from '../../version';

let document: Record<string, unknown> | undefined;

export const opsRoutes: RouteDeclaration[] = [
  route({
    method: 'get',
    path: '/metrics',
    access: 'client',
    summary: 'Prometheus metrics',
    responses: { '200': { description: 'Prometheus text format', text: true } },
    async handle(_req, res, deps) {
      res.type(deps.prometheus.registry.contentType).send(await deps.prometheus.registry.metrics());
    },
  }),
  route({
    method: 'get',
    path: '/openapi.json',
    access: 'client',
    summary: 'This document',
    responses: { '200': { description: 'OpenAPI 3.1', json: 'object' } },
    handle(_req, res) {
      document ??= openApiDocument(serviceVersion);
      res.json(document);
    },
  }),
];
