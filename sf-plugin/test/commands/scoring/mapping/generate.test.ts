/**
 * `scoring mapping generate` with an org: what exists is the org's describe, so fields the org
 * lacks are written even when other inputs' fields exist; a field the project has but the org
 * lacks is left for `sf project deploy start`, never overwritten; a mistyped field is reported.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import MappingDeploy from '../../../../src/commands/scoring/mapping/deploy.js';
import MappingGenerate from '../../../../src/commands/scoring/mapping/generate.js';
import { stubMetadataDeploy } from '../../../helpers/fake-deploy.js';
import { LEAD_FIELDS } from '../../../helpers/fake-org.js';
import { REPO_ROOT } from '../../../helpers/models.js';
import { orgCommandWorld } from '../../../helpers/org-command-setup.js';
import { refusal } from '../../../helpers/refusal.js';
import { expectMatchesSchema } from '../../../helpers/schema.js';

const FIELDS = ['main', 'default', 'objects', 'Lead', 'fields'];
const PERMISSION_SET = path.join(
  'main',
  'default',
  'permissionsets',
  'Lead_Scoring_Integration.permissionset-meta.xml',
);

describe('scoring mapping generate', () => {
  const w = orgCommandWorld();
  let outDir: string;
  const args = (...extra: string[]): string[] => [
    '--models-dir',
    w.modelsDir,
    '--name',
    'lead-scoring',
    '--version',
    '4.1.0',
    '--out',
    outDir,
    ...extra,
  ];

  beforeEach(async () => {
    w.org.leadFields = LEAD_FIELDS.map((f) => ({ ...f }));
    // A project with the integration permission set and none of the model's field files.
    outDir = await fs.mkdtemp(path.join(os.tmpdir(), 'scoring-generate-'));
    await fs.mkdir(path.join(outDir, path.dirname(PERMISSION_SET)), { recursive: true });
    await fs.copyFile(path.join(REPO_ROOT, 'force-app', PERMISSION_SET), path.join(outDir, PERMISSION_SET));
  });
  afterEach(() => fs.rm(outDir, { recursive: true, force: true }));

  it('asks the org which fields exist and writes only the missing ones', async () => {
    w.org.leadFields = w.org.leadFields.filter((f) => f.name !== 'Mobility_Score__c' && f.name !== 'Firm_Type__c');
    const result = await MappingGenerate.run(args('--target-org', w.testOrg.username, '--json'));
    expectMatchesSchema('scoring-mapping-generate', result);
    expect(result.compared).toBe('org');
    expect(result.fields.filter((f) => f.status === 'generated').map((f) => [f.field, f.fieldType])).toEqual([
      ['Firm_Type__c', 'Picklist'],
      ['Mobility_Score__c', 'Number'],
    ]);
    expect(result.fields.filter((f) => f.status === 'exists')).toHaveLength(20);
    const picklist = await fs.readFile(path.join(outDir, ...FIELDS, 'Firm_Type__c.field-meta.xml'), 'utf8');
    expect(picklist).toContain('<label>Firm type</label>');
    expect([...picklist.matchAll(/<fullName>([^<]+)<\/fullName>/g)].map((m) => m[1]).slice(1)).toEqual(
      w.manifests['4.1.0'].inputs.find((i) => i.name === 'firm_type')!.allowed,
    );
  });

  it('leaves a field the project has but the org lacks to the deploy, and reports a mistyped one', async () => {
    w.org.leadFields = w.org.leadFields.filter((f) => f.name !== 'Has_Phone__c');
    w.org.leadFields.find((f) => f.name === 'Prior_Firms__c')!.type = 'string';
    await fs.mkdir(path.join(outDir, ...FIELDS), { recursive: true });
    const mine = path.join(outDir, ...FIELDS, 'Has_Phone__c.field-meta.xml');
    await fs.writeFile(mine, "<!-- the admin's own -->");
    const result = await MappingGenerate.run(args('--target-org', w.testOrg.username, '--json'));
    expect(result.fields.find((f) => f.field === 'Has_Phone__c')).toMatchObject({ status: 'in-source' });
    expect(result.fields.find((f) => f.field === 'Prior_Firms__c')).toMatchObject({
      status: 'mistyped',
      note: expect.stringContaining('is string'),
    });
    expect(await fs.readFile(mine, 'utf8')).toBe("<!-- the admin's own -->");
    expect(result.files.filter((f) => f.endsWith('.field-meta.xml'))).toEqual([]);
  });

  it('lists for humans what it would write with --dry-run, and writes nothing', async () => {
    w.org.leadFields = w.org.leadFields.filter((f) => f.name !== 'Mobility_Score__c');
    const before = await fs.readFile(path.join(outDir, PERMISSION_SET), 'utf8');
    await MappingGenerate.run(args('--target-org', w.testOrg.username, '--dry-run'));
    const logged = w.ux.log.args.flat().join('\n');
    // The permission set copied from force-app already grants read on it: one file.
    expect(logged).toMatch(/Would write 1 file\(s\)/);
    expect(logged).toContain('Mobility_Score__c.field-meta.xml');
    expect(logged).toContain('sf scoring mapping deploy --name lead-scoring --version 4.1.0');
    await expect(fs.access(path.join(outDir, ...FIELDS, 'Mobility_Score__c.field-meta.xml'))).rejects.toThrow();
    expect(await fs.readFile(path.join(outDir, PERMISSION_SET), 'utf8')).toBe(before);
  });

  it('is, with a project deploy, all mapping deploy needs for a model whose inputs name no field (gift-demand 2.1.0)', async () => {
    // The bundled package, registered as in the repository's registry.
    await fs.cp(path.join(REPO_ROOT, 'models', 'gift-demand'), path.join(w.modelsDir, 'gift-demand'), {
      recursive: true,
    });
    const registry = JSON.parse(await fs.readFile(path.join(w.modelsDir, 'registry.json'), 'utf8')) as {
      models: Record<string, unknown>;
    };
    registry.models['gift-demand'] = (
      JSON.parse(await fs.readFile(path.join(REPO_ROOT, 'models', 'registry.json'), 'utf8')) as {
        models: Record<string, unknown>;
      }
    ).models['gift-demand'];
    await fs.writeFile(path.join(w.modelsDir, 'registry.json'), JSON.stringify(registry, null, 2));
    const project = path.join(outDir, 'project');
    await fs.mkdir(path.join(project, 'force-app', path.dirname(PERMISSION_SET)), { recursive: true });
    await fs.copyFile(path.join(outDir, PERMISSION_SET), path.join(project, 'force-app', PERMISSION_SET));
    const gift = [
      '--models-dir',
      w.modelsDir,
      '--name',
      'gift-demand',
      '--version',
      '2.1.0',
      '--target-org',
      w.testOrg.username,
    ];

    const generated = await MappingGenerate.run([...gift, '--out', path.join(project, 'force-app'), '--json']);
    expect(generated.fields.every((f) => f.status === 'generated')).toBe(true);
    expect(generated.mappingFile).toBe(path.join(project, 'scoring-mappings', 'gift-demand-2.1.0.Lead.json'));

    // What sf project deploy start makes of the files: the fields (as describe types them) and the read grants.
    const describeType: Record<string, string> = {
      Number: 'double',
      Text: 'string',
      Picklist: 'picklist',
      Checkbox: 'boolean',
      Date: 'date',
    };
    for (const f of generated.fields) w.org.leadFields.push({ name: f.field, type: describeType[f.fieldType!] });
    w.org.grants.Lead_Scoring_Integration.push(...generated.grants);

    const fake = stubMetadataDeploy(w.$$.SANDBOX);
    const deployed = await MappingDeploy.run([...gift, '--mapping', generated.mappingFile!, '--json']);
    expect(deployed.fields.every((f) => f.ok)).toBe(true);
    expect(
      fake.deployed[0].find((r) => r.fullName === 'Scoring_Field_Mapping.Gift_Demand_Shop_Region')?.values,
    ).toEqual({
      Field_Path__c: 'Shop_Region__c',
      Input_Name__c: 'shop_region',
      Model_Name__c: 'gift-demand',
    });
    expect(fake.deployed[0]).toHaveLength(14);
  });

  it('refuses an unknown version by name, in sf form', async () => {
    const error = await refusal(
      MappingGenerate.run([
        '--models-dir',
        w.modelsDir,
        '--name',
        'lead-scoring',
        '--version',
        '9.9.9',
        '--out',
        outDir,
        '--json',
      ]),
    );
    expect(error.name).toMatch(/^[A-Z][A-Za-z]+Error$/);
    expect(error.message).toContain('9.9.9');
  });
});
