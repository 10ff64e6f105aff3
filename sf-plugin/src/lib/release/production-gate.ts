/**
 * The rule that keeps unproven versions out of production orgs: a production deploy needs a
 * passing `org validate` in a sandbox of the same artifact sha256 and mapping signature, and the
 * sign-offs the manifest's gates name, and, when the gates ask for it (require_warehouse_verify), a
 * passing `sf scoring verify` of the same version and sha256. `--force` with a reason overrides, and is recorded.
 */
import type { LedgerEntry } from '../library.js';
import { findEntries, latestPassingSandboxValidation, latestPassingWarehouseVerify, missingSignoffs } from '../library.js';
import { releaseMessages as messages } from './messages.js';

export type ProductionGateInput = {
  isSandbox: boolean;
  entries: LedgerEntry[];
  model: string;
  version: string;
  sha256: string;
  mappingSignature: string;
  requiredSignoffs: readonly string[];
  /** The manifest's gates.require_warehouse_verify. */
  requireWarehouseVerify: boolean;
};

export type ProductionGateDecision = {
  required: boolean;
  passed: boolean;
  /** The sandbox validation that proves this artifact and mapping. */
  evidence?: { ts: string; org: string; actor: string };
  problems: string[];
};

export function evaluateProductionGate(input: ProductionGateInput): ProductionGateDecision {
  if (input.isSandbox) return { required: false, passed: true, problems: [] };
  const problems: string[] = [];
  const evidence = latestPassingSandboxValidation(input.entries, { model: input.model, sha256: input.sha256, mappingSignature: input.mappingSignature });
  if (!evidence) {
    const sameArtifact = findEntries(input.entries, { action: 'org-validate', result: 'pass', sandbox: true, model: input.model, sha256: input.sha256 });
    problems.push(
      sameArtifact.length > 0
        ? messages.getMessage('gate.differentMapping', [input.model, input.version, sameArtifact[sameArtifact.length - 1].mappingSignature ?? 'none', input.mappingSignature])
        : messages.getMessage('gate.noValidation', [input.model, input.version, input.sha256.slice(0, 12)]),
    );
  }
  const missing = missingSignoffs(input.entries, input.model, input.version, input.requiredSignoffs, input.sha256);
  if (missing.length > 0) problems.push(messages.getMessage('gate.missingSignoffs', [missing.join(', ')]));
  if (input.requireWarehouseVerify && !latestPassingWarehouseVerify(input.entries, { model: input.model, version: input.version, sha256: input.sha256 }))
    problems.push(messages.getMessage('gate.noWarehouseVerify', [input.model, input.version, input.sha256.slice(0, 12), input.model, input.version]));
  return {
    required: true,
    passed: problems.length === 0,
    ...(evidence ? { evidence: { ts: evidence.ts, org: evidence.org?.username ?? evidence.org?.id ?? 'unknown', actor: evidence.actor } } : {}),
    problems,
  };
}
