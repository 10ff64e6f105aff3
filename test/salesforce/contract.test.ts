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
 * - the demand model's /predict request Apex builds (DemandPredictRequest) validates against
 *   PredictRequest, its rows carry exactly the fields of the Apex-defined row type (DemandForecastRow),
 *   which are exactly the served count model's inputs, and the stored answer (DemandPredictResponse)
 *   is what the service answers now.
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

/** The @AuraEnabled fields of an Apex class, in declaration order. */
function auraEnabledFields(className: string): string[] {
  const source = fs.readFileSync(
    path.join(REPO_ROOT, 'force-app', 'main', 'default', 'classes', `${className}.cls`),
    'utf8',
  );
  return [...source.matchAll(/@AuraEnabled\s+public\s+\w+\s+(\w+)\s*;/g)].map((m) => m[1]);
}

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

  describe('the demand model behind /predict', () => {
    type PredictRequest = { model?: string; rows: Record<string, unknown>[] };
    const predictRequest = () => readStaticJson<PredictRequest>('DemandPredictRequest');
    const predict = async (body: unknown) => {
      const res = await fetch(`${baseUrl}/predict`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${CLIENT_KEY}`,
          'Content-Type': 'application/json',
          Accept: 'application/json',
        },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as unknown };
    };

    it('documents /predict with the PredictRequest body and PredictResponse answer', () => {
      const operation = JSON.stringify(openapi.paths['/predict']?.post);
      expect(operation).toContain('#/components/schemas/PredictRequest');
      expect(operation).toContain('#/components/schemas/PredictResponse');
    });

    it('validates the request Apex builds against PredictRequest', () => {
      expect(schemaErrors('PredictRequest', predictRequest())).toEqual([]);
    });

    it("gives the Flow row type exactly the count model's inputs, and the fixture uses only those", () => {
      const request = predictRequest();
      const manifest = JSON.parse(
        fs.readFileSync(
          path.join(REPO_ROOT, 'models', request.model ?? 'gift-demand', '2.1.0', 'manifest.json'),
          'utf8',
        ),
      ) as { inputs: { name: string }[] };
      const rowFields = auraEnabledFields('DemandForecastRow');
      expect([...rowFields].sort()).toEqual(manifest.inputs.map((i) => i.name).sort());
      for (const row of request.rows) expect(rowFields).toEqual(expect.arrayContaining(Object.keys(row)));
      // A row with fields left empty, as a Flow sends it: the service must accept it too.
      expect(request.rows.some((row) => Object.keys(row).length < rowFields.length)).toBe(true);
    });

    it('stored mock DemandPredictResponse is what the service answers now and fits PredictResponse', async () => {
      const answer = await predict(predictRequest());
      expect(answer.status).toBe(200);
      expect(schemaErrors('PredictResponse', answer.body)).toEqual([]);
      // One entry per product of the request, not per row.
      const products = [...new Set(predictRequest().rows.map((r) => r.product_id))].sort();
      expect((answer.body as { product_id: string }[]).map((p) => p.product_id).sort()).toEqual(products);
      if (UPDATE) writeStaticJson('DemandPredictResponse', answer.body);
      const stored = readStaticJson<unknown>('DemandPredictResponse');
      expect(schemaErrors('PredictResponse', stored)).toEqual([]);
      expect(jsonDifferences(stored, answer.body, VOLATILE_KEYS)).toEqual([]);
    });

    it('refuses a row without product_id, which the Apex client therefore refuses before calling', async () => {
      const { rows } = predictRequest();
      const { product_id: _dropped, ...withoutProduct } = rows[0];
      const answer = await predict({ rows: [withoutProduct] });
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(schemaErrors('Problem', answer.body)).toEqual([]);
    });
  });

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
