/**
 * Issue 14 in the sf commands: wrong names list what exists, the models folder is found or refused,
 * sign-offs follow the V4.1.0 checklist's rules, a missing golden file is visible, and versions
 * retire with `model archive` (or a never-deployed candidate goes with --remove).
 */
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestContext } from '@salesforce/core/testSetup';
import { stubSfCommandUx, stubSpinner } from '@salesforce/sf-plugins-core';
import { appendLedger, readRegistry } from '@lead-scoring/scoring-service/package';
import ModelArchive from '../../../../src/commands/scoring/model/archive.js';
import ModelImport from '../../../../src/commands/scoring/model/import.js';
import ModelList from '../../../../src/commands/scoring/model/list.js';
import ModelSignoff from '../../../../src/commands/scoring/model/signoff.js';
import ModelValidate from '../../../../src/commands/scoring/model/validate.js';
import { resolveModelsDir } from '../../../../src/lib/workspace.js';
import { buildModelsDir, readLedgerLines, REPO_ROOT } from '../../../helpers/models.js';
import { expectMatchesSchema } from '../../../helpers/schema.js';

const ARTIFACTS = path.join(REPO_ROOT, 'models', 'training', 'artifacts', 'lead-scoring', '4.1.0');
const PROD_ORG = { id: '00D00000000PROD', username: 'admin@prod', isSandbox: false };

/** The PackageError-like refusal a command rejects with. */
async function refused(run: Promise<unknown>): Promise<Error & { code?: string; actions?: string[] }> {
  try {
    await run;
  } catch (err) {
    return err as Error & { code?: string; actions?: string[] };
  }
  throw new Error('expected a refusal, but the command succeeded');
}

describe('issue 14: names, models folder, sign-offs, golden files, archive', () => {
  const $$ = new TestContext();
  let modelsDir: string;
  let ux: ReturnType<typeof stubSfCommandUx>;
  const version = (v: string, ...extra: string[]): string[] => ['--models-dir', modelsDir, '--name', 'lead-scoring', '--version', v, ...extra];

  beforeEach(async () => {
    modelsDir = await buildModelsDir();
    ux = stubSfCommandUx($$.SANDBOX);
    stubSpinner($$.SANDBOX);
  });
  afterEach(async () => {
    delete process.env.SCORING_ACTOR;
    await fs.rm(modelsDir, { recursive: true, force: true });
    process.exitCode = undefined;
  });

  describe('problem 4: a wrong name or version is refused with what exists', () => {
    it('validate --name nope lists the models', async () => {
      const err = await refused(ModelValidate.run(['--models-dir', modelsDir, '--name', 'nope', '--json']));
      expect(err.message).toMatch(/no model named "nope" \(known: lead-scoring\)/);
      expect((await readLedgerLines(modelsDir)).some((e) => e.action === 'validate')).toBe(false);
    });

    it('validate --version 9.9.9 lists the versions, not a missing manifest file', async () => {
      const err = await refused(ModelValidate.run(version('9.9.9', '--json')));
      expect(err.message).toMatch(/no version 9\.9\.9 of lead-scoring \(known: 4\.0\.0, 4\.1\.0\)/);
      expect(err.message).not.toMatch(/manifest\.json/);
    });

    it('signoff, list and archive refuse unknown names the same way', async () => {
      await expect(ModelSignoff.run(version('9.9.9', '--role', 'business', '--json'))).rejects.toThrow(/known: 4\.0\.0, 4\.1\.0/);
      await expect(ModelList.run(['--models-dir', modelsDir, '--name', 'nope', '--json'])).rejects.toThrow(/known: lead-scoring/);
      await expect(ModelArchive.run(version('9.9.9', '--json'))).rejects.toThrow(/known: 4\.0\.0, 4\.1\.0/);
    });
  });

  describe('problem 5: the models folder is found or the command refuses', () => {
    let outside: string;
    const cwd = process.cwd();
    beforeEach(async () => {
      outside = await fs.mkdtemp(path.join(os.tmpdir(), 'scoring-outside-'));
      delete process.env.SCORING_MODELS_DIR;
    });
    afterEach(async () => {
      process.chdir(cwd);
      await fs.rm(outside, { recursive: true, force: true });
    });

    it('finds models/ with a registry.json from a subfolder of the repository', () => {
      expect(resolveModelsDir(undefined, path.join(REPO_ROOT, 'sf-plugin', 'src'))).toBe(path.join(REPO_ROOT, 'models'));
    });

    it('outside any repository, import refuses instead of creating ./models', async () => {
      process.chdir(outside);
      const err = await refused(
        ModelImport.run(['--name', 'lead-scoring', '--version', '4.1.0', '--xgboost', path.join(ARTIFACTS, 'xgboost.json'), '--metadata', path.join(ARTIFACTS, 'metadata.json'), '--json']),
      );
      expect(err.message).toMatch(/No models\/registry\.json in .* or any folder above it/);
      expect(err.actions?.join(' ')).toMatch(/--models-dir/);
      expect(existsSync(path.join(outside, 'models'))).toBe(false);
    });
  });

  describe('problem 8: sign-offs with rules', () => {
    it('one actor cannot hold two roles on the same sha256', async () => {
      process.env.SCORING_ACTOR = 'dana@example.com';
      await ModelSignoff.run(version('4.1.0', '--role', 'data-science', '--json'));
      const err = await refused(ModelSignoff.run(version('4.1.0', '--role', 'engineering', '--json')));
      expect(err.message).toMatch(/dana@example\.com already signed lead-scoring 4\.1\.0 .* as data-science/);
      process.env.SCORING_ACTOR = 'eli@example.com';
      const other = await ModelSignoff.run(version('4.1.0', '--role', 'engineering', '--json'));
      expect(other.signed).toEqual(['data-science', 'engineering']);
    });

    it('refuses a sign-off on a version whose last validation failed', async () => {
      const registry = await readRegistry(modelsDir);
      const sha256 = registry.models['lead-scoring'].versions['4.1.0'].sha256;
      await appendLedger(modelsDir, { action: 'validate', model: 'lead-scoring', version: '4.1.0', sha256, actor: 'ci', result: 'fail' });
      const err = await refused(ModelSignoff.run(version('4.1.0', '--role', 'business', '--json')));
      expect(err.message).toMatch(/last validation .* failed/);
      expect((await readLedgerLines(modelsDir)).some((e) => e.action === 'signoff')).toBe(false);
    });

    it('week-1 and week-2 are due after the production deploy, and list shows which sign-offs are open', async () => {
      const sha256 = (await readRegistry(modelsDir)).models['lead-scoring'].versions['4.1.0'].sha256;
      await expect(ModelSignoff.run(version('4.1.0', '--role', 'week-1', '--json'))).rejects.toThrow(/not been deployed to production/);

      let listed = await ModelList.run(['--models-dir', modelsDir, '--name', 'lead-scoring', '--json']);
      expectMatchesSchema('scoring-model-list', listed);
      expect(listed.versions.find((v) => v.version === '4.1.0')?.openSignoffs).toEqual(['data-science', 'engineering', 'business']);

      const tenDaysAgo = new Date(Date.now() - 10 * 24 * 3600 * 1000).toISOString();
      await appendLedger(modelsDir, { ts: tenDaysAgo, action: 'deploy', model: 'lead-scoring', version: '4.1.0', sha256, org: PROD_ORG, role: 'champion', actor: 'ci', result: 'ok' });
      await expect(ModelSignoff.run(version('4.1.0', '--role', 'week-2', '--json'))).rejects.toThrow(/due 2 weeks after the production deploy/);
      process.env.SCORING_ACTOR = 'ops@example.com';
      const week1 = await ModelSignoff.run(version('4.1.0', '--role', 'week-1', '--json'));
      expect(week1.signed).toEqual(['week-1']);
      expect(week1.missing).toEqual(['data-science', 'engineering', 'business', 'week-2']);

      listed = await ModelList.run(['--models-dir', modelsDir, '--name', 'lead-scoring', '--json']);
      expect(listed.versions.find((v) => v.version === '4.1.0')?.openSignoffs).toEqual(['data-science', 'engineering', 'business', 'week-2']);
    });
  });

  describe('golden files', () => {
    it('validate warns when a version has no golden file, and --require-golden fails it', async () => {
      await fs.rm(path.join(modelsDir, 'golden', 'lead-scoring-4.1.0.json'));
      const warned = await ModelValidate.run(version('4.1.0', '--json'));
      expect(warned.versions[0].checks.find((c) => c.check === 'golden parity')).toMatchObject({ pass: null });
      expect(ux.warn.args.flat().join('\n')).toMatch(/has no golden file/);

      const required = await ModelValidate.run(version('4.1.0', '--require-golden', '--json'));
      expect(required.passed).toBe(false);
      expect(required.versions[0].checks.find((c) => c.check === 'golden parity')).toMatchObject({ pass: false });
      expect(process.exitCode).toBe(1);
    });
  });

  describe('model archive', () => {
    it('refuses while an org uses the version as champion, then archives it once that org moved on', async () => {
      const sha256 = (await readRegistry(modelsDir)).models['lead-scoring'].versions['4.1.0'].sha256;
      await appendLedger(modelsDir, { action: 'deploy', model: 'lead-scoring', version: '4.1.0', sha256, org: PROD_ORG, role: 'champion', actor: 'ci', result: 'ok' });
      const err = await refused(ModelArchive.run(version('4.1.0', '--json')));
      expect(err.message).toMatch(/admin@prod \(champion\)/);

      await appendLedger(modelsDir, { action: 'deploy', model: 'lead-scoring', version: '4.0.0', org: PROD_ORG, role: 'champion', actor: 'ci', result: 'ok' });
      const archived = await ModelArchive.run(version('4.1.0', '--reason', 'V4.1.0 sunset', '--json'));
      expectMatchesSchema('scoring-model-archive', archived);
      expect(archived).toMatchObject({ outcome: 'archived', previousStatus: 'candidate' });
      expect((await readRegistry(modelsDir)).models['lead-scoring'].versions['4.1.0']).toMatchObject({ status: 'archived', statusReason: 'V4.1.0 sunset' });
      expect((await readLedgerLines(modelsDir)).pop()).toMatchObject({ action: 'status', version: '4.1.0', details: { status: 'archived' } });
    });

    it('--remove deletes a never-deployed candidate, and refuses a version that is no longer a candidate', async () => {
      const removed = await ModelArchive.run(version('4.1.0', '--remove', '--json'));
      expect(removed.outcome).toBe('removed');
      expect(existsSync(path.join(modelsDir, 'lead-scoring', '4.1.0'))).toBe(false);
      expect((await readRegistry(modelsDir)).models['lead-scoring'].versions['4.1.0']).toBeUndefined();
      expect((await readLedgerLines(modelsDir)).pop()).toMatchObject({ action: 'remove', version: '4.1.0' });

      const err = await refused(ModelArchive.run(version('4.0.0', '--remove', '--json')));
      expect(err.message).toMatch(/cannot be removed: production/);
    });
  });
});
