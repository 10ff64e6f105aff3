/**
 * The one release sequence deploy, promote and rollback share, so their audit trail cannot drift:
 * production gate -> ledger entry on refusal -> service check and config deploy -> ledger entry.
 * Every entry of one release carries the same identity (model, version, artifact, mapping, org,
 * role, actor, reason); only the details differ by action.
 */
import { SfError, type Connection } from '@salesforce/core';
import type { Spinner } from '@salesforce/sf-plugins-core';
import { appendLedger, readLedger, type LedgerEntry } from '../library.js';
import type { ModelConfig } from '../org/custom-metadata.js';
import { orgLabel, type OrgIdentity } from '../org/identity.js';
import type { ServiceCheck } from '../service/check.js';
import { currentActor } from '../workspace.js';
import { releaseMessages as messages } from './messages.js';
import { evaluateProductionGate, type ProductionGateDecision } from './production-gate.js';
import { describeFailures, rollOutConfig, type Rollout } from './rollout.js';

/** What a release needs from the command running it: its spinner, and a place for warnings. */
export type ReleaseUx = { spinner: Spinner; warn(message: string): void };

/** The flags every release takes. */
export type ReleaseOptions = { modelsDir: string; conn: Connection; org: OrgIdentity; serviceUrl?: URL; wait: number; reason?: string };

export type ReleaseRequest = ReleaseOptions & {
  action: 'deploy' | 'promote' | 'rollback';
  model: string;
  /** The version the ledger entry is about (for a rollback, the version rolled back). */
  version: string;
  sha256?: string;
  mappingSignature?: string;
  role?: 'champion' | 'challenger';
  /**
   * Deploy and promote pass the production gate first (the artifact and mapping this org will
   * use, proven in a sandbox); a rollback restores a version the org already ran.
   */
  gate?: { sha256: string; mappingSignature: string; requiredSignoffs: readonly string[]; force: boolean; refusal: (problems: string) => string };
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
    ...(request.sha256 ? { sha256: request.sha256 } : {}),
    ...(request.mappingSignature ? { mappingSignature: request.mappingSignature } : {}),
    org,
    ...(request.role ? { role: request.role } : {}),
    actor: currentActor(),
    ...(request.reason ? { reason: request.reason } : {}),
  };

  let gate = NO_GATE;
  if (request.gate) {
    gate = evaluateProductionGate({
      isSandbox: org.isSandbox,
      entries: await readLedger(modelsDir),
      model: request.model,
      version: request.version,
      sha256: request.gate.sha256,
      mappingSignature: request.gate.mappingSignature,
      requiredSignoffs: request.gate.requiredSignoffs,
    });
  }
  const forced = !gate.passed && Boolean(request.gate?.force);
  if (!gate.passed && !forced) {
    // A refused production release is part of the audit trail too.
    await appendLedger(modelsDir, { ...entry, result: 'fail', details: { refused: gate.problems } });
    throw productionGateRefused(request, gate);
  }
  if (forced) ux.warn(messages.getMessage('info.forced', [request.reason ?? '']));

  const rollout = await rollOutConfig(ux.spinner, request.conn, {
    serviceUrl: request.serviceUrl,
    config: request.config,
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
    throw metadataDeployFailed(outcome.id, outcome.failures, describeFailures(outcome));
  }
  await appendLedger(modelsDir, { ...entry, result: forced ? 'forced' : 'ok', details });
  return { gate, forced, service: rollout.service, deployId: outcome.id };
}

function productionGateRefused(request: ReleaseRequest, gate: ProductionGateDecision): SfError {
  const { model, version } = request;
  return new SfError(
    request.gate!.refusal(gate.problems.map((p) => `- ${p}`).join('\n')),
    'ProductionGateRefused',
    messages.getMessages('error.productionGate.actions', [model, version, model, version]),
  ).setData({ productionGate: gate });
}

/** A failed Metadata API deploy, the same error in every command that deploys records. */
export function metadataDeployFailed(id: string, failures: { component: string; problem: string }[], described: string): SfError {
  return new SfError(messages.getMessage('error.deployFailed', [id, described]), 'MetadataDeployFailed').setData({ failures });
}
