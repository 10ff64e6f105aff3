import { promises as fs } from 'node:fs';
import path from 'node:path';
import ModelPromote from '../../../../src/commands/scoring/model/promote.js';
import { appendLedger } from '../../../../src/lib/library.js';
import { stubMetadataDeploy } from '../../../helpers/fake-deploy.js';
import { readLedgerLines } from '../../../helpers/models.js';
import { orgCommandWorld } from '../../../helpers/org-command-setup.js';
import { refusal } from '../../../helpers/refusal.js';
import { MAPPING_SIGNATURE_4_1_0 } from '../../../helpers/org-fixtures.js';
import { expectMatchesSchema } from '../../../helpers/schema.js';

describe('scoring model promote', () => {
  const w = orgCommandWorld();
  const args = (...extra: string[]): string[] => [
    '--target-org',
    w.testOrg.username,
    '--models-dir',
    w.modelsDir,
    '--name',
    'lead-scoring',
    '--service-url',
    w.service.url,
    ...extra,
  ];
  beforeEach(() => {
    w.org.config = { ...w.org.config, Challenger_Version__c: '4.1.0', Canary_Percent__c: 10 };
  });

  it("makes the sandbox's challenger its champion and records the promotion", async () => {
    const fake = stubMetadataDeploy(w.$$.SANDBOX);
    const result = await ModelPromote.run(args('--json'));
    expect(result).toMatchObject({ version: '4.1.0', previousChampion: '4.0.0', registryUpdated: false });
    expectMatchesSchema('scoring-model-promote', result);
    expect(fake.deployed[0][0].values).toMatchObject({
      Champion_Version__c: '4.1.0',
      Challenger_Version__c: null,
      Canary_Percent__c: '0',
    });
    expect((await readLedgerLines(w.modelsDir)).pop()).toMatchObject({
      action: 'promote',
      version: '4.1.0',
      result: 'ok',
      details: { previousChampion: '4.0.0' },
    });
  });

  it("writes the new champion's rollback criteria (its manifest's gates.rollback) for the org's weekly alarm", async () => {
    const file = path.join(w.modelsDir, 'lead-scoring', '4.1.0', 'manifest.json');
    const manifest = JSON.parse(await fs.readFile(file, 'utf8')) as { gates: { rollback: Record<string, number> } };
    manifest.gates.rollback = { ...manifest.gates.rollback, min_top_decile_lift: 1.8, consecutive_weeks: 3 };
    await fs.writeFile(file, JSON.stringify(manifest, null, 2));
    const fake = stubMetadataDeploy(w.$$.SANDBOX);
    await ModelPromote.run(args('--json'));
    expect(fake.deployed[0][0].values).toMatchObject({
      Champion_Version__c: '4.1.0',
      Rollback_Min_Top_Decile_Lift__c: '1.8',
      Rollback_Consecutive_Weeks__c: '3',
      Rollback_Min_Auc__c: String(manifest.gates.rollback.min_auc),
    });
  });

  it('tells humans what changed', async () => {
    stubMetadataDeploy(w.$$.SANDBOX);
    await ModelPromote.run(args());
    expect(w.ux.log.lastCall.args[0]).toMatch(
      /^lead-scoring 4.1.0 is now the champion in .* \(sandbox\) \(was 4.0.0\)\.$/,
    );
  });

  it('waits --wait minutes for the metadata deploy (10 by default), and takes no less than 1', async () => {
    const fake = stubMetadataDeploy(w.$$.SANDBOX);
    await ModelPromote.run(args('--wait', '3', '--json'));
    expect(fake.timeouts).toEqual([180]);
    w.org.config = { ...w.org.config, Challenger_Version__c: '4.1.0' };
    await ModelPromote.run(args('--json'));
    expect(fake.timeouts).toEqual([180, 600]);
    const error = await refusal(ModelPromote.run(args('--wait', '0', '--json')));
    expect(error.message).toMatch(/--wait/);
    expect(error.message).toMatch(/must be at least 1/);
  });

  it('refuses when the org has no challenger', async () => {
    w.org.config = { ...w.org.config, Challenger_Version__c: null };
    await expect(ModelPromote.run(args('--json'))).rejects.toThrow(/has no challenger of lead-scoring/);
  });

  it('refuses a version that is not the challenger', async () => {
    await expect(ModelPromote.run(args('--version', '4.0.0', '--json'))).rejects.toThrow(/4.0.0 is not the challenger/);
  });

  it('stops when the service does not have the version and cannot load it', async () => {
    w.service.served.delete('lead-scoring@4.1.0');
    const fake = stubMetadataDeploy(w.$$.SANDBOX);
    await expect(ModelPromote.run(args('--json'))).rejects.toThrow(/answered 404/);
    expect(fake.deployed).toHaveLength(0);
  });

  describe('in production', () => {
    beforeEach(() => {
      w.org.isSandbox = false;
    });

    it('refuses without a sandbox validation and sign-offs', async () => {
      const fake = stubMetadataDeploy(w.$$.SANDBOX);
      await expect(ModelPromote.run(args('--json'))).rejects.toThrow(
        /Refusing to promote lead-scoring 4.1.0 in production/,
      );
      expect(fake.deployed).toHaveLength(0);
    });

    it("refuses with the same error name, actions and data as deploy's gate, and records the refusal the same way", async () => {
      stubMetadataDeploy(w.$$.SANDBOX);
      const error = await refusal(ModelPromote.run(args('--json')));
      expect(error.name).toBe('ProductionGateRefusedError');
      expect(error.actions).toEqual([
        'Validate the same artifact and mapping in a sandbox: sf scoring org validate --name lead-scoring --version 4.1.0 --target-org <sandbox>',
        'Record the missing sign-offs: sf scoring model signoff --name lead-scoring --version 4.1.0 --role <role>',
        'Or, in an emergency, --force --reason "<why>" (recorded in the ledger).',
      ]);
      expect(error.data).toMatchObject({ productionGate: { required: true, passed: false } });
      expect((await readLedgerLines(w.modelsDir)).pop()).toMatchObject({
        action: 'promote',
        result: 'fail',
        mappingSignature: MAPPING_SIGNATURE_4_1_0,
        details: {
          refused: [
            expect.stringMatching(/^No passing sandbox validation/),
            'Missing sign-offs: data-science, engineering, business.',
          ],
        },
      });
    });

    it('promotes with the evidence in the ledger and updates the registry', async () => {
      const m = w.manifests['4.1.0'];
      await appendLedger(w.modelsDir, {
        action: 'org-validate',
        model: 'lead-scoring',
        version: '4.1.0',
        sha256: m.sha256,
        mappingSignature: MAPPING_SIGNATURE_4_1_0,
        org: { id: '00DSANDBOX', isSandbox: true },
        actor: 'test',
        result: 'pass',
      });
      for (const role of m.gates.signoffs)
        await appendLedger(w.modelsDir, {
          action: 'signoff',
          model: 'lead-scoring',
          version: '4.1.0',
          sha256: m.sha256,
          role,
          actor: role,
          result: 'pass',
        });
      stubMetadataDeploy(w.$$.SANDBOX);
      const result = await ModelPromote.run(args('--json'));
      expect(result.registryUpdated).toBe(true);
      const registry = JSON.parse(await fs.readFile(path.join(w.modelsDir, 'registry.json'), 'utf8'));
      expect(registry.models['lead-scoring'].aliases.champion).toBe('4.1.0');
      expect(registry.models['lead-scoring'].versions['4.1.0'].status).toBe('production');
    });
  });
});
