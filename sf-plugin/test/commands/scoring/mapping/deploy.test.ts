import { promises as fs } from 'node:fs';
import path from 'node:path';
import MappingDeploy from '../../../../src/commands/scoring/mapping/deploy.js';
import { stubMetadataDeploy } from '../../../helpers/fake-deploy.js';
import { LEAD_FIELDS } from '../../../helpers/fake-org.js';
import { readLedgerLines } from '../../../helpers/models.js';
import { orgCommandWorld } from '../../../helpers/org-command-setup.js';
import { refusal } from '../../../helpers/refusal.js';
import { expectMatchesSchema } from '../../../helpers/schema.js';

describe('scoring mapping deploy', () => {
  const w = orgCommandWorld();
  const args = (...extra: string[]): string[] => ['--target-org', w.testOrg.username, '--models-dir', w.modelsDir, '--name', 'lead-scoring', ...extra];

  beforeEach(() => {
    // An org with force-app's Lead fields and none of the mapping records yet.
    w.org.leadFields = LEAD_FIELDS.map((f) => ({ ...f }));
    w.org.mappings = [];
  });

  it('checks the fields of champion and challenger inputs and deploys one record per input', async () => {
    const fake = stubMetadataDeploy(w.$$.SANDBOX);
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
    const entries = (await readLedgerLines(w.modelsDir)).filter((e) => e.action === 'mapping-deploy');
    expect(entries.map((e) => [e.version, e.result, e.mappingSignature])).toEqual([
      ['4.0.0', 'ok', result.signatures['4.0.0']],
      ['4.1.0', 'ok', result.signatures['4.1.0']],
    ]);
  });

  it('shows humans the mapping as a table', async () => {
    stubMetadataDeploy(w.$$.SANDBOX);
    await MappingDeploy.run(args('--version', '4.1.0'));
    const rows = w.ux.table.firstCall.args[0].data as Record<string, unknown>[];
    expect(rows).toContainEqual({ input: 'firm_headcount_change_pct', type: 'number', field: 'Firm_Headcount_Change_Pct__c', 'field type': 'percent' });
    expect(w.ux.log.lastCall.args[0]).toMatch(/^Deployed 22 field mappings of lead-scoring/);
  });

  it('refuses with every missing and mistyped field listed, and deploys nothing', async () => {
    w.org.leadFields = w.org.leadFields.filter((f) => f.name !== 'Mobility_Score__c' && f.name !== 'Has_Phone__c');
    w.org.leadFields.find((f) => f.name === 'Prior_Firms__c')!.type = 'string';
    const fake = stubMetadataDeploy(w.$$.SANDBOX);
    const error = await refusal(MappingDeploy.run(args('--version', '4.1.0', '--json')));
    expect(error.message).toMatch(/^3 field\(s\) cannot be mapped/);
    expect(error.message).toContain('mobility_score -> Mobility_Score__c: Lead.Mobility_Score__c does not exist');
    expect(error.message).toContain('has_phone -> Has_Phone__c: Lead.Has_Phone__c does not exist');
    expect(error.message).toContain('prior_firms -> Prior_Firms__c: Lead.Prior_Firms__c is string; a number input needs double or int or long or percent or currency');
    expect(fake.deployed).toHaveLength(0);
  });

  /** Maps industry through the lead's converted account (a lookup, then Account.Industry); returns the mapping file. */
  async function industryThroughConvertedAccount(): Promise<string> {
    w.org.leadFields.push({ name: 'ConvertedAccountId', type: 'reference', relationshipName: 'ConvertedAccount', referenceTo: ['Account'] });
    const overrides = path.join(w.modelsDir, 'mapping.json');
    await fs.writeFile(overrides, JSON.stringify({ industry: 'ConvertedAccount.Industry' }));
    const origin = w.$$.fakeConnectionRequest;
    w.$$.fakeConnectionRequest = async (request) => {
      const url = typeof request === 'string' ? request : (request as { url: string }).url;
      if (url.endsWith('/sobjects/Account/describe')) return { name: 'Account', fields: [{ name: 'Industry', type: 'picklist' }] };
      return origin(request);
    };
    return overrides;
  }

  it('follows relationship paths and applies a mapping file', async () => {
    const overrides = await industryThroughConvertedAccount();
    w.org.grants.Lead_Scoring_Integration.push('Lead.ConvertedAccountId', 'Account.Industry');
    stubMetadataDeploy(w.$$.SANDBOX);
    const result = await MappingDeploy.run(args('--version', '4.1.0', '--mapping', overrides, '--json'));
    expect(result.fields.find((f) => f.input === 'industry')).toMatchObject({ field: 'ConvertedAccount.Industry', fieldType: 'picklist', ok: true });
  });

  it('reports a failed metadata deploy and records it', async () => {
    stubMetadataDeploy(w.$$.SANDBOX, { success: false, failures: [{ fullName: 'Scoring_Field_Mapping.Lead_Scoring_Industry', problem: 'Insufficient access' }] });
    await expect(MappingDeploy.run(args('--version', '4.1.0', '--json'))).rejects.toThrow(/Lead_Scoring_Industry: Insufficient access/);
    expect((await readLedgerLines(w.modelsDir)).pop()).toMatchObject({ action: 'mapping-deploy', result: 'fail' });
  });

  describe("the integration user's field access (FieldPermissions of Lead_Scoring_Integration)", () => {
    it('refuses a mapping with fields the permission set cannot read, naming each and what to grant, and records the refusal', async () => {
      w.org.grants.Lead_Scoring_Integration = w.org.grants.Lead_Scoring_Integration.filter((f) => f !== 'Lead.Industry' && f !== 'Lead.LeadSource');
      const fake = stubMetadataDeploy(w.$$.SANDBOX);
      const error = await refusal(MappingDeploy.run(args('--version', '4.1.0', '--json')));
      expect(error.name).toBe('MappingFieldsUnreadableError');
      expect(error.message).toMatch(/^2 field\(s\) cannot be read by the integration user: the permission set Lead_Scoring_Integration/);
      expect(error.message).toContain('industry -> Industry: Lead_Scoring_Integration does not grant read on Lead.Industry');
      expect(error.message).toContain('lead_source -> LeadSource: Lead_Scoring_Integration does not grant read on Lead.LeadSource');
      expect(error.actions?.[0]).toMatch(/^Grant Read on each field in the permission set Lead_Scoring_Integration/);
      expect((error.data as { fields: { input: string; ok: boolean }[] }).fields.map((f) => [f.input, f.ok])).toEqual([
        ['industry', false],
        ['lead_source', false],
      ]);
      expect(fake.deployed).toHaveLength(0);
      expect((await readLedgerLines(w.modelsDir)).filter((e) => e.action === 'mapping-deploy')).toEqual([
        expect.objectContaining({
          version: '4.1.0',
          result: 'fail',
          details: {
            refused: [
              'industry -> Industry: Lead_Scoring_Integration does not grant read on Lead.Industry',
              'lead_source -> LeadSource: Lead_Scoring_Integration does not grant read on Lead.LeadSource',
            ],
          },
        }),
      ]);
      // Humans see the whole mapping with the problem rows.
      expect(w.ux.table.firstCall.args[0].data).toContainEqual({
        input: 'industry', type: 'string', field: 'Industry', 'field type': 'picklist', problem: 'Lead_Scoring_Integration does not grant read on Lead.Industry',
      });
    });

    it('needs read on every hop of a relationship path: the lookup on the lead and the field it reaches', async () => {
      const overrides = await industryThroughConvertedAccount();
      w.org.grants.Lead_Scoring_Integration.push('Account.Industry');
      stubMetadataDeploy(w.$$.SANDBOX);
      const error = await refusal(MappingDeploy.run(args('--version', '4.1.0', '--mapping', overrides, '--json')));
      expect(error.message).toContain('industry -> ConvertedAccount.Industry: Lead_Scoring_Integration does not grant read on Lead.ConvertedAccountId');
      // Account.Industry is granted, so only the lookup is named.
      expect((error.data as { fields: { input: string; problem: string }[] }).fields).toEqual([
        expect.objectContaining({ input: 'industry', problem: 'Lead_Scoring_Integration does not grant read on Lead.ConvertedAccountId' }),
      ]);
    });

    it('needs read on the field a relationship path reaches, on the object it reaches', async () => {
      const overrides = await industryThroughConvertedAccount();
      w.org.grants.Lead_Scoring_Integration.push('Lead.ConvertedAccountId');
      stubMetadataDeploy(w.$$.SANDBOX);
      const error = await refusal(MappingDeploy.run(args('--version', '4.1.0', '--mapping', overrides, '--json')));
      expect((error.data as { fields: { input: string; problem: string }[] }).fields).toEqual([
        expect.objectContaining({ input: 'industry', problem: 'Lead_Scoring_Integration does not grant read on Account.Industry' }),
      ]);
      const grants = decodeURIComponent(w.org.requests.filter((r) => r.url.includes('FieldPermissions')).pop()!.url);
      expect(grants).toContain("SobjectType IN ('Lead', 'Account')");
    });

    it('passes fields field-level security does not apply to (describe: not permissionable) without a grant', async () => {
      w.org.leadFields.find((f) => f.name === 'CreatedDate')!.permissionable = false;
      w.org.grants.Lead_Scoring_Integration = w.org.grants.Lead_Scoring_Integration.filter((f) => f !== 'Lead.CreatedDate');
      stubMetadataDeploy(w.$$.SANDBOX);
      const result = await MappingDeploy.run(args('--version', '4.0.0', '--json'));
      expect(result.fields.find((f) => f.field === 'CreatedDate')).toMatchObject({ ok: true });
    });

    it('asks the permission set named by --permission-set, and deploys once it grants every field', async () => {
      const fake = stubMetadataDeploy(w.$$.SANDBOX);
      const error = await refusal(MappingDeploy.run(args('--version', '4.1.0', '--permission-set', 'Acme_Integration', '--json')));
      expect(error.message).toMatch(/^22 field\(s\) cannot be read by the integration user: the permission set Acme_Integration/);
      expect(fake.deployed).toHaveLength(0);

      w.org.grants.Acme_Integration = [...w.org.grants.Lead_Scoring_Integration];
      const result = await MappingDeploy.run(args('--version', '4.1.0', '--permission-set', 'Acme_Integration', '--json'));
      expect(result.fields.every((f) => f.ok)).toBe(true);
      expect(fake.deployed).toHaveLength(1);
      const grants = decodeURIComponent(w.org.requests.filter((r) => r.url.includes('FieldPermissions')).pop()!.url);
      expect(grants).toContain("Parent.Name = 'Acme_Integration' AND PermissionsRead = true AND SobjectType IN ('Lead')");
    });
  });
});
