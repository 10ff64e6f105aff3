/**
 * `model promote`: the org's challenger becomes its champion (challenger slot emptied, canary 0).
 * In production the registry follows: the version is marked production and the champion alias moves.
 */
import { Messages } from '@salesforce/core';
import { loadPackage, setAlias, setStatus } from '../library.js';
import { readOrgConfig, readOrgMapping, type ModelConfig } from '../org/custom-metadata.js';
import { orgLabel } from '../org/identity.js';
import { mappingSignature } from '../package/mapping-signature.js';
import { release, type Release, type ReleaseOptions, type ReleaseUx } from './release.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.model.promote');

export type PromoteRequest = ReleaseOptions & { model: string; version?: string; force: boolean };

export type Promotion = Release & { version: string; previousChampion: string | null; config: ModelConfig; registryUpdated: boolean };

export async function promoteChallenger(ux: ReleaseUx, request: PromoteRequest): Promise<Promotion> {
  const { modelsDir, conn, org, model } = request;
  const current = await readOrgConfig(conn, model);
  const challenger = current?.challengerVersion;
  if (!current || !challenger) throw messages.createError('error.noChallenger', [orgLabel(org), model]);
  const version = request.version ?? challenger;
  if (version !== challenger) throw messages.createError('error.notChallenger', [model, version, orgLabel(org), challenger]);

  const pkg = await loadPackage(modelsDir, model, version);
  const { sha256 } = pkg.manifest;
  const signature = mappingSignature(await readOrgMapping(conn, model), pkg.manifest.inputs.map((i) => i.name));
  const config: ModelConfig = { ...current, championVersion: version, challengerVersion: null, canaryPercent: 0 };
  const released = await release(ux, {
    ...request,
    action: 'promote',
    version,
    role: 'champion',
    gated: { manifest: pkg.manifest, mappingSignature: signature, force: request.force, messages },
    config,
    serve: { version, sha256 },
    details: ({ outcome }) => ({ deployId: outcome.id, previousChampion: current.championVersion }),
  });

  let registryUpdated = false;
  if (!org.isSandbox) {
    await setStatus(modelsDir, model, version, 'production');
    await setAlias(modelsDir, model, 'champion', version);
    registryUpdated = true;
  }
  return { ...released, version, previousChampion: current.championVersion, config, registryUpdated };
}
