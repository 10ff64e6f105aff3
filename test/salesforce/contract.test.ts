/**
 * Contract between the Apex callout and the real scoring service.
 *
 * Starts the real service (bundled models, real ONNX Runtime and workers) on a loopback port,
 * sends the requests Apex builds (the request fixture, a static resource that ScoringClientTest
 * proves Apex builds), and checks that:
 * - the request fixture validates against the service's own ScoreRequest schema from /openapi.json,
 *   and carries exactly the mapped inputs, which are exactly the champion manifest's inputs;
 * - every stored callout mock (static resource) equals what the service answers now, and validates
 *   against the response schema of /openapi.json.
 * Set UPDATE_SCORING_MOCKS=1 to rewrite the stored mocks from the service's answers instead.
 */
jest.setTimeout(240_000);

import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { testConfig } from '../../scoring-service/src/service/ops/config';
import { createService, type Service } from '../../scoring-service/src/service/service';
import { REPO_ROOT } from './support/apex-checks';
import {
  fieldMappings,
  jsonDifferences,
  readStaticJson,
  requestFixture,
  writeStaticJson,
  type ScoreRequestFixture,
} from './support/contract';

const UPDATE = process.env.UPDATE_SCORING_MOCKS === '1';
const CLIENT_KEY = 'contract-test-client-key-0123456789';
/** Keys whose values legitimately change between runs; none of the score answers carry any today. */
const VOLATILE_KEYS = new Set<string>(['instance', 'requestId']);

interface MockCase {
  /** Static resource holding the mock body. */
  resource: string;
  /** The request Apex sends that this mock answers. */
  request: () => ScoreRequestFixture;
  status: number;
  /** Component schema in /openapi.json that the body must satisfy. */
  schema: string;
}

const MOCKS: MockCase[] = [
  { resource: 'ScoringServiceScoreResponse', request: requestFixture, status: 200, schema: 'ScoreResponse' },
  {
    // A mapping typo: the record carries an input the model does not know, which the service refuses with 422.
    resource: 'ScoringServiceProblem422',
    request: () => {
      const request = requestFixture();
      const first = request.records[0].inputs;
      first.tenure_at_firm_month = first.tenure_at_firm_months;
      delete first.tenure_at_firm_months;
      return { ...request, records: [request.records[0]] };
    },
    status: 422,
    schema: 'Problem',
  },
];

describe('Apex callout contract with the real scoring service', () => {
  let service: Service;
  let server: http.Server;
  let baseUrl: string;
  let openapi: { components: { schemas: Record<string, object> }; paths: Record<string, Record<string, unknown>> };
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);

  const post = async (body: unknown) => {
    const res = await fetch(`${baseUrl}/v1/models/lead-scoring/score`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${CLIENT_KEY}`,
        'Content-Type': 'application/json',
        Accept: 'application/json',
      },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      contentType: res.headers.get('content-type') ?? '',
      body: (await res.json()) as unknown,
    };
  };
  const schemaErrors = (schemaName: string, value: unknown): string[] => {
    const validate = ajv.compile(openapi.components.schemas[schemaName]);
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
  };

  beforeAll(async () => {
    service = await createService(
      testConfig({
        MODELS_DIR: path.join(REPO_ROOT, 'models'),
        SCORING_API_KEYS: CLIENT_KEY,
        WORKERS: '1',
        LOG_LEVEL: 'silent',
      }),
    );
    server = http.createServer(service.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const res = await fetch(`${baseUrl}/openapi.json`, { headers: { Authorization: `Bearer ${CLIENT_KEY}` } });
    expect(res.status).toBe(200);
    openapi = (await res.json()) as typeof openapi;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await service?.close();
  });

  it('documents the score route with the ScoreRequest body and ScoreResponse answer the check validates against', () => {
    const operation = openapi.paths['/v1/models/{model}/score']?.post as Record<string, unknown>;
    expect(JSON.stringify(operation)).toContain('#/components/schemas/ScoreRequest');
    expect(JSON.stringify(operation)).toContain('#/components/schemas/ScoreResponse');
    expect(Object.keys(openapi.components.schemas)).toEqual(
      expect.arrayContaining(['ScoreRequest', 'ScoreResponse', 'Problem']),
    );
  });

  it('validates the request Apex builds against the service request schema', () => {
    expect(schemaErrors('ScoreRequest', requestFixture())).toEqual([]);
  });

  it('sends exactly the mapped inputs, and maps exactly the champion manifest inputs', () => {
    const manifest = JSON.parse(
      fs.readFileSync(path.join(REPO_ROOT, 'models', 'lead-scoring', '4.1.0', 'manifest.json'), 'utf8'),
    ) as {
      inputs: { name: string }[];
    };
    const manifestInputs = manifest.inputs.map((i) => i.name).sort();
    const mapped = [...fieldMappings('lead-scoring').keys()].sort();
    expect(mapped).toEqual(manifestInputs);
    for (const record of requestFixture().records) expect(Object.keys(record.inputs).sort()).toEqual(mapped);
  });

  it.each(MOCKS.map((m) => [m.resource, m] as const))(
    'stored mock %s is what the service answers now and fits its schema',
    async (_name, mock) => {
      const answer = await post(mock.request());
      expect(answer.status).toBe(mock.status);
      expect(schemaErrors(mock.schema, answer.body)).toEqual([]);
      if (UPDATE) writeStaticJson(mock.resource, answer.body);
      const stored = readStaticJson<unknown>(mock.resource);
      expect(schemaErrors(mock.schema, stored)).toEqual([]);
      expect(jsonDifferences(stored, answer.body, VOLATILE_KEYS)).toEqual([]);
    },
  );

  it('reports a stored mock that drifted from the service, and one that breaks the schema', async () => {
    const answer = await post(requestFixture());
    const drifted = JSON.parse(JSON.stringify(answer.body)) as { results: { score: unknown; decile: unknown }[] };
    drifted.results[0].score = (drifted.results[0].score as number) + 0.01;
    expect(jsonDifferences(drifted, answer.body, VOLATILE_KEYS)).toEqual([
      expect.stringMatching(/^\$\.results\[0\]\.score: /),
    ]);
    drifted.results[1].decile = 'ten';
    expect(schemaErrors('ScoreResponse', drifted)).toEqual([expect.stringContaining('/results/1/decile')]);
  });
});
