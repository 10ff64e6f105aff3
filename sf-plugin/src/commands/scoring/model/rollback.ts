import { Messages, SfError } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { describeFailures, rollOutConfig } from '../../../lib/config-rollout.js';
import { readOrgConfig, type ModelConfig } from '../../../lib/custom-metadata.js';
import { orgModelFlags, serviceUrlFlag } from '../../../lib/flags.js';
import { appendLedger, loadPackage, readLedger, readRegistry, setAlias, setStatus } from '../../../lib/library.js';
import { identifyOrg, orgLabel, type OrgIdentity } from '../../../lib/org-identity.js';
import { replayOrgStates } from '../../../lib/org-state.js';
import { currentActor, resolveModelsDir } from '../../../lib/workspace.js';

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
    'service-url': serviceUrlFlag,
    wait: Flags.integer({ summary: messages.getMessage('flags.wait.summary'), default: 10, min: 1 }),
  };

  public async run(): Promise<ModelRollbackResult> {
    const { flags } = await this.parse(ModelRollback);
    const modelsDir = resolveModelsDir(flags['models-dir']);
    const conn = flags['target-org'].getConnection(flags['api-version']);
    const org = await identifyOrg(flags['target-org']);
    const current = await readOrgConfig(conn, flags.name);
    const champion = current?.championVersion;
    if (!current || !champion) throw messages.createError('error.noChampion', [orgLabel(org), flags.name]);

    const ledger = await readLedger(modelsDir);
    const state = replayOrgStates(ledger).find((s) => s.orgId === org.id && s.model === flags.name);
    const restored = flags.to ?? [...(state?.previousChampions ?? [])].reverse().find((v) => v !== champion);
    if (!restored) throw messages.createError('error.noPrevious', [flags.name, orgLabel(org)]);
    if (restored === champion) throw messages.createError('error.sameVersion', [restored, orgLabel(org)]);
    const pkg = await loadPackage(modelsDir, flags.name, restored);

    const config: ModelConfig = { ...current, championVersion: restored, challengerVersion: null, canaryPercent: 0 };
    const { outcome } = await rollOutConfig(this.spinner, conn, {
      serviceUrl: flags['service-url'],
      config,
      serve: { version: restored, sha256: pkg.manifest.sha256 },
      orgLabel: orgLabel(org),
      waitMinutes: flags.wait,
    });
    const entry = {
      action: 'rollback' as const,
      model: flags.name,
      version: champion,
      org,
      actor: currentActor(),
      reason: flags.reason,
      details: { restored, restoredSha256: pkg.manifest.sha256, deployId: outcome.id, previousChallenger: current.challengerVersion },
    };
    if (!outcome.success) {
      await appendLedger(modelsDir, { ...entry, result: 'fail', details: { ...entry.details, failures: outcome.failures } });
      throw new SfError(messages.getMessage('error.deployFailed', [outcome.id, describeFailures(outcome)]), 'MetadataDeployFailed');
    }
    await appendLedger(modelsDir, { ...entry, result: 'ok' });

    // The registry follows: aliases off the rolled-back version, then it is deprecated with the reason.
    const registry = await readRegistry(modelsDir);
    const aliases = registry.models[flags.name]?.aliases ?? {};
    if (aliases.champion === champion) await setAlias(modelsDir, flags.name, 'champion', restored);
    if (aliases.challenger === champion) await setAlias(modelsDir, flags.name, 'challenger', undefined);
    if (registry.models[flags.name]?.versions[champion]) await setStatus(modelsDir, flags.name, champion, 'deprecated', flags.reason);

    this.log(messages.getMessage('info.rolledBack', [flags.name, orgLabel(org), champion, restored, flags.name, champion]));
    return { org, model: flags.name, rolledBack: champion, restored, reason: flags.reason, config, deployId: outcome.id };
  }
}
