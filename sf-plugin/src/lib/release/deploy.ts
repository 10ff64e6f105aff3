/**
 * `model deploy`: a version becomes an org's champion or challenger. Checks the package and the
 * org's mapping, works out the org's new config, and releases it.
 */
import { Messages } from '@salesforce/core';
import { loadPackage, readRegistry } from '../library.js';
import { defaultConfig, readOrgConfig, readOrgMapping, type ModelConfig } from '../org/custom-metadata.js';
import { mappingSignature } from '../package/mapping-signature.js';
import { release, type Release, type ReleaseOptions, type ReleaseUx } from './release.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.model.deploy');

export type DeployRequest = ReleaseOptions & { model: string; version: string; role: 'champion' | 'challenger'; canary?: number; force: boolean };

export type Deployment = Release & {
  sha256: string;
  mappingSignature: string;
  config: ModelConfig;
  previous: { champion: string | null; challenger: string | null; canaryPercent: number };
};

/** The org's config with `version` in `role`: a champion leaves the challenger slot (and its canary) if it held it. */
export function configWith(base: ModelConfig, version: string, role: 'champion' | 'challenger', canary?: number): ModelConfig {
  if (role === 'challenger') return { ...base, challengerVersion: version, canaryPercent: canary ?? base.canaryPercent };
  const wasChallenger = base.challengerVersion === version;
  return { ...base, championVersion: version, challengerVersion: wasChallenger ? null : base.challengerVersion, canaryPercent: wasChallenger ? 0 : base.canaryPercent };
}

export async function deployVersion(ux: ReleaseUx, request: DeployRequest): Promise<Deployment> {
  const { modelsDir, conn, org, model, version, role } = request;
  if (request.canary !== undefined && role !== 'challenger') throw messages.createError('error.canaryNeedsChallenger');

  ux.spinner.start(messages.getMessage('spinner.checking', [model, version]));
  const registry = await readRegistry(modelsDir);
  const pkg = await loadPackage(modelsDir, model, version, registry);
  const status = registry.models[model].versions[version].status;
  if (status === 'deprecated' || status === 'archived') throw messages.createError('error.retired', [model, version, status]);
  const current = await readOrgConfig(conn, model);
  const orgMapping = await readOrgMapping(conn, model);
  const inputs = pkg.manifest.inputs.map((i) => i.name);
  const unmapped = inputs.filter((i) => !orgMapping.some((m) => m.input === i));
  if (unmapped.length) throw messages.createError('error.unmapped', [unmapped.join(', '), model, version, model, version, org.username ?? org.id]);
  const signature = mappingSignature(orgMapping, inputs);
  ux.spinner.stop();

  const base = current ?? defaultConfig(model);
  const config = configWith(base, version, role, request.canary);
  const { sha256 } = pkg.manifest;
  const released = await release(ux, {
    ...request,
    action: 'deploy',
    role,
    gated: { manifest: pkg.manifest, mappingSignature: signature, force: request.force, messages },
    config,
    serve: { version, sha256 },
    details: ({ service, outcome }) => ({
      deployId: outcome.id,
      canaryPercent: config.canaryPercent,
      previousChampion: base.championVersion,
      previousChallenger: base.challengerVersion,
      serviceUrl: service.url,
      serviceLoaded: service.loaded,
    }),
  });
  return {
    ...released,
    sha256,
    mappingSignature: signature,
    config,
    previous: { champion: base.championVersion, challenger: base.challengerVersion, canaryPercent: base.canaryPercent },
  };
}
