/** deploy/kubernetes: every manifest, base and each rendered overlay, against the Kubernetes API's schemas. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { configSchema } from '../../scoring-service/src/service/ops/config';
import { kubernetesProblems, kustomizeBuild, parseManifests, type Manifest } from './k8s-schema';

jest.setTimeout(120_000);

const K8S = path.resolve(__dirname, '../../deploy/kubernetes');
const BASE = path.join(K8S, 'base');
const RENDERED = ['base', 'overlays/sandbox', 'overlays/production'];

const baseFiles = readdirSync(BASE).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
const readBase = (file: string) => parseManifests(readFileSync(path.join(BASE, file), 'utf8'), file);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;
const find = (manifests: Manifest[], kind: string): Doc => {
  const found = manifests.find((m) => m.kind === kind);
  if (!found) throw new Error(`no ${kind} in the rendered manifests`);
  return found;
};

/** Broken copies of good manifests, each with what the check must say about it. */
function broken(): Record<string, { manifests: Manifest[]; expected: RegExp }> {
  const unknownField = readBase('deployment.yaml') as Doc[];
  unknownField[0].spec.template.spec.containers[0].imagePullPolicyy = 'Always';
  const v1Field = readBase('hpa.yaml') as Doc[];
  v1Field[0].spec.targetCPUUtilizationPercentage = 60; // autoscaling/v1's field, not v2's
  const wrongType = readBase('deployment.yaml') as Doc[];
  wrongType[0].spec.replicas = 'two';
  const missingRequired = readBase('pdb.yaml') as Doc[];
  missingRequired[0].spec.selector = { matchExpressions: [{ key: 'app' }] }; // operator is required
  return {
    'unknown field': {
      manifests: unknownField,
      expected: /^Deployment\/scoring-service: .*'imagePullPolicyy' does not exist/,
    },
    "another version's field": {
      manifests: v1Field,
      expected: /^HorizontalPodAutoscaler\/scoring-service: .*'targetCPUUtilizationPercentage' does not exist/,
    },
    'wrong type': { manifests: wrongType, expected: /^Deployment\/scoring-service: .*replicas/ },
    'missing required field': {
      manifests: missingRequired,
      expected: /^PodDisruptionBudget\/scoring-service: .*operator/,
    },
    'unknown kind': {
      manifests: [{ apiVersion: 'apps/v1', kind: 'Deploymentt', metadata: { name: 'x' } }],
      expected: /^Deploymentt\/x: the Kubernetes API has no apps\/v1 Deploymentt$/,
    },
  };
}

const rendered = Object.fromEntries(RENDERED.map((dir) => [dir, kustomizeBuild(path.join(K8S, dir))]));
const bad = broken();
const problems = kubernetesProblems({
  ...Object.fromEntries(baseFiles.map((f) => [`base/${f}`, readBase(f)])),
  ...Object.fromEntries(RENDERED.map((dir) => [`rendered ${dir}`, rendered[dir]])),
  ...Object.fromEntries(Object.entries(bad).map(([name, b]) => [`broken: ${name}`, b.manifests])),
});

describe('Kubernetes manifests', () => {
  it.each(baseFiles)('base/%s is valid against the Kubernetes schemas', (file) => {
    expect(readBase(file).length).toBeGreaterThan(0);
    expect(problems[`base/${file}`]).toEqual([]);
  });

  it.each(RENDERED)('%s renders with kustomize into valid manifests', (dir) => {
    expect(rendered[dir].map((m) => m.kind).sort()).toEqual(
      ['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'PodDisruptionBudget', 'Service'].sort(),
    );
    expect(problems[`rendered ${dir}`]).toEqual([]);
  });

  it.each(Object.keys(bad))('fails a manifest with a %s, saying what is wrong', (name) => {
    // Both passes may see a wrong type or a missing field; each problem names the manifest.
    expect(problems[`broken: ${name}`].length).toBeGreaterThan(0);
    expect(problems[`broken: ${name}`]).toContainEqual(expect.stringMatching(bad[name].expected));
  });

  describe('the rendered production overlay', () => {
    const manifests = rendered['overlays/production'];
    const deployment = find(manifests, 'Deployment');
    const container = deployment.spec.template.spec.containers[0];
    const config = find(manifests, 'ConfigMap');

    it('probes the routes docs/operations.md documents, on the port the service listens on', () => {
      const docs = readFileSync(path.resolve(__dirname, '../../docs/operations.md'), 'utf8');
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
        const route = container[probe].httpGet.path as string;
        expect(docs).toContain(`${probe}: { httpGet: { path: ${route}, port: 8080 }`);
      }
      expect(container.ports[0].containerPort).toBe(configSchema.shape.PORT.parse(undefined));
    });

    it('lets the drain finish inside the grace period: preStop sleep + SHUTDOWN_GRACE_MS < terminationGracePeriodSeconds', () => {
      const preStop = Number(container.lifecycle.preStop.exec.command[1]);
      const grace = Number(config.data.SHUTDOWN_GRACE_MS);
      expect(preStop * 1000 + grace).toBeLessThan(deployment.spec.template.spec.terminationGracePeriodSeconds * 1000);
    });

    it('sets only variables the service reads, with values its configuration accepts', () => {
      const names = [...Object.keys(config.data), ...container.env.map((e: { name: string }) => e.name)];
      const known = Object.keys(configSchema.shape);
      expect(names.filter((n) => !known.includes(n))).toEqual([]);
      expect(configSchema.safeParse(config.data).success).toBe(true);
      expect(Number(config.data.WORKERS)).toBe(Number(container.resources.requests.cpu));
    });

    it('runs non-root on a read-only root filesystem, takes the keys from the Secret, and uses the production image', () => {
      expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
      expect(container.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
      });
      const [secret] = readBase('secret.example.yaml') as Doc[];
      for (const env of container.env)
        expect(Object.keys(secret.stringData)).toContain(env.valueFrom.secretKeyRef.key as string);
      expect(container.image).toBe('registry.example.com/lead-scoring/scoring-service:0.1.0');
      expect(find(manifests, 'HorizontalPodAutoscaler').spec.minReplicas).toBe(3);
      expect(find(manifests, 'PodDisruptionBudget').spec).toEqual({
        minAvailable: 2,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'scoring-service' } },
      });
      expect(manifests.every((m) => m.metadata?.namespace === 'lead-scoring')).toBe(true);
    });
  });
});
