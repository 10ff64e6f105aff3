import { Messages, SfError } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { mappingRecords } from '../../../lib/custom-metadata.js';
import { checkFields, type FieldCheck } from '../../../lib/field-check.js';
import { orgModelFlags } from '../../../lib/flags.js';
import { appendLedger, compareVersions, loadPackage, readRegistry } from '../../../lib/library.js';
import { inputTypes, mappingFor, readOverrides } from '../../../lib/mapping.js';
import { mappingSignature } from '../../../lib/mapping-signature.js';
import { deployRecords } from '../../../lib/metadata-deploy.js';
import { identifyOrg, orgLabel, type OrgIdentity } from '../../../lib/org-identity.js';
import { currentActor, resolveModelsDir } from '../../../lib/workspace.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.mapping.deploy');

export type MappingDeployResult = {
  org: OrgIdentity;
  model: string;
  versions: string[];
  object: string;
  fields: FieldCheck[];
  /** Mapping signature per version (what org validate and the production gate compare). */
  signatures: Record<string, string>;
  deployId: string;
};

export default class MappingDeploy extends SfCommand<MappingDeployResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    ...orgModelFlags,
    version: Flags.string({ char: 'v', summary: messages.getMessage('flags.version.summary'), required: true, multiple: true }),
    mapping: Flags.file({ summary: messages.getMessage('flags.mapping.summary'), exists: true }),
    object: Flags.string({ summary: messages.getMessage('flags.object.summary'), default: 'Lead' }),
    wait: Flags.integer({ summary: messages.getMessage('flags.wait.summary'), default: 10, min: 1 }),
  };

  public async run(): Promise<MappingDeployResult> {
    const { flags } = await this.parse(MappingDeploy);
    const modelsDir = resolveModelsDir(flags['models-dir']);
    const conn = flags['target-org'].getConnection(flags['api-version']);
    const versions = [...new Set(flags.version)].sort(compareVersions);

    this.spinner.start(`Checking ${flags.object} fields`);
    const registry = await readRegistry(modelsDir);
    const manifests = [];
    for (const v of versions) manifests.push((await loadPackage(modelsDir, flags.name, v, registry)).manifest);
    const mappings = mappingFor(manifests, flags.object, await readOverrides(flags.mapping));
    const org = await identifyOrg(flags['target-org']);
    const fields = await checkFields(conn, flags.object, mappings, inputTypes(manifests));
    this.spinner.stop();

    const bad = fields.filter((f) => !f.ok);
    if (bad.length) {
      this.table({ data: fields.map((f) => ({ input: f.input, type: f.inputType, field: f.field, 'field type': f.fieldType ?? '', problem: f.problem ?? '' })) });
      throw new SfError(
        messages.getMessage('error.fields', [bad.length, orgLabel(org), bad.map((f) => `- ${f.input} -> ${f.field}: ${f.problem}`).join('\n')]),
        'MappingFieldsInvalid',
      ).setData({ fields: bad });
    }

    const signatures = Object.fromEntries(manifests.map((m) => [m.version, mappingSignature(mappings, m.inputs.map((i) => i.name))]));
    this.spinner.start(`Deploying ${mappings.length} Scoring_Field_Mapping records to ${orgLabel(org)}`);
    const outcome = await deployRecords(conn, mappingRecords(flags.name, mappings), (p) => {
      this.spinner.status = `${p.status} ${p.done}/${p.total}`;
    }, { waitMinutes: flags.wait });
    this.spinner.stop(outcome.status);

    for (const m of manifests) {
      await appendLedger(modelsDir, {
        action: 'mapping-deploy',
        model: flags.name,
        version: m.version,
        sha256: m.sha256,
        mappingSignature: signatures[m.version],
        org,
        actor: currentActor(),
        result: outcome.success ? 'ok' : 'fail',
        details: { deployId: outcome.id, object: flags.object, fields: mappings.length, ...(outcome.success ? {} : { failures: outcome.failures }) },
      });
    }
    if (!outcome.success) {
      throw new SfError(
        messages.getMessage('error.deployFailed', [outcome.id, outcome.failures.map((f) => `- ${f.component}: ${f.problem}`).join('\n')]),
        'MetadataDeployFailed',
      ).setData({ failures: outcome.failures });
    }
    this.table({ data: fields.map((f) => ({ input: f.input, type: f.inputType, field: f.field, 'field type': f.fieldType ?? '' })) });
    this.log(messages.getMessage('info.deployed', [mappings.length, flags.name, orgLabel(org), outcome.id, Object.values(signatures)[0].slice(0, 12)]));
    return { org, model: flags.name, versions, object: flags.object, fields, signatures, deployId: outcome.id };
  }
}
