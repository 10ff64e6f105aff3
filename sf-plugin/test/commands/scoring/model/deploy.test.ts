import { promises as fs } from 'node:fs';
import path from 'node:path';
import ModelDeploy from '../../../../src/commands/scoring/model/deploy.js';
import { appendLedger } from '../../../../src/lib/library.js';
import { stubMetadataDeploy } from '../../../helpers/fake-deploy.js';
import { ADMIN_KEY } from '../../../helpers/fake-service.js';
import { readLedgerLines } from '../../../helpers/models.js';
import { orgCommandWorld } from '../../../helpers/org-command-setup.js';
import { MAPPING_SIGNATURE_4_1_0 } from '../../../helpers/org-fixtures.js';
import { refusal } from '../../../helpers/refusal.js';
import { expectMatchesSchema } from '../../../helpers/schema.js';

describe('scoring model deploy', () => {
  const w = orgCommandWorld();
  const args = (...extra: string[]): string[] => [
    '--target-org', w.testOrg.username, '--models-dir', w.modelsDir, '--name', 'lead-scoring', '--version', '4.1.0', '--service-url', w.service.url, ...extra,
  ];

  beforeEach(() => {
    // The service has 4.1.0 only; tests that need it loaded or missing change this.
    w.service.served.delete('lead-scoring@4.0.0');
  });

  it('deploys a challenger with a canary to a sandbox and records it in the ledger', async () => {
    const fake = stubMetadataDeploy(w.$$.SANDBOX);
    const result = await ModelDeploy.run(args('--role', 'challenger', '--canary', '10', '--json'));
    expectMatchesSchema('scoring-model-deploy', result);

    expect(result.org.isSandbox).toBe(true);
    expect(result.config).toMatchObject({ championVersion: '4.0.0', challengerVersion: '4.1.0', canaryPercent: 10 });
    expect(result.productionGate.required).toBe(false);
    expect(fake.deployed).toHaveLength(1);
    expect(fake.deployed[0][0]).toMatchObject({
      fullName: 'Scoring_Model_Config.Lead_Scoring',
      values: { Champion_Version__c: '4.0.0', Challenger_Version__c: '4.1.0', Canary_Percent__c: '10', Model_Name__c: 'lead-scoring' },
    });
    const last = (await readLedgerLines(w.modelsDir)).pop();
    expect(last).toMatchObject({
      action: 'deploy',
      version: '4.1.0',
      role: 'challenger',
      result: 'ok',
      sha256: w.manifests['4.1.0'].sha256,
      mappingSignature: MAPPING_SIGNATURE_4_1_0,
      org: { isSandbox: true, username: w.testOrg.username },
    });
    expect(w.service.calls.some((c) => c.path.includes('/admin/'))).toBe(false);
  });

  it('gives an org without a config record the shipped one, scoring off: the CLI never switches scoring on', async () => {
    w.org.config = undefined;
    const fake = stubMetadataDeploy(w.$$.SANDBOX);
    const result = await ModelDeploy.run(args('--role', 'champion', '--json'));
    expect(result.config).toMatchObject({ championVersion: '4.1.0', enabled: false });
    expect(fake.deployed[0][0]).toMatchObject({ fullName: 'Scoring_Model_Config.Lead_Scoring', values: { Enabled__c: 'false' } });
  });

  it('shows humans the config before and after', async () => {
    stubMetadataDeploy(w.$$.SANDBOX);
    await ModelDeploy.run(args('--role', 'champion'));
    expect(w.ux.log.args.flat().join('\n')).toContain('as champion');
    expect(w.ux.table.firstCall.args[0].data).toEqual([
      { setting: 'champion', before: '4.0.0', after: '4.1.0' },
      { setting: 'challenger', before: '', after: '' },
      { setting: 'canary %', before: 0, after: 0 },
    ]);
  });

  it('loads the version through the admin route when the service does not have it', async () => {
    w.service.served.clear();
    w.service.loadable.set('lead-scoring@4.1.0', w.manifests['4.1.0'].sha256);
    stubMetadataDeploy(w.$$.SANDBOX);
    const result = await ModelDeploy.run(args('--json'));
    expect(result.service).toMatchObject({ loaded: true, sha256: w.manifests['4.1.0'].sha256, source: 'flag' });
    expect(w.service.calls.find((c) => c.method === 'POST')).toMatchObject({ path: '/v1/admin/models/lead-scoring/versions/4.1.0/load', auth: `Bearer ${ADMIN_KEY}` });
  });

  it('stops before touching the org when the service has not got the version and cannot load it', async () => {
    w.service.served.clear();
    const fake = stubMetadataDeploy(w.$$.SANDBOX);
    await expect(ModelDeploy.run(args('--json'))).rejects.toThrow(/answered 404 .*not in the models directory/);
    expect(fake.deployed).toHaveLength(0);
    expect((await readLedgerLines(w.modelsDir)).some((e) => e.action === 'deploy')).toBe(false);
  });

  it('reports the one serving set every sampled replica answered from', async () => {
    stubMetadataDeploy(w.$$.SANDBOX);
    const result = await ModelDeploy.run(args('--json'));
    expectMatchesSchema('scoring-model-deploy', result);
    expect(result.service.replicas).toMatchObject({ samples: 12, rounds: 1, digest: expect.stringMatching(/^[0-9a-f]{16}$/) });
    const sampled = w.service.calls.filter((c) => c.method === 'GET' && c.path === '/v1/models/lead-scoring/versions/4.1.0');
    expect(sampled.length).toBeGreaterThanOrEqual(12);
  });

  it('stops before touching the org when the replicas behind the URL serve different sets', async () => {
    w.service.replicaDigests = ['aaaaaaaaaaaaaaaa', 'aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb'];
    process.env.SCORING_REPLICA_WAIT_SECONDS = '0';
    const fake = stubMetadataDeploy(w.$$.SANDBOX);
    try {
      const err = await ModelDeploy.run(args('--json')).catch((e: Error) => e);
      expect(err).toMatchObject({ name: 'ServiceReplicasDifferError' });
      expect((err as Error).message).toMatch(/Serving-Set aaaaaaaaaaaaaaaa: .* \(8 of 12 answers\)\n- Serving-Set bbbbbbbbbbbbbbbb: .* \(4 of 12 answers\)/);
    } finally {
      delete process.env.SCORING_REPLICA_WAIT_SECONDS;
    }
    expect(fake.deployed).toHaveLength(0);
    expect((await readLedgerLines(w.modelsDir)).some((e) => e.action === 'deploy')).toBe(false);
  });

  it('refuses when the service serves a different artifact under the same version', async () => {
    w.service.served.set('lead-scoring@4.1.0', 'f'.repeat(64));
    const fake = stubMetadataDeploy(w.$$.SANDBOX);
    await expect(ModelDeploy.run(args('--json'))).rejects.toMatchObject({ name: 'ServiceArtifactMismatchError' });
    expect(fake.deployed).toHaveLength(0);
  });

  it('uses the endpoint of the org Named Credential when no service URL is given', async () => {
    w.org.namedCredentialEndpoint = w.service.url;
    stubMetadataDeploy(w.$$.SANDBOX);
    const result = await ModelDeploy.run(args('--json').filter((a, i, all) => a !== '--service-url' && all[i - 1] !== '--service-url'));
    expect(result.service.source).toBe('named-credential');
  });

  it('refuses a version whose inputs the org has no mapping for', async () => {
    w.org.mappings = w.org.mappings.filter((m) => m.Input_Name__c !== 'mobility_score');
    const fake = stubMetadataDeploy(w.$$.SANDBOX);
    await expect(ModelDeploy.run(args('--json'))).rejects.toThrow(/no field mapping for inputs mobility_score/);
    expect(fake.deployed).toHaveLength(0);
  });

  it('reports a failed metadata deploy with the component problems and records the failure', async () => {
    stubMetadataDeploy(w.$$.SANDBOX, { success: false, failures: [{ fullName: 'Scoring_Model_Config.Lead_Scoring', problem: 'Field Canary_Percent__c does not exist' }] });
    await expect(ModelDeploy.run(args('--json'))).rejects.toThrow(/Canary_Percent__c does not exist/);
    expect((await readLedgerLines(w.modelsDir)).pop()).toMatchObject({ action: 'deploy', result: 'fail' });
  });

  describe('the production gate (org IsSandbox = false)', () => {
    beforeEach(() => {
      w.org.isSandbox = false;
    });

    it('refuses a version with no passing sandbox validation, naming what is missing, and records the refusal', async () => {
      const fake = stubMetadataDeploy(w.$$.SANDBOX);
      const error = await refusal(ModelDeploy.run(args('--json')));
      expect(error).toMatchObject({ name: 'ProductionGateRefusedError' });
      expect(error.message).toMatch(/No passing sandbox validation of lead-scoring 4.1.0/);
      expect(error.message).toMatch(/Missing sign-offs: data-science, engineering, business/);
      expect(fake.deployed).toHaveLength(0);
      expect((await readLedgerLines(w.modelsDir)).pop()).toMatchObject({ action: 'deploy', result: 'fail', org: { isSandbox: false } });
    });

    const proveInSandbox = async (mapping: string): Promise<void> => {
      await appendLedger(w.modelsDir, {
        action: 'org-validate',
        model: 'lead-scoring',
        version: '4.1.0',
        sha256: w.manifests['4.1.0'].sha256,
        mappingSignature: mapping,
        org: { id: '00DSANDBOX0000001', username: 'admin@uat', isSandbox: true },
        actor: 'test',
        result: 'pass',
      });
      for (const role of ['data-science', 'engineering', 'business']) {
        await appendLedger(w.modelsDir, { action: 'signoff', model: 'lead-scoring', version: '4.1.0', sha256: w.manifests['4.1.0'].sha256, role, actor: role, result: 'pass' });
      }
    };

    it('deploys once the same artifact and mapping passed in a sandbox and every sign-off is in', async () => {
      await proveInSandbox(MAPPING_SIGNATURE_4_1_0);
      const fake = stubMetadataDeploy(w.$$.SANDBOX);
      const result = await ModelDeploy.run(args('--json'));
      expect(result.productionGate).toMatchObject({ required: true, passed: true, evidence: { org: 'admin@uat' } });
      expect(result.forced).toBe(false);
      expect(fake.deployed).toHaveLength(1);
      expect((await readLedgerLines(w.modelsDir)).pop()).toMatchObject({ action: 'deploy', result: 'ok', org: { isSandbox: false } });
    });

    describe('when the manifest gates require a warehouse verify', () => {
      beforeEach(async () => {
        const file = path.join(w.modelsDir, 'lead-scoring', '4.1.0', 'manifest.json');
        const manifest = JSON.parse(await fs.readFile(file, 'utf8')) as { gates: Record<string, unknown> };
        await fs.writeFile(file, JSON.stringify({ ...manifest, gates: { ...manifest.gates, require_warehouse_verify: true } }, null, 2));
      });
      const warehouseVerify = (result: 'pass' | 'fail', sha256 = w.manifests['4.1.0'].sha256, version = '4.1.0') =>
        appendLedger(w.modelsDir, { action: 'warehouse-verify', model: 'lead-scoring', version, sha256, actor: 'data-eng', result });

      it('refuses without a passing warehouse-verify of this version and sha256, naming the command to run', async () => {
        await proveInSandbox(MAPPING_SIGNATURE_4_1_0);
        // Neither a failed check, nor a pass of another artifact or version, counts.
        await warehouseVerify('fail');
        await warehouseVerify('pass', 'e'.repeat(64));
        await warehouseVerify('pass', w.manifests['4.0.0'].sha256, '4.0.0');
        const fake = stubMetadataDeploy(w.$$.SANDBOX);
        const error = await refusal(ModelDeploy.run(args('--json')));
        expect(error).toMatchObject({ name: 'ProductionGateRefusedError' });
        expect(error.message).toMatch(/require_warehouse_verify.*lead-scoring 4\.1\.0.*sf scoring verify --name lead-scoring --version 4\.1\.0 --inputs/);
        // The sandbox validation and sign-offs are in: the warehouse check is the one problem.
        expect(error.message).not.toMatch(/No passing sandbox validation|Missing sign-offs/);
        expect(fake.deployed).toHaveLength(0);
        expect((await readLedgerLines(w.modelsDir)).pop()).toMatchObject({ action: 'deploy', result: 'fail' });
      });

      it('deploys once a passing warehouse-verify of this version and sha256 is in the ledger', async () => {
        await proveInSandbox(MAPPING_SIGNATURE_4_1_0);
        await warehouseVerify('pass');
        const fake = stubMetadataDeploy(w.$$.SANDBOX);
        const result = await ModelDeploy.run(args('--json'));
        expect(result.productionGate).toMatchObject({ required: true, passed: true, problems: [] });
        expect(fake.deployed).toHaveLength(1);
      });
    });

    it('refuses when the sandbox validated a different field mapping', async () => {
      await proveInSandbox('0'.repeat(64));
      stubMetadataDeploy(w.$$.SANDBOX);
      await expect(ModelDeploy.run(args('--json'))).rejects.toThrow(/only with a different field mapping/);
    });

    it('takes --force only with a reason, and records the override', async () => {
      const fake = stubMetadataDeploy(w.$$.SANDBOX);
      await expect(ModelDeploy.run(args('--force', '--json'))).rejects.toThrow(/reason/);
      const result = await ModelDeploy.run(args('--force', '--reason', 'INC-4711 hotfix approved by CTO', '--json'));
      expect(result.forced).toBe(true);
      expect(fake.deployed).toHaveLength(1);
      expect((await readLedgerLines(w.modelsDir)).pop()).toMatchObject({ action: 'deploy', result: 'forced', reason: 'INC-4711 hotfix approved by CTO' });
    });
  });
});
