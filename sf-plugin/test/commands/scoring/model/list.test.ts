import { rm } from 'node:fs/promises';
import { TestContext } from '@salesforce/core/testSetup';
import { stubSfCommandUx } from '@salesforce/sf-plugins-core';
import ModelList from '../../../../src/commands/scoring/model/list.js';
import { appendLedger } from '../../../../src/lib/library.js';
import { buildModelsDir } from '../../../helpers/models.js';
import { expectMatchesSchema } from '../../../helpers/schema.js';

describe('scoring model list', () => {
  const $$ = new TestContext();
  let modelsDir: string;
  let ux: ReturnType<typeof stubSfCommandUx>;

  beforeAll(async () => {
    modelsDir = await buildModelsDir();
    await appendLedger(modelsDir, {
      action: 'deploy',
      model: 'lead-scoring',
      version: '4.1.0',
      role: 'challenger',
      org: { id: '00D000000000001AAA', username: 'admin@uat.sandbox', isSandbox: true },
      actor: 'test',
      result: 'ok',
      details: { canaryPercent: 10 },
    });
  });
  afterAll(() => rm(modelsDir, { recursive: true, force: true }));
  beforeEach(() => {
    ux = stubSfCommandUx($$.SANDBOX);
  });

  it('returns every version with status, alias and the orgs it is deployed to', async () => {
    const result = await ModelList.run(['--models-dir', modelsDir, '--json']);
    expectMatchesSchema('scoring-model-list', result);
    expect(result.versions.map((v) => v.version)).toEqual(['4.1.0', '4.0.0']);
    const v41 = result.versions[0];
    expect(v41.status).toBe('candidate');
    expect(v41.deployments).toEqual([{ org: 'admin@uat.sandbox', isSandbox: true, role: 'challenger', canaryPercent: 10 }]);
    const v40 = result.versions[1];
    expect(v40.aliases).toEqual(['champion']);
    expect(v40.status).toBe('production');
  });

  it('prints a table for humans', async () => {
    await ModelList.run(['--models-dir', modelsDir]);
    expect(ux.table.callCount).toBe(1);
    const rows = ux.table.firstCall.args[0].data as Record<string, unknown>[];
    expect(rows[0]).toMatchObject({ model: 'lead-scoring', version: '4.1.0', deployed: 'admin@uat.sandbox challenger 10%' });
  });

  it('says so when the registry is empty', async () => {
    await ModelList.run(['--models-dir', `${modelsDir}/does-not-exist`]);
    expect(ux.log.firstCall.args[0]).toContain('No model versions');
  });
});
