import { promises as fs } from 'node:fs';
import path from 'node:path';
import { MockTestOrgData, TestContext } from '@salesforce/core/testSetup';
import { stubSfCommandUx, stubSpinner } from '@salesforce/sf-plugins-core';
import MappingDeploy from '../../../../src/commands/scoring/mapping/deploy.js';
import { stubMetadataDeploy } from '../../../helpers/fake-deploy.js';
import { fakeOrgRequests, LEAD_FIELDS, newFakeOrg, type FakeOrg } from '../../../helpers/fake-org.js';
import { buildModelsDir, readLedgerLines } from '../../../helpers/models.js';
import { expectMatchesSchema } from '../../../helpers/schema.js';

describe('scoring mapping deploy', () => {
  const $$ = new TestContext();
  const testOrg = new MockTestOrgData();
  let modelsDir: string;
  let org: FakeOrg;
  let ux: ReturnType<typeof stubSfCommandUx>;
  const args = (...extra: string[]): string[] => ['--target-org', testOrg.username, '--models-dir', modelsDir, '--name', 'lead-scoring', ...extra];

  beforeEach(async () => {
    modelsDir = await buildModelsDir();
    org = newFakeOrg({ leadFields: LEAD_FIELDS.map((f) => ({ ...f })) });
    await $$.stubAuths(testOrg);
    $$.stubAliases({});
    $$.fakeConnectionRequest = fakeOrgRequests(org);
    ux = stubSfCommandUx($$.SANDBOX);
    stubSpinner($$.SANDBOX);
  });
  afterEach(async () => {
    await fs.rm(modelsDir, { recursive: true, force: true });
    process.exitCode = undefined;
  });

  it('checks the fields of champion and challenger inputs and deploys one record per input', async () => {
    const fake = stubMetadataDeploy($$.SANDBOX);
    const result = await MappingDeploy.run(args('--version', '4.1.0', '--version', '4.0.0', '--json'));
    expectMatchesSchema('scoring-mapping-deploy', result);
    expect(result.fields).toHaveLength(23);
    expect(result.fields.every((f) => f.ok)).toBe(true);
    expect(result.fields.find((f) => f.input === 'last_activity_date')).toMatchObject({ field: 'LastActivityDate', fieldType: 'date', inputType: 'date' });
    const records = fake.deployed[0];
    expect(records).toHaveLength(23);
    expect(records.find((r) => r.fullName === 'Scoring_Field_Mapping.Lead_Scoring_Firm_Aum_Musd')?.values).toEqual({
      Field_Path__c: 'Firm_AUM_MUSD__c',
      Input_Name__c: 'firm_aum_musd',
      Model_Name__c: 'lead-scoring',
    });
    expect(Object.keys(result.signatures)).toEqual(['4.0.0', '4.1.0']);
    expect(result.signatures['4.0.0']).not.toBe(result.signatures['4.1.0']);
    const entries = (await readLedgerLines(modelsDir)).filter((e) => e.action === 'mapping-deploy');
    expect(entries.map((e) => [e.version, e.result, e.mappingSignature])).toEqual([
      ['4.0.0', 'ok', result.signatures['4.0.0']],
      ['4.1.0', 'ok', result.signatures['4.1.0']],
    ]);
  });

  it('shows humans the mapping as a table', async () => {
    stubMetadataDeploy($$.SANDBOX);
    await MappingDeploy.run(args('--version', '4.1.0'));
    const rows = ux.table.firstCall.args[0].data as Record<string, unknown>[];
    expect(rows).toContainEqual({ input: 'firm_headcount_change_pct', type: 'number', field: 'Firm_Headcount_Change_Pct__c', 'field type': 'percent' });
    expect(ux.log.lastCall.args[0]).toMatch(/^Deployed 22 field mappings of lead-scoring/);
  });

  it('refuses with every missing and mistyped field listed, and deploys nothing', async () => {
    org.leadFields = org.leadFields.filter((f) => f.name !== 'Mobility_Score__c' && f.name !== 'Has_Phone__c');
    org.leadFields.find((f) => f.name === 'Prior_Firms__c')!.type = 'string';
    const fake = stubMetadataDeploy($$.SANDBOX);
    const error = (await MappingDeploy.run(args('--version', '4.1.0', '--json')).catch((e: Error) => e)) as Error;
    expect(error.message).toMatch(/^3 field\(s\) cannot be mapped/);
    expect(error.message).toContain('mobility_score -> Mobility_Score__c: Lead.Mobility_Score__c does not exist');
    expect(error.message).toContain('has_phone -> Has_Phone__c: Lead.Has_Phone__c does not exist');
    expect(error.message).toContain('prior_firms -> Prior_Firms__c: Lead.Prior_Firms__c is string; a number input needs double or int or long or percent or currency');
    expect(fake.deployed).toHaveLength(0);
  });

  it('follows relationship paths and applies a mapping file', async () => {
    org.leadFields.push({ name: 'ConvertedAccountId', type: 'reference', relationshipName: 'ConvertedAccount', referenceTo: ['Account'] });
    const overrides = path.join(modelsDir, 'mapping.json');
    await fs.writeFile(overrides, JSON.stringify({ industry: 'ConvertedAccount.Industry' }));
    const origin = $$.fakeConnectionRequest;
    $$.fakeConnectionRequest = async (request) => {
      const url = typeof request === 'string' ? request : (request as { url: string }).url;
      if (url.endsWith('/sobjects/Account/describe')) return { name: 'Account', fields: [{ name: 'Industry', type: 'picklist' }] };
      return origin(request);
    };
    stubMetadataDeploy($$.SANDBOX);
    const result = await MappingDeploy.run(args('--version', '4.1.0', '--mapping', overrides, '--json'));
    expect(result.fields.find((f) => f.input === 'industry')).toMatchObject({ field: 'ConvertedAccount.Industry', fieldType: 'picklist', ok: true });
  });

  it('reports a failed metadata deploy and records it', async () => {
    stubMetadataDeploy($$.SANDBOX, { success: false, failures: [{ fullName: 'Scoring_Field_Mapping.Lead_Scoring_Industry', problem: 'Insufficient access' }] });
    await expect(MappingDeploy.run(args('--version', '4.1.0', '--json'))).rejects.toThrow(/Lead_Scoring_Industry: Insufficient access/);
    expect((await readLedgerLines(modelsDir)).pop()).toMatchObject({ action: 'mapping-deploy', result: 'fail' });
  });
});
