import { Messages, SfError } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { describeFailures, rollOutConfig } from '../../../lib/config-rollout.js';
import { readOrgConfig, readOrgMapping, type ModelConfig } from '../../../lib/custom-metadata.js';
import { orgModelFlags, serviceUrlFlag } from '../../../lib/flags.js';
import { appendLedger, loadPackage, readLedger, setAlias, setStatus } from '../../../lib/library.js';
import { mappingSignature } from '../../../lib/mapping-signature.js';
import { identifyOrg, orgLabel, type OrgIdentity } from '../../../lib/org-identity.js';
import { evaluateProductionGate, type ProductionGateDecision } from '../../../lib/production-gate.js';
import { currentActor, resolveModelsDir } from '../../../lib/workspace.js';

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
    version: Flags.string({ char: 'v', summary: messages.getMessage('flags.version.summary') }),
    'service-url': serviceUrlFlag,
    force: Flags.boolean({ summary: messages.getMessage('flags.force.summary'), dependsOn: ['reason'] }),
    reason: Flags.string({ summary: messages.getMessage('flags.reason.summary') }),
    wait: Flags.integer({ summary: messages.getMessage('flags.wait.summary'), default: 10, min: 1 }),
  };

  public async run(): Promise<ModelPromoteResult> {
    const { flags } = await this.parse(ModelPromote);
    const modelsDir = resolveModelsDir(flags['models-dir']);
    const conn = flags['target-org'].getConnection(flags['api-version']);
    const org = await identifyOrg(flags['target-org']);
    const current = await readOrgConfig(conn, flags.name);
    const challenger = current?.challengerVersion;
    if (!current || !challenger) throw messages.createError('error.noChallenger', [orgLabel(org), flags.name]);
    const version = flags.version ?? challenger;
    if (version !== challenger) throw messages.createError('error.notChallenger', [flags.name, version, orgLabel(org), challenger]);

    const pkg = await loadPackage(modelsDir, flags.name, version);
    const signature = mappingSignature(await readOrgMapping(conn, flags.name), pkg.manifest.inputs.map((i) => i.name));
    const gate = evaluateProductionGate({
      isSandbox: org.isSandbox,
      entries: await readLedger(modelsDir),
      model: flags.name,
      version,
      sha256: pkg.manifest.sha256,
      mappingSignature: signature,
      requiredSignoffs: pkg.manifest.gates.signoffs,
    });
    const forced = !gate.passed && Boolean(flags.force);
    const entry = {
      action: 'promote' as const,
      model: flags.name,
      version,
      sha256: pkg.manifest.sha256,
      mappingSignature: signature,
      org,
      role: 'champion',
      actor: currentActor(),
      ...(flags.reason ? { reason: flags.reason } : {}),
    };
    if (!gate.passed && !forced) {
      await appendLedger(modelsDir, { ...entry, result: 'fail', details: { refused: gate.problems } });
      throw new SfError(messages.getMessage('error.productionGate', [flags.name, version, orgLabel(org), gate.problems.map((p) => `- ${p}`).join('\n')]), 'ProductionGateRefused');
    }

    const config: ModelConfig = { ...current, championVersion: version, challengerVersion: null, canaryPercent: 0 };
    const { outcome } = await rollOutConfig(this.spinner, conn, {
      serviceUrl: flags['service-url'],
      config,
      serve: { version, sha256: pkg.manifest.sha256 },
      orgLabel: orgLabel(org),
      waitMinutes: flags.wait,
    });
    const details = { deployId: outcome.id, previousChampion: current.championVersion, ...(forced ? { forcedPast: gate.problems } : {}) };
    if (!outcome.success) {
      await appendLedger(modelsDir, { ...entry, result: 'fail', details: { ...details, failures: outcome.failures } });
      throw new SfError(messages.getMessage('error.deployFailed', [outcome.id, describeFailures(outcome)]), 'MetadataDeployFailed');
    }
    await appendLedger(modelsDir, { ...entry, result: forced ? 'forced' : 'ok', details });
    let registryUpdated = false;
    if (!org.isSandbox) {
      await setStatus(modelsDir, flags.name, version, 'production');
      await setAlias(modelsDir, flags.name, 'champion', version);
      registryUpdated = true;
    }
    this.log(messages.getMessage('info.promoted', [flags.name, version, orgLabel(org), current.championVersion ?? 'none']));
    return { org, model: flags.name, version, previousChampion: current.championVersion, config, deployId: outcome.id, productionGate: gate, forced, registryUpdated };
  }
}
