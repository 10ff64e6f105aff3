import { promises as fs } from 'node:fs';
import { MockTestOrgData, TestContext } from '@salesforce/core/testSetup';
import { stubSfCommandUx, stubSpinner } from '@salesforce/sf-plugins-core';
import ModelDeploy from '../../../../src/commands/scoring/model/deploy.js';
import { appendLedger, type Manifest } from '../../../../src/lib/library.js';
import { mappingSignature } from '../../../../src/lib/mapping-signature.js';
import { stubMetadataDeploy } from '../../../helpers/fake-deploy.js';
import { fakeOrgRequests, newFakeOrg, type FakeOrg } from '../../../helpers/fake-org.js';
import { ADMIN_KEY, API_KEY, startFakeService, type FakeService } from '../../../helpers/fake-service.js';
import { buildModelsDir, readLedgerLines } from '../../../helpers/models.js';
import { CONFIG_4_0_0, mappingRows, readManifest } from '../../../helpers/org-fixtures.js';
import { expectMatchesSchema } from '../../../helpers/schema.js';

describe('scoring model deploy', () => {
  const $$ = new TestContext();
  const testOrg = new MockTestOrgData();
  let modelsDir: string;
  let service: FakeService;
  let manifest: Manifest;
  let org: FakeOrg;
  let ux: ReturnType<typeof stubSfCommandUx>;

  const args = (...extra: string[]): string[] => [
    '--target-org', testOrg.username, '--models-dir', modelsDir, '--name', 'lead-scoring', '--version', '4.1.0', '--service-url', service.url, ...extra,
  ];
  const signature = (): string => mappingSignature(org.mappings.map((m) => ({ input: m.Input_Name__c, field: m.Field_Path__c })), manifest.inputs.map((i) => i.name));

  beforeAll(async () => {
    service = await startFakeService();
    process.env.SCORING_API_KEY = API_KEY;
    process.env.SCORING_ADMIN_KEY = ADMIN_KEY;
  });
  afterAll(async () => {
    await service.close();
    delete process.env.SCORING_API_KEY;
    delete process.env.SCORING_ADMIN_KEY;
  });

  beforeEach(async () => {
    modelsDir = await buildModelsDir();
    manifest = await readManifest(modelsDir, '4.1.0');
    service.served.clear();
    service.loadable.clear();
    service.calls.length = 0;
    service.served.set('lead-scoring@4.1.0', manifest.sha256);
    org = newFakeOrg({ isSandbox: true, config: { ...CONFIG_4_0_0 }, mappings: mappingRows(manifest) });
    await $$.stubAuths(testOrg);
    // core reads the alias file and tells ENOENT apart with instanceof Error, which fails across jest's realms.
    $$.stubAliases({});
    $$.fakeConnectionRequest = fakeOrgRequests(org);
    ux = stubSfCommandUx($$.SANDBOX);
    stubSpinner($$.SANDBOX);
  });
  afterEach(async () => {
    await fs.rm(modelsDir, { recursive: true, force: true });
    process.exitCode = undefined; // SfCommand sets it on every error
  });

  it('deploys a challenger with a canary to a sandbox and records it in the ledger', async () => {
    const fake = stubMetadataDeploy($$.SANDBOX);
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
    const last = (await readLedgerLines(modelsDir)).pop();
    expect(last).toMatchObject({
      action: 'deploy',
      version: '4.1.0',
      role: 'challenger',
      result: 'ok',
      sha256: manifest.sha256,
      mappingSignature: signature(),
      org: { isSandbox: true, username: testOrg.username },
    });
    expect(service.calls.some((c) => c.path.includes('/admin/'))).toBe(false);
  });

  it('shows humans the config before and after', async () => {
    stubMetadataDeploy($$.SANDBOX);
    await ModelDeploy.run(args('--role', 'champion'));
    expect(ux.log.args.flat().join('\n')).toContain('as champion');
    expect(ux.table.firstCall.args[0].data).toEqual([
      { setting: 'champion', before: '4.0.0', after: '4.1.0' },
      { setting: 'challenger', before: '', after: '' },
      { setting: 'canary %', before: 0, after: 0 },
    ]);
  });

  it('loads the version through the admin route when the service does not have it', async () => {
    service.served.clear();
    service.loadable.set('lead-scoring@4.1.0', manifest.sha256);
    stubMetadataDeploy($$.SANDBOX);
    const result = await ModelDeploy.run(args('--json'));
    expect(result.service).toMatchObject({ loaded: true, sha256: manifest.sha256, source: 'flag' });
    expect(service.calls.find((c) => c.method === 'POST')).toMatchObject({ path: '/v1/admin/models/lead-scoring/versions/4.1.0/load', auth: `Bearer ${ADMIN_KEY}` });
  });

  it('stops before touching the org when the service has not got the version and cannot load it', async () => {
    service.served.clear();
    const fake = stubMetadataDeploy($$.SANDBOX);
    await expect(ModelDeploy.run(args('--json'))).rejects.toThrow(/answered 404 .*not in the models directory/);
    expect(fake.deployed).toHaveLength(0);
    expect((await readLedgerLines(modelsDir)).some((e) => e.action === 'deploy')).toBe(false);
  });

  it('refuses when the service serves a different artifact under the same version', async () => {
    service.served.set('lead-scoring@4.1.0', 'f'.repeat(64));
    const fake = stubMetadataDeploy($$.SANDBOX);
    await expect(ModelDeploy.run(args('--json'))).rejects.toMatchObject({ name: 'ServiceArtifactMismatch' });
    expect(fake.deployed).toHaveLength(0);
  });

  it('uses the endpoint of the org Named Credential when no service URL is given', async () => {
    org.namedCredentialEndpoint = service.url;
    stubMetadataDeploy($$.SANDBOX);
    const result = await ModelDeploy.run(args('--json').filter((a, i, all) => a !== '--service-url' && all[i - 1] !== '--service-url'));
    expect(result.service.source).toBe('named-credential');
  });

  it('refuses a version whose inputs the org has no mapping for', async () => {
    org.mappings = org.mappings.filter((m) => m.Input_Name__c !== 'mobility_score');
    const fake = stubMetadataDeploy($$.SANDBOX);
    await expect(ModelDeploy.run(args('--json'))).rejects.toThrow(/no field mapping for inputs mobility_score/);
    expect(fake.deployed).toHaveLength(0);
  });

  it('reports a failed metadata deploy with the component problems and records the failure', async () => {
    stubMetadataDeploy($$.SANDBOX, { success: false, failures: [{ fullName: 'Scoring_Model_Config.Lead_Scoring', problem: 'Field Canary_Percent__c does not exist' }] });
    await expect(ModelDeploy.run(args('--json'))).rejects.toThrow(/Canary_Percent__c does not exist/);
    expect((await readLedgerLines(modelsDir)).pop()).toMatchObject({ action: 'deploy', result: 'fail' });
  });

  describe('the production gate (org IsSandbox = false)', () => {
    beforeEach(() => {
      org.isSandbox = false;
    });

    it('refuses a version with no passing sandbox validation, naming what is missing, and records the refusal', async () => {
      const fake = stubMetadataDeploy($$.SANDBOX);
      const error = await ModelDeploy.run(args('--json')).catch((e: Error) => e);
      expect(error).toMatchObject({ name: 'ProductionGateRefused' });
      expect((error as Error).message).toMatch(/No passing sandbox validation of lead-scoring 4.1.0/);
      expect((error as Error).message).toMatch(/Missing sign-offs: data-science, engineering, business/);
      expect(fake.deployed).toHaveLength(0);
      expect((await readLedgerLines(modelsDir)).pop()).toMatchObject({ action: 'deploy', result: 'fail', org: { isSandbox: false } });
    });

    const proveInSandbox = async (mapping: string): Promise<void> => {
      await appendLedger(modelsDir, {
        action: 'org-validate',
        model: 'lead-scoring',
        version: '4.1.0',
        sha256: manifest.sha256,
        mappingSignature: mapping,
        org: { id: '00DSANDBOX0000001', username: 'admin@uat', isSandbox: true },
        actor: 'test',
        result: 'pass',
      });
      for (const role of ['data-science', 'engineering', 'business']) {
        await appendLedger(modelsDir, { action: 'signoff', model: 'lead-scoring', version: '4.1.0', sha256: manifest.sha256, role, actor: role, result: 'pass' });
      }
    };

    it('deploys once the same artifact and mapping passed in a sandbox and every sign-off is in', async () => {
      await proveInSandbox(signature());
      const fake = stubMetadataDeploy($$.SANDBOX);
      const result = await ModelDeploy.run(args('--json'));
      expect(result.productionGate).toMatchObject({ required: true, passed: true, evidence: { org: 'admin@uat' } });
      expect(result.forced).toBe(false);
      expect(fake.deployed).toHaveLength(1);
      expect((await readLedgerLines(modelsDir)).pop()).toMatchObject({ action: 'deploy', result: 'ok', org: { isSandbox: false } });
    });

    it('refuses when the sandbox validated a different field mapping', async () => {
      await proveInSandbox('0'.repeat(64));
      stubMetadataDeploy($$.SANDBOX);
      await expect(ModelDeploy.run(args('--json'))).rejects.toThrow(/only with a different field mapping/);
    });

    it('takes --force only with a reason, and records the override', async () => {
      const fake = stubMetadataDeploy($$.SANDBOX);
      await expect(ModelDeploy.run(args('--force', '--json'))).rejects.toThrow(/reason/);
      const result = await ModelDeploy.run(args('--force', '--reason', 'INC-4711 hotfix approved by CTO', '--json'));
      expect(result.forced).toBe(true);
      expect(fake.deployed).toHaveLength(1);
      expect((await readLedgerLines(modelsDir)).pop()).toMatchObject({ action: 'deploy', result: 'forced', reason: 'INC-4711 hotfix approved by CTO' });
    });
  });
});
