import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { ModelPromoteFormatter } from '../../../formatters/release.js';
import { orgModelFlags, releaseFlags } from '../../../lib/flags.js';
import type { ModelConfig } from '../../../lib/org/custom-metadata.js';
import type { OrgIdentity } from '../../../lib/org/identity.js';
import type { ProductionGateDecision } from '../../../lib/release/production-gate.js';
import { releaseOptions } from '../../../lib/release/release.js';
import { promoteChallenger } from '../../../lib/release/promote.js';
import { toSfError } from '../../../lib/errors.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.model.promote');

export type ModelPromoteResult = {
  org: OrgIdentity;
  model: string;
  version: string;
  previousChampion: string | null;
  config: ModelConfig;
  deployId: string;
  productionGate: ProductionGateDecision;
  forced: boolean;
  registryUpdated: boolean;
};

export default class ModelPromote extends SfCommand<ModelPromoteResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    ...orgModelFlags,
    version: Flags.string({ summary: messages.getMessage('flags.version.summary') }),
    ...releaseFlags,
    force: Flags.boolean({ summary: messages.getMessage('flags.force.summary'), dependsOn: ['reason'] }),
    reason: Flags.string({ summary: messages.getMessage('flags.reason.summary') }),
  };

  /** Refusals in sf's shape (PascalCase ...Error names, "Try this:" actions): lib/errors.ts. */
  protected catch(error: Error): Promise<never> {
    return super.catch(toSfError(error) as Error);
  }

  public async run(): Promise<ModelPromoteResult> {
    const { flags } = await this.parse(ModelPromote);
    const options = await releaseOptions(flags);
    const promotion = await promoteChallenger(this, {
      ...options,
      model: flags.name,
      version: flags.version,
      force: Boolean(flags.force),
    });
    const { org } = options;
    const result: ModelPromoteResult = {
      org,
      model: flags.name,
      version: promotion.version,
      previousChampion: promotion.previousChampion,
      config: promotion.config,
      deployId: promotion.deployId,
      productionGate: promotion.gate,
      forced: promotion.forced,
      registryUpdated: promotion.registryUpdated,
    };
    new ModelPromoteFormatter(result).display(this);
    return result;
  }
}
