import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestContext } from '@salesforce/core/testSetup';
import { stubSfCommandUx, stubSpinner } from '@salesforce/sf-plugins-core';
import ModelImport from '../../../../src/commands/scoring/model/import.js';
import { REPO_ROOT, readLedgerLines } from '../../../helpers/models.js';
import { expectMatchesSchema } from '../../../helpers/schema.js';

const ARTIFACTS = path.join(REPO_ROOT, 'models', 'training', 'artifacts', 'lead-scoring', '4.1.0');

describe('scoring model import', () => {
  const $$ = new TestContext();
  let modelsDir: string;
  let ux: ReturnType<typeof stubSfCommandUx>;
  const args = (...extra: string[]): string[] => ['--models-dir', modelsDir, '--name', 'lead-scoring', '--version', '4.1.0', ...extra];

  beforeEach(async () => {
    modelsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'scoring-plugin-import-'));
    ux = stubSfCommandUx($$.SANDBOX);
    stubSpinner($$.SANDBOX);
  });
  afterEach(async () => {
    await fs.rm(modelsDir, { recursive: true, force: true });
    process.exitCode = undefined;
  });

  it('writes the package, registers it as a candidate and records the import', async () => {
    const result = await ModelImport.run(args('--xgboost', path.join(ARTIFACTS, 'xgboost.json'), '--metadata', path.join(ARTIFACTS, 'metadata.json'), '--json'));
    expectMatchesSchema('scoring-model-import', result);
    expect(result).toMatchObject({ outcome: 'created', status: 'candidate', task: 'binary-classification', columns: 41 });
    const manifest = JSON.parse(await fs.readFile(path.join(modelsDir, 'lead-scoring', '4.1.0', 'manifest.json'), 'utf8'));
    expect(manifest.sha256).toBe(result.sha256);
    const registry = JSON.parse(await fs.readFile(path.join(modelsDir, 'registry.json'), 'utf8'));
    expect(registry.models['lead-scoring'].versions['4.1.0'].sha256).toBe(result.sha256);
    expect((await readLedgerLines(modelsDir)).pop()).toMatchObject({ action: 'import', version: '4.1.0', sha256: result.sha256 });
  });

  it('tells humans what was written and what to do next; a second import of the same bytes changes nothing', async () => {
    const flags = args('--xgboost', path.join(ARTIFACTS, 'xgboost.json'), '--metadata', path.join(ARTIFACTS, 'metadata.json'));
    await ModelImport.run(flags);
    expect(ux.log.args.flat().join('\n')).toContain('Next: sf scoring model validate --name lead-scoring --version 4.1.0');
    const again = await ModelImport.run([...flags, '--json']);
    expect(again.outcome).toBe('unchanged');
  });

  it('refuses a file that is not an XGBoost model, naming it', async () => {
    const bogus = path.join(modelsDir, 'bogus.json');
    await fs.writeFile(bogus, JSON.stringify({ hello: 'world' }));
    await expect(ModelImport.run(args('--xgboost', bogus, '--json'))).rejects.toThrow(/bogus\.json/);
  });
});
