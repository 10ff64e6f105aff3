import { promises as fs } from 'node:fs';
import path from 'node:path';
import ModelRollback from '../../../../src/commands/scoring/model/rollback.js';
import { appendLedger, setAlias } from '../../../../src/lib/library.js';
import { stubMetadataDeploy } from '../../../helpers/fake-deploy.js';
import { readLedgerLines } from '../../../helpers/models.js';
import { orgCommandWorld } from '../../../helpers/org-command-setup.js';
import { expectMatchesSchema } from '../../../helpers/schema.js';

describe('scoring model rollback', () => {
  const w = orgCommandWorld();
  const args = (...extra: string[]): string[] => ['--target-org', w.testOrg.username, '--models-dir', w.modelsDir, '--name', 'lead-scoring', '--service-url', w.service.url, ...extra];
  const REASON = 'top-decile lift 1.3x for 2 consecutive weeks';

  beforeEach(async () => {
    // History in this org: 4.0.0 was champion, then 4.1.0 was promoted (and is the service-wide champion).
    const org = { id: w.testOrg.orgId, username: w.testOrg.username, isSandbox: false };
    await appendLedger(w.modelsDir, { action: 'deploy', model: 'lead-scoring', version: '4.0.0', role: 'champion', org, actor: 't', result: 'ok' });
    await appendLedger(w.modelsDir, { action: 'deploy', model: 'lead-scoring', version: '4.1.0', role: 'challenger', org, actor: 't', result: 'ok' });
    await appendLedger(w.modelsDir, { action: 'promote', model: 'lead-scoring', version: '4.1.0', org, actor: 't', result: 'ok' });
    await setAlias(w.modelsDir, 'lead-scoring', 'champion', '4.1.0');
    w.org.isSandbox = false;
    w.org.config = { ...w.org.config, Champion_Version__c: '4.1.0', Challenger_Version__c: null };
  });

  it('restores the previous champion, deprecates the rolled-back version with the reason, and records it', async () => {
    const fake = stubMetadataDeploy(w.$$.SANDBOX);
    const result = await ModelRollback.run(args('--reason', REASON, '--json'));
    expectMatchesSchema('scoring-model-rollback', result);
    expect(result).toMatchObject({ rolledBack: '4.1.0', restored: '4.0.0', reason: REASON });
    expect(fake.deployed[0][0].values).toMatchObject({ Champion_Version__c: '4.0.0', Challenger_Version__c: null });
    const registry = JSON.parse(await fs.readFile(path.join(w.modelsDir, 'registry.json'), 'utf8'));
    expect(registry.models['lead-scoring'].versions['4.1.0']).toMatchObject({ status: 'deprecated', statusReason: REASON });
    expect(registry.models['lead-scoring'].aliases.champion).toBe('4.0.0');
    expect((await readLedgerLines(w.modelsDir)).pop()).toMatchObject({ action: 'rollback', version: '4.1.0', reason: REASON, result: 'ok', details: { restored: '4.0.0' } });
  });

  it('tells humans what happened', async () => {
    stubMetadataDeploy(w.$$.SANDBOX);
    await ModelRollback.run(args('--reason', REASON));
    expect(w.ux.log.lastCall.args[0]).toMatch(/4.1.0 -> 4.0.0\. lead-scoring 4.1.0 is now deprecated/);
  });

  it('needs a reason', async () => {
    await expect(ModelRollback.run(args('--json'))).rejects.toThrow(/Missing required flag reason/);
  });

  it('asks for --to when the ledger knows no earlier champion in this org, and takes it', async () => {
    await fs.writeFile(path.join(w.modelsDir, 'ledger.jsonl'), '');
    await expect(ModelRollback.run(args('--reason', REASON, '--json'))).rejects.toThrow(/pass --to/);
    stubMetadataDeploy(w.$$.SANDBOX);
    const result = await ModelRollback.run(args('--reason', REASON, '--to', '4.0.0', '--json'));
    expect(result.restored).toBe('4.0.0');
  });

  it('leaves the registry alone when the metadata deploy fails', async () => {
    stubMetadataDeploy(w.$$.SANDBOX, { success: false, failures: [{ fullName: 'Scoring_Model_Config.Lead_Scoring', problem: 'UNKNOWN_EXCEPTION' }] });
    await expect(ModelRollback.run(args('--reason', REASON, '--json'))).rejects.toThrow(/UNKNOWN_EXCEPTION/);
    const registry = JSON.parse(await fs.readFile(path.join(w.modelsDir, 'registry.json'), 'utf8'));
    expect(registry.models['lead-scoring'].versions['4.1.0'].status).not.toBe('deprecated');
    expect((await readLedgerLines(w.modelsDir)).pop()).toMatchObject({ action: 'rollback', result: 'fail' });
  });
});
