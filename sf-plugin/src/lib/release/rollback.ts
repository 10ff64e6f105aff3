/**
 * `model rollback`: the org's previous champion (from the ledger, or the one named) comes back,
 * the challenger slot empties, and the registry deprecates the rolled-back version with the reason.
 */
import { Messages } from '@salesforce/core';
import { loadPackage, readLedger, readRegistry, setAlias, setStatus } from '../library.js';
import { readOrgConfig, type ModelConfig } from '../org/custom-metadata.js';
import { orgLabel } from '../org/identity.js';
import { replayOrgStates } from './org-state.js';
import { release, type Release, type ReleaseOptions, type ReleaseUx } from './release.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.model.rollback');

export type RollbackRequest = ReleaseOptions & { model: string; reason: string; to?: string };

export type Rollback = Release & { rolledBack: string; restored: string; config: ModelConfig };

export async function rollBack(ux: ReleaseUx, request: RollbackRequest): Promise<Rollback> {
  const { modelsDir, conn, org, model, reason } = request;
  const current = await readOrgConfig(conn, model);
  const champion = current?.championVersion;
  if (!current || !champion) throw messages.createError('error.noChampion', [orgLabel(org), model]);

  const state = replayOrgStates(await readLedger(modelsDir)).find((s) => s.orgId === org.id && s.model === model);
  const restored = request.to ?? [...(state?.previousChampions ?? [])].reverse().find((v) => v !== champion);
  if (!restored) throw messages.createError('error.noPrevious', [model, orgLabel(org)]);
  if (restored === champion) throw messages.createError('error.sameVersion', [restored, orgLabel(org)]);
  const pkg = await loadPackage(modelsDir, model, restored);

  const config: ModelConfig = { ...current, championVersion: restored, challengerVersion: null, canaryPercent: 0 };
  const released = await release(ux, {
    ...request,
    action: 'rollback',
    version: champion,
    config,
    serve: { version: restored, sha256: pkg.manifest.sha256 },
    details: ({ outcome }) => ({ restored, restoredSha256: pkg.manifest.sha256, deployId: outcome.id, previousChallenger: current.challengerVersion }),
  });

  // The registry follows: aliases off the rolled-back version, then it is deprecated with the reason.
  const registry = await readRegistry(modelsDir);
  const aliases = registry.models[model]?.aliases ?? {};
  if (aliases.champion === champion) await setAlias(modelsDir, model, 'champion', restored);
  if (aliases.challenger === champion) await setAlias(modelsDir, model, 'challenger', undefined);
  if (registry.models[model]?.versions[champion]) await setStatus(modelsDir, model, champion, 'deprecated', reason);
  return { ...released, rolledBack: champion, restored, config };
}
