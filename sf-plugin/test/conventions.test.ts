/**
 * Issue 14, problem 10: the plugin follows core sf's conventions. Short flags mean what they mean
 * in core sf (read from the oclif manifests of the core plugins the installed @salesforce/cli
 * bundles); refusals are named in PascalCase ending in "Error" and carry a next step as actions.
 */
import { existsSync, promises as fs, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestContext } from '@salesforce/core/testSetup';
import { stubSfCommandUx, stubSpinner } from '@salesforce/sf-plugins-core';
import ModelImport from '../src/commands/scoring/model/import.js';
import { errorName, toSfError } from '../src/lib/errors.js';
import { RESULT_TYPES } from '../scripts/result-schemas.js';
import { REPO_ROOT } from './helpers/models.js';
import { refusal } from './helpers/refusal.js';
import { SfError } from '@salesforce/core';

const PLUGIN = path.join(REPO_ROOT, 'sf-plugin');
type Manifest = { commands: Record<string, { flags?: Record<string, { char?: string }> }> };
type FlagDef = { char?: string };

/** char -> flag name -> how many core commands use that char for that flag. */
function coreCharUses(): Map<string, Map<string, number>> {
  const cli = JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', '@salesforce', 'cli', 'package.json'), 'utf8')) as { oclif: { plugins: string[] } };
  const uses = new Map<string, Map<string, number>>();
  let manifests = 0;
  for (const plugin of cli.oclif.plugins) {
    const file = [path.join(REPO_ROOT, 'node_modules', '@salesforce', 'cli', 'node_modules', plugin), path.join(REPO_ROOT, 'node_modules', plugin)]
      .map((dir) => path.join(dir, 'oclif.manifest.json'))
      .find((f) => existsSync(f));
    if (!file) continue;
    manifests++;
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    for (const command of Object.values(manifest.commands)) {
      for (const [name, flag] of Object.entries(command.flags ?? {})) {
        if (!flag.char) continue;
        const byName = uses.get(flag.char) ?? new Map<string, number>();
        byName.set(name, (byName.get(name) ?? 0) + 1);
        uses.set(flag.char, byName);
      }
    }
  }
  if (manifests < 10) throw new Error(`read only ${manifests} core plugin manifests: is @salesforce/cli installed (npm ci)?`);
  return uses;
}

/** What core sf means by a short flag: the flag most of its commands give that char. */
function coreMeaning(uses: Map<string, Map<string, number>>, char: string): string | undefined {
  const byName = uses.get(char);
  if (!byName) return undefined;
  return [...byName].sort((a, b) => b[1] - a[1])[0][0];
}

/** Every .ts file under a folder. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sourceFiles(file) : name.endsWith('.ts') ? [file] : [];
  });
}

describe('sf conventions', () => {
  it('reads what core sf means by its short flags', () => {
    const uses = coreCharUses();
    expect(coreMeaning(uses, 'o')).toBe('target-org');
    expect(coreMeaning(uses, 'v')).toBe('target-dev-hub');
    expect(coreMeaning(uses, 'w')).toBe('wait');
  });

  it('declares no short flag that core sf uses for a different flag, in any command', async () => {
    const uses = coreCharUses();
    const commandFiles = sourceFiles(path.join(PLUGIN, 'src', 'commands'));
    // Every command is read, not just the ones listed for schemas.
    expect(commandFiles.length).toBeGreaterThanOrEqual(Object.keys(RESULT_TYPES).length);
    const clashes: string[] = [];
    for (const file of commandFiles) {
      const command = (await import(file)) as { default: { flags?: Record<string, FlagDef>; baseFlags?: Record<string, FlagDef> } };
      for (const [name, flag] of Object.entries({ ...(command.default.baseFlags ?? {}), ...(command.default.flags ?? {}) })) {
        if (!flag.char) continue;
        const meaning = coreMeaning(uses, flag.char);
        if (meaning && meaning !== name) clashes.push(`${path.relative(PLUGIN, file)}: -${flag.char} is --${name} here, --${meaning} in core sf`);
      }
    }
    expect(clashes).toEqual([]);
  });

  it('names errors in PascalCase ending in Error, from any library code', () => {
    expect(errorName('file-missing')).toBe('FileMissingError');
    expect(errorName('onnx-input-mismatch')).toBe('OnnxInputMismatchError');
    // A code the library may add later needs no edit here.
    expect(errorName('metadata-key-unknown')).toBe('MetadataKeyUnknownError');
    expect(errorName('MappingFieldsInvalid')).toBe('MappingFieldsInvalidError');
    expect(errorName('ServiceError')).toBe('ServiceError');
  });

  it('builds every refusal of the plugin through lib/errors.ts, with names in that form', () => {
    const problems: string[] = [];
    for (const file of sourceFiles(path.join(PLUGIN, 'src'))) {
      const source = readFileSync(file, 'utf8');
      const where = path.relative(PLUGIN, file);
      if (!where.endsWith(path.join('lib', 'errors.ts')) && /new SfError\(/.test(source)) problems.push(`${where}: new SfError outside lib/errors.ts`);
      for (const m of source.matchAll(/(?:scoringError\(|serviceError\('[^']+',)\s*'([^']+)'/g)) {
        if (!/^[A-Z][A-Za-z0-9]*Error$/.test(m[1])) problems.push(`${where}: error name ${m[1]}`);
      }
      for (const m of source.matchAll(/`[A-Za-z]+:\$\{/g)) problems.push(`${where}: a colon name ${m[0]}`);
    }
    expect(problems).toEqual([]);
  });

  describe('in a command', () => {
    const $$ = new TestContext();
    let modelsDir: string;
    beforeEach(async () => {
      modelsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'scoring-conventions-'));
      stubSfCommandUx($$.SANDBOX);
      stubSpinner($$.SANDBOX);
    });
    afterEach(async () => {
      await fs.rm(modelsDir, { recursive: true, force: true });
      process.exitCode = undefined;
    });

    it('names an import refusal by the library code, with the code as data (was ModelImport:json-invalid)', async () => {
      const broken = path.join(modelsDir, 'xgboost.json');
      await fs.writeFile(broken, '{"learner": ');
      const error = await refusal(ModelImport.run(['--models-dir', modelsDir, '--name', 'lead-scoring', '--version', '9.0.0', '--xgboost', broken, '--json']));
      expect(error.name).toBe('JsonInvalidError');
      expect(error.data).toMatchObject({ code: 'json-invalid' });
      expect(error.message).toContain('xgboost.json');
    });

  });

  it("adds the login command to core's unknown-org refusal, keeping core's name and its own hint", () => {
    // The error core's AuthInfo throws for an alias or username it has no auth for.
    const core = new SfError('No authorization information found for nope.', 'NamedOrgNotFoundError', ['Did you mean "uat"?']);
    const converted = toSfError(core) as SfError;
    expect(converted.name).toBe('NamedOrgNotFoundError');
    expect(converted.actions).toEqual(['Did you mean "uat"?', expect.stringContaining('sf org login web --alias'), expect.stringContaining('sf org list')]);
  });
});
