import { Messages, SfError } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { describeFailures, rollOutConfig } from '../../../lib/config-rollout.js';
import { defaultConfig, readOrgConfig, readOrgMapping, type ModelConfig } from '../../../lib/custom-metadata.js';
import { orgModelFlags, serviceUrlFlag, versionFlag } from '../../../lib/flags.js';
import { appendLedger, loadPackage, readLedger, readRegistry } from '../../../lib/library.js';
import { mappingSignature } from '../../../lib/mapping-signature.js';
import { identifyOrg, orgLabel, type OrgIdentity } from '../../../lib/org-identity.js';
import { evaluateProductionGate, type ProductionGateDecision } from '../../../lib/production-gate.js';
import type { ServiceCheck } from '../../../lib/service-check.js';
import { currentActor, resolveModelsDir } from '../../../lib/workspace.js';

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
    canary: Flags.integer({ summary: messages.getMessage('flags.canary.summary'), min: 0, max: 100 }),
    'service-url': serviceUrlFlag,
    force: Flags.boolean({ summary: messages.getMessage('flags.force.summary'), dependsOn: ['reason'] }),
    reason: Flags.string({ summary: messages.getMessage('flags.reason.summary') }),
    wait: Flags.integer({ summary: messages.getMessage('flags.wait.summary'), default: 10, min: 1 }),
  };

  public async run(): Promise<ModelDeployResult> {
    const { flags } = await this.parse(ModelDeploy);
    const { name, version, role } = flags;
    if (flags.canary !== undefined && role !== 'challenger') throw messages.createError('error.canaryNeedsChallenger');
    const modelsDir = resolveModelsDir(flags['models-dir']);
    const conn = flags['target-org'].getConnection(flags['api-version']);

    this.spinner.start(`Checking ${name} ${version}`);
    const registry = await readRegistry(modelsDir);
    const pkg = await loadPackage(modelsDir, name, version, registry);
    const status = registry.models[name].versions[version].status;
    if (status === 'deprecated' || status === 'archived') throw messages.createError('error.retired', [name, version, status]);
    const org = await identifyOrg(flags['target-org']);
    const current = await readOrgConfig(conn, name);
    const orgMapping = await readOrgMapping(conn, name);
    const inputs = pkg.manifest.inputs.map((i) => i.name);
    const unmapped = inputs.filter((i) => !orgMapping.some((m) => m.input === i));
    if (unmapped.length) throw messages.createError('error.unmapped', [unmapped.join(', '), name, version, name, version, org.username ?? org.id]);
    const signature = mappingSignature(orgMapping, inputs);
    this.spinner.stop();

    const ledger = await readLedger(modelsDir);
    const gate = evaluateProductionGate({
      isSandbox: org.isSandbox,
      entries: ledger,
      model: name,
      version,
      sha256: pkg.manifest.sha256,
      mappingSignature: signature,
      requiredSignoffs: pkg.manifest.gates.signoffs,
    });
    const forced = !gate.passed && Boolean(flags.force);
    if (!gate.passed && !forced) {
      // A refused production deploy is part of the audit trail too.
      await appendLedger(modelsDir, {
        action: 'deploy',
        model: name,
        version,
        sha256: pkg.manifest.sha256,
        mappingSignature: signature,
        org,
        role,
        actor: currentActor(),
        result: 'fail',
        details: { refused: gate.problems },
      });
      throw new SfError(
        messages.getMessage('error.productionGate', [name, version, orgLabel(org), gate.problems.map((p) => `- ${p}`).join('\n')]),
        'ProductionGateRefused',
        messages.getMessage('error.productionGate.actions', [name, version, name, version]).split('\n').map((l) => l.replace(/^- /, '')),
        1,
      ).setData({ productionGate: gate });
    }
    if (forced) this.warn(messages.getMessage('info.forced', [flags.reason!]));

    const base = current ?? defaultConfig(name);
    const config: ModelConfig =
      role === 'champion'
        ? { ...base, championVersion: version, challengerVersion: base.challengerVersion === version ? null : base.challengerVersion }
        : { ...base, challengerVersion: version, canaryPercent: flags.canary ?? base.canaryPercent };
    if (role === 'champion' && base.challengerVersion === version) config.canaryPercent = 0;

    const { service, outcome } = await rollOutConfig(this.spinner, conn, {
      serviceUrl: flags['service-url'],
      config,
      serve: { version, sha256: pkg.manifest.sha256 },
      orgLabel: orgLabel(org),
      waitMinutes: flags.wait,
    });

    const entry = {
      action: 'deploy' as const,
      model: name,
      version,
      sha256: pkg.manifest.sha256,
      mappingSignature: signature,
      org,
      role,
      actor: currentActor(),
      ...(flags.reason ? { reason: flags.reason } : {}),
      details: {
        deployId: outcome.id,
        canaryPercent: config.canaryPercent,
        previousChampion: base.championVersion,
        previousChallenger: base.challengerVersion,
        serviceUrl: service.url,
        serviceLoaded: service.loaded,
        ...(forced ? { forcedPast: gate.problems } : {}),
        ...(outcome.success ? {} : { failures: outcome.failures }),
      },
    };
    if (!outcome.success) {
      await appendLedger(modelsDir, { ...entry, result: 'fail' });
      throw new SfError(
        messages.getMessage('error.deployFailed', [outcome.id, describeFailures(outcome)]),
        'MetadataDeployFailed',
      ).setData({ failures: outcome.failures });
    }
    await appendLedger(modelsDir, { ...entry, result: forced ? 'forced' : 'ok' });
    this.log(messages.getMessage('info.deployed', [name, version, orgLabel(org), role, outcome.id]));
    this.table({
      data: [
        { setting: 'champion', before: base.championVersion ?? '', after: config.championVersion ?? '' },
        { setting: 'challenger', before: base.challengerVersion ?? '', after: config.challengerVersion ?? '' },
        { setting: 'canary %', before: base.canaryPercent, after: config.canaryPercent },
      ],
    });
    return {
      org,
      model: name,
      version,
      role,
      sha256: pkg.manifest.sha256,
      mappingSignature: signature,
      deployId: outcome.id,
      config,
      previous: { champion: base.championVersion, challenger: base.challengerVersion },
      service,
      productionGate: gate,
      forced,
    };
  }
}
