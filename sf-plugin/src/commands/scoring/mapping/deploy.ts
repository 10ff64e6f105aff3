import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { displayRefusedFields, MappingDeployFormatter } from '../../../formatters/mapping.js';
import { orgModelFlags, waitFlag } from '../../../lib/flags.js';
import { compareVersions } from '../../../lib/library.js';
import { INTEGRATION_PERMISSION_SET } from '../../../lib/org/field-access.js';
import type { FieldCheck } from '../../../lib/org/field-check.js';
import { identifyOrg, type OrgIdentity } from '../../../lib/org/identity.js';
import { deployMapping } from '../../../lib/org/mapping-deploy.js';
import { resolveModelsDir } from '../../../lib/workspace.js';
import { toSfError } from '../../../lib/errors.js';

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
    version: Flags.string({ summary: messages.getMessage('flags.version.summary'), required: true, multiple: true }),
    mapping: Flags.file({ summary: messages.getMessage('flags.mapping.summary'), exists: true }),
    object: Flags.string({ summary: messages.getMessage('flags.object.summary'), default: 'Lead' }),
    'permission-set': Flags.string({ summary: messages.getMessage('flags.permission-set.summary'), default: INTEGRATION_PERMISSION_SET }),
    wait: waitFlag,
  };

  /** Refusals in sf's shape (PascalCase ...Error names, "Try this:" actions): lib/errors.ts. */
  protected catch(error: Error): Promise<never> {
    return super.catch(toSfError(error) as Error);
  }

  public async run(): Promise<MappingDeployResult> {
    const { flags } = await this.parse(MappingDeploy);
    const org = await identifyOrg(flags['target-org']);
    const versions = [...new Set(flags.version)].sort(compareVersions);
    const deployment = await deployMapping(
      { spinner: this.spinner, showFields: (fields) => displayRefusedFields(this, fields) },
      {
        modelsDir: resolveModelsDir(flags['models-dir']),
        conn: flags['target-org'].getConnection(flags['api-version']),
        org,
        model: flags.name,
        versions,
        object: flags.object,
        mappingFile: flags.mapping,
        permissionSet: flags['permission-set'],
        wait: flags.wait.minutes,
      },
    );
    const result: MappingDeployResult = { org, model: flags.name, versions, object: flags.object, fields: deployment.fields, signatures: deployment.signatures, deployId: deployment.deployId };
    new MappingDeployFormatter(result).display(this);
    return result;
  }
}
