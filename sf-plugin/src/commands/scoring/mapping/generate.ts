import path from 'node:path';
import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { MappingGenerateFormatter } from '../../../formatters/mapping-generate.js';
import { toSfError } from '../../../lib/errors.js';
import { packageVersionFlags } from '../../../lib/flags.js';
import { generateMapping, type GeneratedField } from '../../../lib/mapping-generate.js';
import { INTEGRATION_PERMISSION_SET } from '../../../lib/org/field-access.js';
import { identifyOrg, type OrgIdentity } from '../../../lib/org/identity.js';
import { resolveModelsDir } from '../../../lib/workspace.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.mapping.generate');

export type MappingGenerateResult = {
  model: string;
  version: string;
  object: string;
  /** What was compared against: the org's describe (--target-org) or the source in --out. */
  compared: 'org' | 'source';
  org: OrgIdentity | null;
  fields: GeneratedField[];
  /** Files written, or that would be written with --dry-run. */
  files: string[];
  /** Object.Field entries given read access in the permission set. */
  grants: string[];
  permissionSet: string;
  /** The --mapping file for `sf scoring mapping deploy`, when inputs name no field in the manifest. */
  mappingFile: string | null;
  dryRun: boolean;
};

export default class MappingGenerate extends SfCommand<MappingGenerateResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    ...packageVersionFlags,
    object: Flags.string({ summary: messages.getMessage('flags.object.summary'), default: 'Lead' }),
    out: Flags.directory({ summary: messages.getMessage('flags.out.summary'), default: 'force-app' }),
    'permission-set': Flags.string({
      summary: messages.getMessage('flags.permission-set.summary'),
      default: INTEGRATION_PERMISSION_SET,
    }),
    'target-org': Flags.optionalOrg({ summary: messages.getMessage('flags.target-org.summary') }),
    'api-version': Flags.orgApiVersion(),
    'dry-run': Flags.boolean({ summary: messages.getMessage('flags.dry-run.summary'), default: false }),
  };

  /** Refusals in sf's shape (PascalCase ...Error names, "Try this:" actions): lib/errors.ts. */
  protected catch(error: Error): Promise<never> {
    return super.catch(toSfError(error) as Error);
  }

  public async run(): Promise<MappingGenerateResult> {
    const { flags } = await this.parse(MappingGenerate);
    const org = flags['target-org'];
    const outDir = path.resolve(flags.out);
    const generation = await generateMapping({
      modelsDir: resolveModelsDir(flags['models-dir']),
      model: flags.name,
      version: flags.version,
      object: flags.object,
      outDir,
      permissionSet: flags['permission-set'],
      conn: org?.getConnection(flags['api-version']),
      dryRun: flags['dry-run'],
    });
    const result: MappingGenerateResult = {
      model: flags.name,
      version: flags.version,
      object: flags.object,
      compared: generation.compared,
      org: org ? await identifyOrg(org) : null,
      fields: generation.fields,
      files: generation.files,
      grants: generation.grants,
      permissionSet: flags['permission-set'],
      mappingFile: generation.mappingFile,
      dryRun: flags['dry-run'],
    };
    new MappingGenerateFormatter(result, process.cwd()).display(this);
    return result;
  }
}
