/**
 * The serving set: the model versions that answer requests right now, each verified, with
 * its compiled feature pipeline and its sessions loaded in every worker. A set never changes
 * after it is built; reloads build a new one and swap it in whole, and a request keeps the
 * set it started with until it finishes.
 */
import { createHash } from 'node:crypto';
import type { LoadedPackage } from '../../package/loader';
import { compareVersions } from '../../package/registry';
import type { Manifest, Registry, RolloutState, VersionStatus } from '../../manifest/schema';
import type { FeaturePipeline } from '../../features/pipeline';
import type { ModelInfo } from '../../inference/protocol';
import { ModelNotServed } from '../errors';

export type Role = 'champion' | 'challenger' | 'explicit';

export interface ServedVersion {
  name: string;
  version: string;
  /** Worker-pool key: one per artifact. */
  key: string;
  dir: string;
  manifest: Manifest;
  pipeline: FeaturePipeline;
  package: LoadedPackage;
  status: VersionStatus;
  info: ModelInfo;
  loadedAt: string;
}

export interface ServedModel {
  name: string;
  description?: string;
  versions: ReadonlyMap<string, ServedVersion>;
  champion?: ServedVersion;
  challenger?: ServedVersion;
  /** Count models: the registry's rollout of the challenger (canary by the manifest's rollout key, shadow, kill switch). */
  rollout?: RolloutState;
  /** Every input name any served version of this model declares. */
  knownInputs: ReadonlySet<string>;
}

/**
 * The serving set's identity, as every answer's `Serving-Set` header and GET /v1/models carry it:
 * sha256 over the sorted lines `name@version:sha256:signature` (one per served version: the sha256
 * of its model.onnx and its feature signature, so the same model behind another feature pipeline
 * is another set) and `name:champion=version` / `name:challenger=version` (the aliases, because two
 * replicas with the same artifacts but another champion answer the same call differently) and, for a
 * count model with a rollout, `name:rollout=enabled=..,canary=..,shadow=..` (rolloutLine), joined
 * by "\n", hex, first 16 characters. Replicas whose digests are equal answer every call alike.
 */
export function servingSetDigest(
  versions: readonly Pick<ServedVersion, 'name' | 'version' | 'manifest'>[],
  aliases: readonly { name: string; champion?: string; challenger?: string; rollout?: RolloutState }[],
): string {
  const lines = versions.map((v) => `${v.name}@${v.version}:${v.manifest.sha256}:${v.manifest.signature}`);
  for (const a of aliases) {
    if (a.champion) lines.push(`${a.name}:champion=${a.champion}`);
    if (a.challenger) lines.push(`${a.name}:challenger=${a.challenger}`);
    if (a.rollout) lines.push(`${a.name}:rollout=${rolloutLine(a.rollout)}`);
  }
  lines.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, SERVING_SET_DIGEST_LENGTH);
}

/** What of a rollout changes answers: whether the challenger answers, its canary percent, shadow scoring. */
export function rolloutLine(r: RolloutState): string {
  return `enabled=${r.enabled},canary=${r.canary},shadow=${r.shadow}`;
}

/** Hex characters kept of the digest: 64 bits, ample to tell a handful of sets apart. */
export const SERVING_SET_DIGEST_LENGTH = 16;

const byVersionDesc = (a: ServedVersion, b: ServedVersion) => compareVersions(b.version, a.version);

/**
 * Champion: the registry's champion alias when it is served, else the highest production
 * version, else the highest staging one. Never a candidate: importing a version must not make it
 * serve by default (it is scored only when asked for by version). Challenger: the challenger
 * alias when served, else the highest staging version; never the champion itself.
 */
function pickAliases(versions: ServedVersion[], aliases: { champion?: string; challenger?: string }) {
  const sorted = [...versions].sort(byVersionDesc);
  const find = (v?: string) => (v ? sorted.find((s) => s.version === v) : undefined);
  const champion =
    find(aliases.champion) ??
    sorted.find((s) => s.status === 'production') ??
    sorted.find((s) => s.status === 'staging');
  let challenger = find(aliases.challenger) ?? sorted.find((s) => s.status === 'staging');
  if (challenger === champion) challenger = undefined;
  return { champion, challenger };
}

export class ServingSet {
  readonly models: ReadonlyMap<string, ServedModel>;
  /** See servingSetDigest; fixed when the set is built, like everything else in it. */
  readonly digest: string;
  private inflight = 0;
  private readonly drained: (() => void)[] = [];

  constructor(
    versions: ServedVersion[],
    readonly registry: Registry | undefined,
    readonly builtAt = new Date().toISOString(),
  ) {
    const grouped = new Map<string, ServedVersion[]>();
    for (const v of versions) grouped.set(v.name, [...(grouped.get(v.name) ?? []), v]);
    const models = new Map<string, ServedModel>();
    for (const [name, list] of [...grouped].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const entry = registry?.models[name];
      const { champion, challenger } = pickAliases(list, entry?.aliases ?? {});
      models.set(name, {
        name,
        description: entry?.description,
        versions: new Map(list.sort(byVersionDesc).map((v) => [v.version, v])),
        champion,
        challenger,
        rollout: entry?.rollout,
        knownInputs: new Set(list.flatMap((v) => v.manifest.inputs.map((i) => i.name))),
      });
    }
    this.models = models;
    this.digest = servingSetDigest(
      this.versions,
      [...models.values()].map((m) => ({
        name: m.name,
        champion: m.champion?.version,
        challenger: m.challenger?.version,
        rollout: m.rollout,
      })),
    );
  }

  get versions(): ServedVersion[] {
    return [...this.models.values()].flatMap((m) => [...m.versions.values()]);
  }

  get keys(): Set<string> {
    return new Set(this.versions.map((v) => v.key));
  }

  model(name: string): ServedModel {
    const model = this.models.get(name);
    if (!model)
      throw new ModelNotServed(
        `Model ${JSON.stringify(name.slice(0, 100))} is not served. GET /v1/models lists the models.`,
      );
    return model;
  }

  /** A version number or alias -> the served version and the role it plays in this call. */
  resolve(modelName: string, ref: string | undefined): { served: ServedVersion; role: Role } {
    const model = this.model(modelName);
    if (ref === undefined || ref === 'champion') {
      if (!model.champion) throw new ModelNotServed(`Model ${modelName} has no champion version.`);
      return { served: model.champion, role: 'champion' };
    }
    if (ref === 'challenger') {
      if (!model.challenger) throw new ModelNotServed(`Model ${modelName} has no challenger version being served.`);
      return { served: model.challenger, role: 'challenger' };
    }
    const served = model.versions.get(ref);
    if (!served)
      throw new ModelNotServed(
        `Version ${JSON.stringify(ref.slice(0, 50))} of ${modelName} is not served (served: ${[...model.versions.keys()].join(', ')}).`,
      );
    return { served, role: 'explicit' };
  }

  /** Marks a request as running on this set. */
  enter(): void {
    this.inflight++;
  }

  leave(): void {
    this.inflight--;
    if (this.inflight === 0) for (const resolve of this.drained.splice(0)) resolve();
  }

  /** Resolves once no request runs on this set. */
  whenDrained(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }
}
