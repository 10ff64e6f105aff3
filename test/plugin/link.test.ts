/**
 * The plugin inside the real Salesforce CLI: `sf plugins link` into the @salesforce/cli
 * installed from npm (a root devDependency), then `sf scoring model list|validate --json`
 * against the bundled models. sf's config, data, cache and logs go to a temp HOME, with
 * telemetry and update checks off, so nothing leaks into the user's sf setup or the network.
 */
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');
const SF = path.join(ROOT, 'node_modules', '.bin', 'sf');
const PLUGIN = path.join(ROOT, 'sf-plugin');
const BUNDLED_MODELS = path.join(ROOT, 'models');

type SfJson<T> = { status: number; result?: T; name?: string; message?: string };
type Validation = { passed: boolean; versions: { name: string; version: string; passed: boolean; sha256: string; checks: { check: string; pass: boolean | null; detail: string }[] }[] };
type Listing = { modelsDir: string; versions: { name: string; version: string; status: string; sha256: string }[] };
type Registry = { models: Record<string, { versions: Record<string, { sha256: string; path: string }> }> };

let home: string;
let modelsDir: string;
let env: NodeJS.ProcessEnv;

/** Runs sf and parses its --json output; `expectCode` null accepts any exit code (the JSON status carries it). */
async function sf<T>(args: string[], expectCode: number | null = 0): Promise<SfJson<T>> {
  let stdout: string;
  let code = 0;
  try {
    ({ stdout } = await run(SF, args, { env, cwd: home, maxBuffer: 64 * 1024 * 1024 }));
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    stdout = e.stdout ?? '';
    code = e.code ?? -1;
    if (expectCode !== null && code !== expectCode) throw new Error(`sf ${args.join(' ')} exited ${code}: ${e.stderr ?? ''}\n${stdout}`);
  }
  if (expectCode !== null) expect(code).toBe(expectCode);
  return JSON.parse(stdout) as SfJson<T>;
}

/** A copy of the bundled models (registry, ledger, packages, golden files), so the test writes no ledger lines into the repo. */
async function copyBundledModels(target: string): Promise<void> {
  const registry = JSON.parse(await fs.readFile(path.join(BUNDLED_MODELS, 'registry.json'), 'utf8')) as Registry;
  await fs.mkdir(target, { recursive: true });
  await fs.copyFile(path.join(BUNDLED_MODELS, 'registry.json'), path.join(target, 'registry.json'));
  if (existsSync(path.join(BUNDLED_MODELS, 'ledger.jsonl'))) await fs.copyFile(path.join(BUNDLED_MODELS, 'ledger.jsonl'), path.join(target, 'ledger.jsonl'));
  for (const model of Object.values(registry.models)) {
    for (const v of Object.values(model.versions)) await fs.cp(path.join(BUNDLED_MODELS, v.path), path.join(target, v.path), { recursive: true });
  }
  await fs.cp(path.join(BUNDLED_MODELS, 'golden'), path.join(target, 'golden'), { recursive: true });
}

/** Until the bundled packages are built, the same versions imported from the committed training artifacts. */
async function importFromArtifacts(target: string): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { importXgboostFile } = require(path.join(ROOT, 'scoring-service', 'dist', 'importer', 'index.js')) as typeof import('../../scoring-service/src/importer');
  const artifacts = path.join(BUNDLED_MODELS, 'training', 'artifacts', 'lead-scoring');
  for (const version of ['4.0.0', '4.1.0']) {
    await importXgboostFile({
      xgboostFile: path.join(artifacts, version, 'xgboost.json'),
      metadataFile: path.join(artifacts, version, 'metadata.json'),
      name: 'lead-scoring',
      version,
      modelsDir: target,
      actor: 'link-test',
    });
  }
  await fs.cp(path.join(BUNDLED_MODELS, 'golden'), path.join(target, 'golden'), { recursive: true });
}

beforeAll(async () => {
  if (!existsSync(path.join(PLUGIN, 'lib', 'commands', 'scoring', 'model', 'list.js'))) {
    throw new Error('sf-plugin/lib is not built: run `npm run build` (npm test does) before this test');
  }
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'sf-link-test-'));
  env = {
    PATH: `${path.dirname(SF)}${path.delimiter}${process.env.PATH ?? ''}`,
    HOME: home,
    USERPROFILE: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    SF_DISABLE_TELEMETRY: 'true',
    SFDX_DISABLE_TELEMETRY: 'true',
    SF_AUTOUPDATE_DISABLE: 'true',
    SFDX_AUTOUPDATE_DISABLE: 'true',
    SF_HIDE_RELEASE_NOTES: 'true',
    SF_SKIP_NEW_VERSION_CHECK: 'true',
    SF_DISABLE_AUTOUPDATE: 'true',
    SF_USE_PROGRESS_BAR: 'false',
    NODE_OPTIONS: '',
    SCORING_ACTOR: 'link-test',
  };
  modelsDir = path.join(home, 'models');
  if (existsSync(path.join(BUNDLED_MODELS, 'registry.json'))) await copyBundledModels(modelsDir);
  else await importFromArtifacts(modelsDir);
  // --no-install: the workspace's dependencies are already installed at the repo root.
  await run(SF, ['plugins', 'link', PLUGIN, '--no-install'], { env, cwd: home });
}, 300_000);

afterAll(async () => {
  if (home) await fs.rm(home, { recursive: true, force: true });
});

// Each test starts the real sf CLI (a few seconds on a busy machine).
jest.setTimeout(120_000);

describe('the plugin linked into the real sf CLI', () => {
  it('is listed by sf as a linked plugin', async () => {
    const plugins = await sf<{ name: string; type: string }[]>(['plugins', '--json']);
    const ours = (plugins.result ?? (plugins as unknown as { name: string; type: string }[])).find((p) => p.name === '@lead-scoring/sf-plugin-scoring');
    expect(ours?.type).toBe('link');
  });

  it('registers every scoring command with sf', async () => {
    const out = await sf<{ id: string }[]>(['commands', '--json']);
    const ids = (out.result ?? (out as unknown as { id: string }[])).map((c) => c.id).filter((id) => id.startsWith('scoring'));
    expect(ids.sort()).toEqual([
      'scoring:compare',
      'scoring:mapping:deploy',
      'scoring:mapping:generate',
      'scoring:model:archive',
      'scoring:model:deploy',
      'scoring:model:export',
      'scoring:model:import',
      'scoring:model:list',
      'scoring:model:promote',
      'scoring:model:rollback',
      'scoring:model:rollout',
      'scoring:model:signoff',
      'scoring:model:validate',
      'scoring:monitor',
      'scoring:org:validate',
      'scoring:predict',
      'scoring:score',
      'scoring:verify',
    ]);
  });

  it('lists the bundled model versions with the sha256 the registry records', async () => {
    const out = await sf<Listing>(['scoring', 'model', 'list', '--models-dir', modelsDir, '--json']);
    expect(out.status).toBe(0);
    const registry = JSON.parse(await fs.readFile(path.join(modelsDir, 'registry.json'), 'utf8')) as Registry;
    const v41 = out.result!.versions.find((v) => v.name === 'lead-scoring' && v.version === '4.1.0');
    expect(v41?.sha256).toBe(registry.models['lead-scoring'].versions['4.1.0'].sha256);
    expect(out.result!.versions.length).toBe(Object.values(registry.models).reduce((n, m) => n + Object.keys(m.versions).length, 0));
  });

  it('validates lead-scoring 4.1.0 end to end in the CLI: package checks and golden parity with ONNX Runtime', async () => {
    const out = await sf<Validation>(['scoring', 'model', 'validate', '--models-dir', modelsDir, '--name', 'lead-scoring', '--version', '4.1.0', '--json']);
    const v = out.result!.versions[0];
    for (const check of ['manifest', 'sha256', 'signature', 'ONNX model', 'golden parity']) {
      expect(v.checks.find((c) => c.check === check)?.pass).toBe(true);
    }
    expect(v.checks.find((c) => c.check === 'golden parity')?.detail).toMatch(/^\d+ rows/);
    expect(out.status).toBe(v.passed ? 0 : 1);
  });

  it('validates every bundled version at once: packages and golden parity pass, the exit code follows the gates', async () => {
    const registry = JSON.parse(await fs.readFile(path.join(modelsDir, 'registry.json'), 'utf8')) as Registry;
    const out = await sf<Validation>(['scoring', 'model', 'validate', '--models-dir', modelsDir, '--json'], null);
    const versions = out.result!.versions;
    expect(versions.length).toBe(Object.values(registry.models).reduce((n, m) => n + Object.keys(m.versions).length, 0));
    for (const v of versions) {
      expect({ v: `${v.name}@${v.version}`, failed: v.checks.filter((c) => c.pass === false).map((c) => c.check) }).toEqual({ v: `${v.name}@${v.version}`, failed: [] });
    }
    expect(out.status).toBe(versions.every((v) => v.passed) ? 0 : 1);
  });

  it('exits 1 for a version that does not exist, listing the versions that do', async () => {
    const out = await sf<Validation>(['scoring', 'model', 'validate', '--models-dir', modelsDir, '--name', 'lead-scoring', '--version', '9.9.9', '--json'], 1);
    expect(out.status).toBe(1);
    expect(out.message).toMatch(/no version 9\.9\.9 of lead-scoring \(known: 4\.0\.0, 4\.1\.0\)/);
  });

  it("verifies a warehouse's scores in the real CLI: exit 0 on XGBoost's own predictions, 1 naming three altered leads", async () => {
    type Golden = { rows: { id: string; inputs: Record<string, unknown>; asOf: string; prediction: number }[] };
    type Verified = { passed: boolean; compared: number; outsideTolerance: { count: number; leads: { id: string }[] } };
    const golden = JSON.parse(await fs.readFile(path.join(modelsDir, 'golden', 'lead-scoring-4.1.0.json'), 'utf8')) as Golden;
    const manifest = JSON.parse(await fs.readFile(path.join(modelsDir, 'lead-scoring', '4.1.0', 'manifest.json'), 'utf8')) as { inputs: { name: string }[] };
    const names = manifest.inputs.map((i) => i.name);
    // The golden rows have no commas or quotes in their values; an empty cell is a missing value.
    const cell = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
    const leads = path.join(home, 'leads.csv');
    await fs.writeFile(leads, [['lead_id', ...names].join(','), ...golden.rows.map((r) => [r.id, ...names.map((n) => cell(r.inputs[n]))].join(','))].join('\n'));
    const scores = (altered: Set<number>): string =>
      ['lead_id,score', ...golden.rows.map((r, i) => `${r.id},${altered.has(i) ? r.prediction + 0.05 : r.prediction}`)].join('\n');
    const good = path.join(home, 'scores.csv');
    const bad = path.join(home, 'scores-altered.csv');
    await fs.writeFile(good, scores(new Set()));
    await fs.writeFile(bad, scores(new Set([2, 30, 200])));
    const args = (file: string): string[] => ['scoring', 'verify', '--models-dir', modelsDir, '--name', 'lead-scoring', '--version', '4.1.0', '--inputs', leads, '--scores', file, '--as-of', golden.rows[0].asOf, '--json'];

    const pass = await sf<Verified>(args(good), 0);
    expect(pass.result).toMatchObject({ passed: true, compared: golden.rows.length, outsideTolerance: { count: 0 } });
    const fail = await sf<Verified>(args(bad), 1);
    expect(fail.result?.passed).toBe(false);
    expect(fail.result?.outsideTolerance.leads.map((l) => l.id).sort()).toEqual([golden.rows[2].id, golden.rows[30].id, golden.rows[200].id].sort());
  });

  it('refuses an unknown flag with a usage error, as every sf command does', async () => {
    const out = await sf<never>(['scoring', 'model', 'list', '--no-such-flag', '--json'], 2);
    expect(out.message).toContain('--no-such-flag');
  });
});
