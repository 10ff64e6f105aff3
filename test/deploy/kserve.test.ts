/**
 * deploy/kserve: no npm package publishes KServe's CRD schemas, so the KServe fields are checked
 * with zod schemas written from KServe's documentation (strict: an unknown field fails), and
 * the runtime's containers against the Kubernetes Container schema (kubernetes-models).
 * Fields: https://kserve.github.io/website/docs/concepts/resources/servingruntime
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { configSchema } from '../../scoring-service/src/service/ops/config';
import { parseManifests, typeProblems } from './k8s-schema';

jest.setTimeout(120_000);

const KSERVE = path.resolve(__dirname, '../../deploy/kserve');
const read = (file: string) => parseManifests(readFileSync(path.join(KSERVE, file), 'utf8'), file)[0];

const metadata = z.object({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/),
  annotations: z.record(z.string(), z.string()).optional(),
  labels: z.record(z.string(), z.string()).optional(),
});
const clusterServingRuntime = z.strictObject({
  apiVersion: z.literal('serving.kserve.io/v1alpha1'),
  kind: z.literal('ClusterServingRuntime'),
  metadata,
  spec: z.strictObject({
    supportedModelFormats: z
      .array(
        z.strictObject({
          name: z.string(),
          version: z.string().optional(),
          autoSelect: z.boolean().optional(),
          priority: z.number().int().min(1).optional(),
        }),
      )
      .min(1),
    protocolVersions: z.array(z.enum(['v1', 'v2', 'grpc-v1', 'grpc-v2'])).min(1),
    multiModel: z.boolean().optional(),
    containers: z.array(z.record(z.string(), z.unknown())).min(1),
  }),
});
const inferenceService = z.strictObject({
  apiVersion: z.literal('serving.kserve.io/v1beta1'),
  kind: z.literal('InferenceService'),
  metadata,
  spec: z.strictObject({
    predictor: z.strictObject({
      minReplicas: z.number().int().min(0).optional(),
      maxReplicas: z.number().int().min(1).optional(),
      model: z.strictObject({
        modelFormat: z.strictObject({ name: z.string(), version: z.string().optional() }),
        runtime: z.string().optional(),
        protocolVersion: z.enum(['v1', 'v2', 'grpc-v1', 'grpc-v2']).optional(),
        storageUri: z.string().regex(/^(s3|gs|https?|pvc|oci|hdfs|webhdfs):\/\/.+/),
      }),
    }),
  }),
});

const runtimeDoc = read('cluster-serving-runtime.yaml');
const serviceDoc = read('inference-service.yaml');
const runtime = clusterServingRuntime.parse(runtimeDoc);
const service = inferenceService.parse(serviceDoc);
const container = runtime.spec.containers[0] as {
  name: string;
  ports: { containerPort: number }[];
  env: { name: string; value?: string }[];
  readinessProbe: { httpGet: { path: string; port: number } };
};

describe('KServe manifests', () => {
  it('the runtime is a v2 ClusterServingRuntime whose kserve-container is a valid Kubernetes Container on 8080', () => {
    expect(runtime.spec.protocolVersions).toEqual(['v2']);
    expect(container.name).toBe('kserve-container');
    expect(container.ports.map((p) => p.containerPort)).toEqual([8080]);
    expect(
      typeProblems(
        runtime.spec.containers.map((c, i) => ({
          label: `container ${i}`,
          module: 'kubernetes-models/v1',
          type: 'IContainer',
          value: c,
        })),
      ),
    ).toEqual([]);
  });

  it('points MODELS_DIR at the storage initializer mount and sets only variables the service reads', () => {
    const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
    expect(env.MODELS_DIR).toBe('/mnt/models');
    expect(Number(env.PORT)).toBe(8080);
    const known = Object.keys(configSchema.shape);
    expect(Object.keys(env).filter((n) => !known.includes(n))).toEqual([]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/v2/health/ready', port: 8080 });
  });

  it('the InferenceService asks for a format the runtime supports, by the runtime, and names a package directory', () => {
    const model = service.spec.predictor.model;
    expect(model.runtime).toBe(runtime.metadata.name);
    expect(runtime.spec.supportedModelFormats.map((f) => f.name)).toContain(model.modelFormat.name);
    expect(model.protocolVersion).toBe('v2');
    // <model>/<version> of a bundled package, so the example is a package that exists.
    const [name, version] = model.storageUri.split('/').slice(-2);
    const manifest = JSON.parse(
      readFileSync(path.resolve(__dirname, '../../models', name, version, 'manifest.json'), 'utf8'),
    ) as { name: string; version: string };
    expect([manifest.name, manifest.version]).toEqual([name, version]);
    expect(service.metadata.name).toBe(manifest.name);
  });

  it('fails a manifest with an unknown field or a container field Kubernetes does not define', () => {
    const broken = structuredClone(serviceDoc) as unknown as {
      spec: { predictor: { model: Record<string, unknown> } };
    };
    broken.spec.predictor.model.storageUrl = 's3://x/y';
    const result = inferenceService.safeParse(broken);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain('storageUrl');
    const badContainer = { ...runtime.spec.containers[0], imagePullPolicyy: 'Always' };
    expect(
      typeProblems([{ label: 'container', module: 'kubernetes-models/v1', type: 'IContainer', value: badContainer }]),
    ).toEqual([expect.stringContaining("'imagePullPolicyy' does not exist")]);
  });
});
