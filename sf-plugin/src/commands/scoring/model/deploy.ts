import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { ModelDeployFormatter } from '../../../formatters/release.js';
import { orgModelFlags, releaseFlags, versionFlag } from '../../../lib/flags.js';
import type { ModelConfig } from '../../../lib/org/custom-metadata.js';
import type { OrgIdentity } from '../../../lib/org/identity.js';
import { deployVersion } from '../../../lib/release/deploy.js';
import type { ProductionGateDecision } from '../../../lib/release/production-gate.js';
import { releaseOptions } from '../../../lib/release/release.js';
import type { ServiceCheck } from '../../../lib/service/check.js';
import { toSfError } from '../../../lib/errors.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.model.deploy');

export type ModelDeployResult = {
  org: OrgIdentity;
  model: string;
  version: string;
  role: 'champion' | 'challenger';
  sha256: string;
  mappingSignature: string;
  deployId: string;
  config: ModelConfig;
  previous: { champion: string | null; challenger: string | null };
  service: ServiceCheck;
  productionGate: ProductionGateDecision;
  forced: boolean;
};

export default class ModelDeploy extends SfCommand<ModelDeployResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    ...orgModelFlags,
    version: versionFlag,
    role: Flags.option({ summary: messages.getMessage('flags.role.summary'), options: ['champion', 'challenger'] as const, default: 'challenger' })(),
    // No default: without --canary a challenger keeps the org's current canary.
    // eslint-disable-next-line sf-plugin/flag-min-max-default
    canary: Flags.integer({ summary: messages.getMessage('flags.canary.summary'), min: 0, max: 100 }),
    ...releaseFlags,
    force: Flags.boolean({ summary: messages.getMessage('flags.force.summary'), dependsOn: ['reason'] }),
    reason: Flags.string({ summary: messages.getMessage('flags.reason.summary') }),
  };

  /** Refusals in sf's shape (PascalCase ...Error names, "Try this:" actions): lib/errors.ts. */
  protected catch(error: Error): Promise<never> {
    return super.catch(toSfError(error) as Error);
  }

  public async run(): Promise<ModelDeployResult> {
    const { flags } = await this.parse(ModelDeploy);
    const options = await releaseOptions(flags);
    const deployment = await deployVersion(this, {
      ...options,
      model: flags.name,
      version: flags.version,
      role: flags.role,
      canary: flags.canary,
      force: Boolean(flags.force),
    });
    const { org } = options;
    const result: ModelDeployResult = {
      org,
      model: flags.name,
      version: flags.version,
      role: flags.role,
      sha256: deployment.sha256,
      mappingSignature: deployment.mappingSignature,
      deployId: deployment.deployId,
      config: deployment.config,
      previous: { champion: deployment.previous.champion, challenger: deployment.previous.challenger },
      service: deployment.service,
      productionGate: deployment.gate,
      forced: deployment.forced,
    };
    new ModelDeployFormatter(result, deployment.previous.canaryPercent).display(this);
    return result;
  }
}
