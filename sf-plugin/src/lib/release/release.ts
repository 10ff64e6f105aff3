/**
 * The one release sequence deploy, promote and rollback share, so their audit trail cannot drift:
 * production gate -> ledger entry on refusal -> service check and config deploy -> ledger entry.
 * Every entry of one release carries the same identity (model, version, artifact, mapping, org,
 * role, actor, reason); only the details differ by action.
 */
import type { Connection, Messages, Org, SfError } from '@salesforce/core';
import { scoringError } from '../errors.js';
import type { Spinner } from '@salesforce/sf-plugins-core';
import { appendLedger, loadPackage, readLedger, type LedgerEntry, type Manifest } from '../library.js';
import { rollbackThresholds, type ModelConfig, type RollbackThresholds } from '../org/custom-metadata.js';
import { identifyOrg, orgLabel, type OrgIdentity } from '../org/identity.js';
import { metadataDeployFailed } from '../org/metadata-deploy.js';
import type { ServiceCheck } from '../service/check.js';
import { currentActor, resolveModelsDir } from '../workspace.js';
import { releaseMessages as messages } from './messages.js';
import { evaluateProductionGate, type ProductionGateDecision } from './production-gate.js';
import { rollOutConfig, type Rollout } from './rollout.js';

/** What a release needs from the command running it: its spinner, and a place for warnings. */
export type ReleaseUx = { spinner: Spinner; warn(message: string): void };

/** The flags every release takes. */
export type ReleaseOptions = { modelsDir: string; conn: Connection; org: OrgIdentity; serviceUrl?: URL; wait: number; reason?: string };

/** The release flags as parsed (orgModelFlags, releaseFlags, --reason) -> the options every release takes. */
export async function releaseOptions(flags: {
  'target-org': Org;
  'api-version'?: string;
  'models-dir'?: string;
  'service-url'?: URL;
  /** Flags.duration's value (a Duration in minutes). */
  wait: { minutes: number };
  reason?: string;
}): Promise<ReleaseOptions> {
  return {
    modelsDir: resolveModelsDir(flags['models-dir']),
    conn: flags['target-org'].getConnection(flags['api-version']),
    org: await identifyOrg(flags['target-org']),
    serviceUrl: flags['service-url'],
    wait: flags.wait.minutes,
    reason: flags.reason,
  };
}

export type ReleaseRequest = ReleaseOptions & {
  action: 'deploy' | 'promote' | 'rollback';
  model: string;
  /** The version the ledger entry is about (for a rollback, the version rolled back). */
  version: string;
  role?: 'champion' | 'challenger';
  /**
   * Deploy and promote pass the production gate first: the artifact and the mapping this org will
   * use must be proven in a sandbox, with the manifest's sign-offs. A rollback restores a version
   * the org already ran, and has no gate.
   */
  gated?: {
    manifest: Pick<Manifest, 'sha256' | 'gates'>;
    mappingSignature: string;
    force: boolean;
    /** The command's messages: its error.productionGate (model, version, org, problems) opens the refusal. */
    messages: Messages<string>;
  };
  config: ModelConfig;
  serve: { version: string; sha256: string };
  /** The action's own ledger details, once the rollout is known. */
  details: (rollout: Rollout) => Record<string, unknown>;
};

export type Release = { gate: ProductionGateDecision; forced: boolean; service: ServiceCheck; deployId: string };

const NO_GATE: ProductionGateDecision = { required: false, passed: true, problems: [] };

export async function release(ux: ReleaseUx, request: ReleaseRequest): Promise<Release> {
  const { modelsDir, org } = request;
  const entry: Omit<LedgerEntry, 'ts' | 'result'> = {
    action: request.action,
    model: request.model,
    version: request.version,
    ...(request.gated ? { sha256: request.gated.manifest.sha256, mappingSignature: request.gated.mappingSignature } : {}),
    org,
    ...(request.role ? { role: request.role } : {}),
    actor: currentActor(),
    ...(request.reason ? { reason: request.reason } : {}),
  };

  let gate = NO_GATE;
  if (request.gated) {
    gate = evaluateProductionGate({
      isSandbox: org.isSandbox,
      entries: await readLedger(modelsDir),
      model: request.model,
      version: request.version,
      sha256: request.gated.manifest.sha256,
      mappingSignature: request.gated.mappingSignature,
      requiredSignoffs: request.gated.manifest.gates.signoffs,
      requireWarehouseVerify: request.gated.manifest.gates.require_warehouse_verify,
    });
  }
  const forced = !gate.passed && Boolean(request.gated?.force);
  if (!gate.passed && !forced) {
    // A refused production release is part of the audit trail too.
    await appendLedger(modelsDir, { ...entry, result: 'fail', details: { refused: gate.problems } });
    throw productionGateRefused(request, gate);
  }
  if (forced) ux.warn(messages.getMessage('info.forced', [request.reason ?? '']));

  const rollout = await rollOutConfig(ux.spinner, request.conn, {
    serviceUrl: request.serviceUrl,
    config: request.config,
    rollback: await championRollback(modelsDir, request.model, request.config.championVersion),
    serve: request.serve,
    orgLabel: orgLabel(org),
    wait: request.wait,
  });
  const { outcome } = rollout;
  const details = {
    ...request.details(rollout),
    ...(forced ? { forcedPast: gate.problems } : {}),
    ...(outcome.success ? {} : { failures: outcome.failures }),
  };
  if (!outcome.success) {
    await appendLedger(modelsDir, { ...entry, result: 'fail', details });
    throw metadataDeployFailed(outcome);
  }
  await appendLedger(modelsDir, { ...entry, result: forced ? 'forced' : 'ok', details });
  return { gate, forced, service: rollout.service, deployId: outcome.id };
}

/**
 * The rollback criteria the org's weekly job alarms on: those of the champion the config names (its
 * manifest's gates.rollback), the checklist's where it sets none or the config names no champion.
 */
async function championRollback(modelsDir: string, model: string, champion: string | null): Promise<RollbackThresholds> {
  if (!champion) return rollbackThresholds(undefined);
  return rollbackThresholds((await loadPackage(modelsDir, model, champion)).manifest.gates.rollback);
}

function productionGateRefused(request: ReleaseRequest, gate: ProductionGateDecision): SfError {
  const { model, version } = request;
  return scoringError(
    'ProductionGateRefusedError',
    request.gated!.messages.getMessage('error.productionGate', [model, version, orgLabel(request.org), gate.problems.map((p) => `- ${p}`).join('\n')]),
    messages.getMessages('error.productionGate.actions', [model, version, model, version]),
  ).setData({ productionGate: gate });
}
