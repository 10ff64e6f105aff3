/**
 * Issue 14, problem 9: an admin with their own model gets the Lead fields and field access its
 * inputs need from `sf scoring mapping generate` (the plugin's compiled bin, as a user runs it),
 * and what it writes passes the same offline checks as the package: the Metadata API schema,
 * permission references, and the integration permission set's read rule.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, copyProject } from './support/apex-checks';
import { metadataSchemaProblems } from './support/metadata-schema';
import { integrationProblems, type PermissionSet } from './support/permission-grants';
import { permissionReferenceProblems, xml } from './support/permission-refs';

jest.setTimeout(120_000);

const run = promisify(execFile);
const BIN = path.join(REPO_ROOT, 'sf-plugin', 'bin', 'run.js');
const MODELS = path.join(REPO_ROOT, 'models');
const FIELDS = ['force-app', 'main', 'default', 'objects', 'Lead', 'fields'];
const PERMISSION_SET = [
  'force-app',
  'main',
  'default',
  'permissionsets',
  'Lead_Scoring_Integration.permissionset-meta.xml',
];

type Field = { input: string; field: string; fieldType: string | null; status: string };
type Generated = { fields: Field[]; files: string[]; grants: string[]; mappingFile: string | null; compared: string };
type SfJson<T> = { status: number; result?: T; name?: string; message?: string; actions?: string[] };
type ManifestInput = { name: string; type: string; label: string; description?: string; allowed?: string[] };

/** Runs `scoring mapping generate` in the project folder and parses its --json output, whatever the exit code. */
async function generate(projectDir: string, ...args: string[]): Promise<SfJson<Generated>> {
  if (!fs.existsSync(path.join(REPO_ROOT, 'sf-plugin', 'lib', 'commands', 'scoring', 'mapping', 'generate.js')))
    throw new Error('sf-plugin/lib is not built: run npm run build (npm test does)');
  let stdout: string;
  try {
    ({ stdout } = await run(
      process.execPath,
      [BIN, 'scoring', 'mapping', 'generate', '--models-dir', MODELS, '--out', 'force-app', '--json', ...args],
      {
        cwd: projectDir,
        env: { ...process.env, SF_DISABLE_TELEMETRY: 'true', SF_AUTOUPDATE_DISABLE: 'true', HOME: projectDir },
      },
    ));
  } catch (err) {
    stdout = (err as { stdout?: string }).stdout ?? '';
  }
  return JSON.parse(stdout) as SfJson<Generated>;
}

const readXml = (file: string): Record<string, unknown> =>
  xml.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
const permissionSetOf = (projectDir: string): PermissionSet =>
  (readXml(path.join(projectDir, ...PERMISSION_SET)) as { PermissionSet?: PermissionSet }).PermissionSet ?? {};
const manifestInputs = (model: string, version: string): ManifestInput[] =>
  (
    JSON.parse(fs.readFileSync(path.join(MODELS, model, version, 'manifest.json'), 'utf8')) as {
      inputs: ManifestInput[];
    }
  ).inputs;

/** The offline checks the package itself passes, on the project copy. */
async function offlineProblems(projectDir: string, mustRead: string[]): Promise<string[]> {
  return [
    ...(await metadataSchemaProblems(projectDir)).map((p) => `${path.relative(projectDir, p.file)}: ${p.message}`),
    ...permissionReferenceProblems(projectDir).map((p) => `${path.relative(projectDir, p.file)}: ${p.message}`),
    ...integrationProblems(permissionSetOf(projectDir), mustRead, []),
  ];
}

describe('sf scoring mapping generate', () => {
  let projectDir: string;
  beforeEach(() => {
    projectDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mapping-generate-'));
    copyProject(projectDir);
  });
  afterEach(() => fs.rmSync(projectDir, { recursive: true, force: true }));

  it('writes a field per input of a mixed-type model (gift-demand 2.1.0) that passes the offline checks', async () => {
    const inputs = manifestInputs('gift-demand', '2.1.0');
    expect(new Set(inputs.map((i) => i.type))).toEqual(new Set(['string', 'number', 'boolean', 'date']));
    const before = new Set(fs.readdirSync(path.join(projectDir, ...FIELDS)));

    const out = await generate(projectDir, '--name', 'gift-demand', '--version', '2.1.0');
    expect(out.status).toBe(0);
    const result = out.result!;
    expect(result.compared).toBe('source');
    expect(result.fields.map((f) => f.status)).toEqual(inputs.map(() => 'generated'));

    const written = fs.readdirSync(path.join(projectDir, ...FIELDS)).filter((f) => !before.has(f));
    expect(written).toHaveLength(inputs.length);
    const fieldOf = (input: string) => result.fields.find((f) => f.input === input)!.field;
    // force-app's naming of the sample model's inputs (email_opens_90d -> Email_Opens_90d__c).
    expect([fieldOf('product_launch_date'), fieldOf('is_new_product')]).toEqual([
      'Product_Launch_Date__c',
      'Is_New_Product__c',
    ]);
    const customField = (input: string) =>
      (
        readXml(path.join(projectDir, ...FIELDS, `${fieldOf(input)}.field-meta.xml`)) as {
          CustomField: Record<string, unknown[]>;
        }
      ).CustomField;
    // Type from the input's type, label from its label, help text from its description.
    const expectedType: Record<string, string> = { number: 'Number', boolean: 'Checkbox', date: 'Date' };
    for (const input of inputs) {
      const field = customField(input.name);
      const type = input.type === 'string' ? (input.allowed ? 'Picklist' : 'Text') : expectedType[input.type];
      expect({ input: input.name, type: field.type, label: field.label }).toEqual({
        input: input.name,
        type: [type],
        label: [input.label],
      });
      if (input.description) expect(field.inlineHelpText).toEqual([input.description]);
    }
    const region = inputs.find((i) => i.name === 'shop_region')!;
    const valueSet = customField('shop_region').valueSet[0] as {
      valueSetDefinition: { value: { fullName: string }[] | { fullName: string } };
    };
    expect([valueSet.valueSetDefinition.value].flat().map((v) => v.fullName)).toEqual(region.allowed);

    // Inputs without a manifest field are mapped to the new fields in the file mapping deploy takes.
    expect(JSON.parse(fs.readFileSync(result.mappingFile!, 'utf8'))).toEqual(
      Object.fromEntries(inputs.map((i) => [i.name, fieldOf(i.name)])),
    );

    const mustRead = inputs.map((i) => `Lead.${fieldOf(i.name)}`).sort();
    expect(result.grants.sort()).toEqual(mustRead);
    expect(await offlineProblems(projectDir, mustRead)).toEqual([]);
  });

  it('writes only what the project lacks, and a second run writes nothing', async () => {
    // The sample model's fields ship in force-app; take two away with their read grants.
    const permissionSetFile = path.join(projectDir, ...PERMISSION_SET);
    let permissionSet = fs.readFileSync(permissionSetFile, 'utf8');
    for (const field of ['Mobility_Score__c', 'Has_Phone__c']) {
      fs.rmSync(path.join(projectDir, ...FIELDS, `${field}.field-meta.xml`));
      const grant = new RegExp(
        `\\s*<fieldPermissions>\\s*<editable>false</editable>\\s*<field>Lead\\.${field}</field>\\s*<readable>true</readable>\\s*</fieldPermissions>`,
      );
      expect(permissionSet).toMatch(grant);
      permissionSet = permissionSet.replace(grant, '');
    }
    fs.writeFileSync(permissionSetFile, permissionSet);
    const mustRead = ['Lead.Has_Phone__c', 'Lead.Mobility_Score__c'];
    expect(integrationProblems(permissionSetOf(projectDir), mustRead, [])).toHaveLength(2);

    const first = (await generate(projectDir, '--name', 'lead-scoring', '--version', '4.1.0')).result!;
    expect(
      first.fields
        .filter((f) => f.status === 'generated')
        .map((f) => f.field)
        .sort(),
    ).toEqual(['Has_Phone__c', 'Mobility_Score__c']);
    expect(first.fields.find((f) => f.field === 'Has_Phone__c')!.fieldType).toBe('Checkbox');
    expect(first.grants.sort()).toEqual(mustRead);
    // Every input names its field in the manifest: no --mapping file is needed.
    expect(first.mappingFile).toBeNull();
    expect(await offlineProblems(projectDir, mustRead)).toEqual([]);

    const snapshot = fs.readFileSync(permissionSetFile, 'utf8');
    const second = (await generate(projectDir, '--name', 'lead-scoring', '--version', '4.1.0')).result!;
    expect(second.files).toEqual([]);
    expect(second.fields.every((f) => f.status === 'exists')).toBe(true);
    expect(fs.readFileSync(permissionSetFile, 'utf8')).toBe(snapshot);
  });

  it('refuses, writing nothing, when the permission set is not in the project, and says how to get it', async () => {
    fs.rmSync(path.join(projectDir, ...PERMISSION_SET));
    const before = fs.readdirSync(path.join(projectDir, ...FIELDS)).length;
    const out = await generate(projectDir, '--name', 'gift-demand', '--version', '2.1.0');
    expect(out.status).toBe(1);
    expect(out.name).toBe('PermissionSetNotInSourceError');
    expect(out.actions?.[0]).toContain('sf project retrieve start --metadata PermissionSet:Lead_Scoring_Integration');
    expect(fs.readdirSync(path.join(projectDir, ...FIELDS))).toHaveLength(before);
    expect(fs.existsSync(path.join(projectDir, 'scoring-mappings'))).toBe(false);
  });
});
