import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { ModelRollbackFormatter } from '../../../formatters/release.js';
import { orgModelFlags, releaseFlags } from '../../../lib/flags.js';
import type { ModelConfig } from '../../../lib/org/custom-metadata.js';
import type { OrgIdentity } from '../../../lib/org/identity.js';
import { releaseOptions } from '../../../lib/release/release.js';
import { rollBack } from '../../../lib/release/rollback.js';
import { toSfError } from '../../../lib/errors.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.model.rollback');

export type ModelRollbackResult = {
  org: OrgIdentity;
  model: string;
  rolledBack: string;
  restored: string;
  reason: string;
  config: ModelConfig;
  deployId: string;
};

export default class ModelRollback extends SfCommand<ModelRollbackResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    ...orgModelFlags,
    reason: Flags.string({ summary: messages.getMessage('flags.reason.summary'), required: true }),
    to: Flags.string({ summary: messages.getMessage('flags.to.summary') }),
    ...releaseFlags,
  };

  /** Refusals in sf's shape (PascalCase ...Error names, "Try this:" actions): lib/errors.ts. */
  protected catch(error: Error): Promise<never> {
    return super.catch(toSfError(error) as Error);
  }

  public async run(): Promise<ModelRollbackResult> {
    const { flags } = await this.parse(ModelRollback);
    const options = await releaseOptions(flags);
    const rollback = await rollBack(this, {
      ...options,
      reason: flags.reason,
      model: flags.name,
      to: flags.to,
    });
    const { org } = options;
    const result: ModelRollbackResult = {
      org,
      model: flags.name,
      rolledBack: rollback.rolledBack,
      restored: rollback.restored,
      reason: flags.reason,
      config: rollback.config,
      deployId: rollback.deployId,
    };
    new ModelRollbackFormatter(result).display(this);
    return result;
  }
}
