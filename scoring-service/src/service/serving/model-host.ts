/**
 * Owns the current serving set and changes it safely: reload (admin route, SIGHUP), load one
 * version, retire one version. Every change builds a new set aside, verifies each artifact
 * (sha256, signature, columns) before its sessions are created, then swaps atomically.
 * A version that fails verification is refused with its reason; if it was serving, the
 * previously verified instance keeps serving. Sessions of an old set are released only after
 * the requests running on it have finished.
 */
import { constants } from 'node:fs';
import { access, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { WorkerPool } from '../../inference/pool';
import { PackageError } from '../../package/errors';
import { loadPackageDir, loadServingSet, type LoadedPackage, type RegisteredPackages } from '../../package/loader';
import { applyRollout, readRegistry, setRollout } from '../../package/registry';
import type { RolloutState } from '../../manifest/schema';
import {
  ModelNotServed,
  PackageNotFound,
  PackagePathRefused,
  PackageRefused,
  ReloadRefused,
  RetireRefused,
  RolloutRefused,
} from '../errors';
import type { Logger } from '../http/logger';
import type { PrometheusMetrics } from '../ops/prometheus';
import { ServingSet, type ServedVersion } from './serving-set';

export interface Refusal {
  model: string;
  version: string;
  reason: string;
  /** The previously verified instance of this version keeps serving. */
  keptPrevious: boolean;
}

export interface ChangeReport {
  /** The digest of the set listed in `serving` (servingSetDigest). */
  servingSet: string;
  serving: { model: string; version: string; status: string; sha256: string }[];
  refused: Refusal[];
}

/** A rollout change as the admin route takes it; omitted fields keep their current value. */
export interface RolloutRequest {
  champion?: string;
  /** null: no challenger. */
  challenger?: string | null;
  enabled?: boolean;
  canary?: number;
  shadow?: boolean;
  /** null: forget the previous champion. */
  previousChampion?: string | null;
  changedBy?: string;
}

export interface RolloutReport {
  model: string;
  champion: string;
  challenger: string | null;
  rollout: RolloutState;
  /** The champion manifest's rollout key (the input that keys the canary bucket). */
  rolloutKey: string | null;
  /** Whether the change was written to MODELS_DIR/registry.json (else it lasts until a restart or reload). */
  persisted: { ok: true } | { ok: false; reason: string };
  servingSet: string;
}

export function artifactKey(pkg: Pick<LoadedPackage, 'name' | 'version' | 'manifest'>): string {
  return `${pkg.name}@${pkg.version}:${pkg.manifest.sha256.slice(0, 16)}`;
}

export class ModelHost {
  private set: ServingSet = new ServingSet([], undefined);
  private readonly draining = new Set<ServingSet>();
  private queue: Promise<unknown> = Promise.resolve();
  private notReady = 'models are loading';

  constructor(
    readonly modelsDir: string,
    private readonly pool: WorkerPool,
    private readonly log: Logger,
    private readonly prometheus?: PrometheusMetrics,
  ) {}

  get current(): ServingSet {
    return this.set;
  }

  /** Why the service is not ready, or undefined when it is. */
  get notReadyReason(): string | undefined {
    return this.notReady || undefined;
  }

  /**
   * Holds the current set for one request: what it answers from and the identity its
   * Serving-Set header names. The set stays alive until `release` (idempotent) is called.
   */
  pin(): { set: ServingSet; release(): void } {
    const set = this.set;
    set.enter();
    let released = false;
    return {
      set,
      release: () => {
        if (released) return;
        released = true;
        set.leave();
      },
    };
  }

  /** Runs `work` on the current set; the set stays alive until `work` settles. */
  async withSet<T>(work: (set: ServingSet) => Promise<T>): Promise<T> {
    const set = this.set;
    set.enter();
    try {
      return await work(set);
    } finally {
      set.leave();
    }
  }

  /** Serializes changes: one reload/load/retire at a time. */
  private exclusive<T>(change: () => Promise<T>): Promise<T> {
    const run = this.queue.then(change, change);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Verifies a package and makes sure every worker has a session for it. */
  private async prepare(pkg: LoadedPackage, previous: ServedVersion | undefined): Promise<ServedVersion> {
    const key = artifactKey(pkg);
    const reuse = previous && previous.key === key ? previous : undefined;
    const info =
      reuse?.info ??
      (await this.pool.load({
        key,
        onnxBytes: pkg.onnxBytes,
        background: pkg.background,
        manifest: pkg.manifest,
        explain: { blocks: [...pkg.pipeline.blocks] },
      }));
    return {
      name: pkg.name,
      version: pkg.version,
      key,
      dir: pkg.dir,
      manifest: pkg.manifest,
      pipeline: pkg.pipeline,
      package: pkg,
      status: 'candidate',
      info,
      loadedAt: reuse?.loadedAt ?? new Date().toISOString(),
    };
  }

  /** Swaps in a new set; the old one's sessions that nothing else uses are released once it drains. */
  private swap(next: ServingSet): void {
    const old = this.set;
    this.set = next;
    this.draining.add(old);
    void old.whenDrained().then(async () => {
      this.draining.delete(old);
      const live = new Set<string>(this.set.keys);
      for (const s of this.draining) for (const k of s.keys) live.add(k);
      for (const key of old.keys) {
        if (!live.has(key) && this.pool.isLoaded(key)) {
          await this.pool
            .unload(key)
            .catch((err: Error) => this.log.warn({ key, err: err.message }, 'could not release a session'));
        }
      }
    });
    for (const v of old.versions)
      if (!next.versions.some((n) => n.key === v.key)) this.prometheus?.forget(v.name, v.version);
  }

  private report(refused: Refusal[]): ChangeReport {
    return {
      servingSet: this.set.digest,
      serving: this.set.versions.map((v) => ({
        model: v.name,
        version: v.version,
        status: v.status,
        sha256: v.manifest.sha256,
      })),
      refused,
    };
  }

  /** Rebuilds the serving set from MODELS_DIR/registry.json: every version not archived. */
  reload(): Promise<ChangeReport> {
    return this.exclusive(async () => {
      let loaded: RegisteredPackages;
      try {
        await this.checkModelsDirReadable();
        loaded = await loadServingSet(this.modelsDir, {
          locate: (_name, _version, entry) => this.insideModelsDir(entry.path),
        });
      } catch (err) {
        const reason =
          err instanceof PackageError ? err.message : `cannot read the registry: ${(err as Error).message}`;
        this.log.error({ reason }, 'reload refused: the registry cannot be read; the serving set is unchanged');
        this.prometheus?.reloads.inc({ result: 'refused' });
        if (this.set.versions.length === 0) this.notReady = reason;
        throw new ReloadRefused(`Reload refused, the serving set is unchanged: ${reason}`);
      }
      const old = this.set;
      const next: ServedVersion[] = [];
      const refused: Refusal[] = [];
      const refuse = (name: string, version: string, reason: string) => {
        const previous = old.models.get(name)?.versions.get(version);
        const status = loaded.registry.models[name].versions[version].status;
        refused.push({ model: name, version, reason, keptPrevious: previous !== undefined });
        if (previous) next.push({ ...previous, status });
        this.log.error({ model: name, version, reason, keptPrevious: previous !== undefined }, 'model version refused');
      };
      for (const { name, version, error } of loaded.errors) refuse(name, version, error.message);
      for (const pkg of loaded.packages) {
        const status = loaded.registry.models[pkg.name].versions[pkg.version].status;
        try {
          next.push({ ...(await this.prepare(pkg, old.models.get(pkg.name)?.versions.get(pkg.version))), status });
        } catch (err) {
          refuse(pkg.name, pkg.version, `could not load: ${(err as Error).message}`);
        }
      }
      this.swap(new ServingSet(next, loaded.registry));
      this.notReady = next.length === 0 ? `no model version could be loaded from ${this.modelsDir}` : '';
      this.prometheus?.reloads.inc({ result: refused.length === 0 ? 'ok' : 'partial' });
      this.log.info(
        { serving: next.map((v) => `${v.name}@${v.version}`), refused: refused.length },
        'serving set loaded',
      );
      return this.report(refused);
    });
  }

  /** Loads (or replaces) one version, from the registry's path, `<model>/<version>`, or a given folder inside MODELS_DIR. */
  loadVersion(model: string, version: string, options: { path?: string; sha256?: string } = {}): Promise<ChangeReport> {
    return this.exclusive(async () => {
      const registry = await readRegistry(this.modelsDir, { allowMissing: true }).catch(() => this.set.registry);
      const entry = registry?.models[model]?.versions[version];
      const dir = await this.insideModelsDir(options.path ?? entry?.path ?? path.join(model, version));
      const pkg = await loadPackageDir(dir, { name: model, version, registryEntry: options.path ? undefined : entry });
      if (options.sha256 && options.sha256 !== pkg.manifest.sha256) {
        throw new PackageRefused(
          `${path.join(dir, 'model.onnx')} has sha256 ${pkg.manifest.sha256}, the request expects ${options.sha256}.`,
        );
      }
      const previous = this.set.models.get(model)?.versions.get(version);
      const served = {
        ...(await this.prepare(pkg, previous)),
        status: entry?.status ?? previous?.status ?? 'candidate',
      };
      const others = this.set.versions.filter((v) => !(v.name === model && v.version === version));
      this.swap(new ServingSet([...others, served], registry ?? this.set.registry));
      this.notReady = '';
      this.log.info({ model, version, sha256: pkg.manifest.sha256 }, 'model version loaded');
      return this.report([]);
    });
  }

  /** Stops serving one version (requests already running on it finish). */
  retireVersion(model: string, version: string): Promise<ChangeReport> {
    return this.exclusive(async () => {
      const served = this.set.model(model);
      if (!served.versions.has(version)) throw new ModelNotServed(`Version ${version} of ${model} is not served.`);
      if (served.champion?.version === version && served.versions.size > 1) {
        throw new RetireRefused(
          `${model} ${version} is the champion; make another version champion before retiring it.`,
        );
      }
      this.swap(
        new ServingSet(
          this.set.versions.filter((v) => !(v.name === model && v.version === version)),
          this.set.registry,
        ),
      );
      this.log.info({ model, version }, 'model version retired');
      return this.report([]);
    });
  }

  /**
   * Changes a count model's rollout (champion, challenger, kill switch, canary, shadow): a new set
   * with the change is swapped in, so the next request answers by it, no restart or reload. Then
   * the change is written to MODELS_DIR/registry.json (setRollout) so a restart keeps it; when that
   * write fails (a read-only MODELS_DIR) the change still applies, and the report says so.
   */
  changeRollout(model: string, change: RolloutRequest): Promise<RolloutReport> {
    return this.exclusive(async () => {
      const served = this.set.model(model);
      const registry = this.set.registry;
      if (!registry?.models[model])
        throw new RolloutRefused(
          `${model} is served without a registry.json entry; a rollout is kept in registry.json next to the aliases. Serve it from a MODELS_DIR with a registry.`,
        );
      const championVersion = change.champion ?? served.champion?.version;
      const champion = championVersion === undefined ? undefined : served.versions.get(championVersion);
      if (!champion)
        throw new ModelNotServed(
          `Version ${championVersion ?? '(none)'} of ${model} is not served (served: ${[...served.versions.keys()].join(', ')}); load it first.`,
        );
      if (champion.manifest.task === 'binary-classification')
        throw new RolloutRefused(
          `${model} is a binary-classification model: its canary and challenger are set in the org's config (sf scoring model deploy --canary). This route rolls out count models served by POST /predict.`,
        );
      const challengerVersion =
        change.challenger === null ? undefined : (change.challenger ?? served.challenger?.version);
      const challenger = challengerVersion === undefined ? undefined : served.versions.get(challengerVersion);
      if (challengerVersion !== undefined && !challenger)
        throw new ModelNotServed(
          `Version ${challengerVersion} of ${model} is not served (served: ${[...served.versions.keys()].join(', ')}); load it first (POST /v1/admin/models/${model}/versions/${challengerVersion}/load).`,
        );
      if (challenger === champion)
        throw new RolloutRefused(`${model} ${champion.version} cannot be both champion and challenger.`);
      const before = served.rollout;
      const state: RolloutState = {
        enabled: change.enabled ?? before?.enabled ?? false,
        canary: change.canary ?? before?.canary ?? 0,
        shadow: change.shadow ?? before?.shadow ?? false,
        ...(change.previousChampion !== undefined
          ? change.previousChampion === null
            ? {}
            : { previousChampion: change.previousChampion }
          : before?.previousChampion
            ? { previousChampion: before.previousChampion }
            : {}),
        changedAt: new Date().toISOString(),
        ...(change.changedBy ? { changedBy: change.changedBy } : {}),
      };
      if (state.enabled && !challenger)
        throw new RolloutRefused(
          `${model} has no challenger to switch on; name one ("challenger": "<version>") or send "enabled": false.`,
        );
      const key = champion.manifest.rollout?.key;
      if (state.enabled && state.canary > 0 && !key)
        throw new RolloutRefused(
          `${model} ${champion.version}'s manifest names no rollout key (manifest.json "rollout": {"key": "<input>"}), so rows cannot be split by a stable id; use canary 0 (shadow only) or ship a manifest that names one.`,
        );
      const aliases = { champion: champion.version, challenger: challenger ? challenger.version : null };
      const next = structuredClone(registry);
      try {
        applyRollout(next, model, { ...aliases, state });
      } catch (err) {
        if (err instanceof PackageError) throw new RolloutRefused(err.message);
        throw err;
      }
      this.swap(new ServingSet(this.set.versions, next));
      let persisted: RolloutReport['persisted'] = { ok: true };
      try {
        await setRollout(this.modelsDir, model, { ...aliases, state });
      } catch (err) {
        persisted = { ok: false, reason: (err as Error).message };
        this.log.warn(
          { model, reason: persisted.reason },
          'rollout applied but not written to registry.json; a restart returns to the registry',
        );
      }
      this.log.info(
        { model, champion: champion.version, challenger: challenger?.version ?? null, ...state },
        'rollout changed',
      );
      return {
        model,
        champion: champion.version,
        challenger: challenger?.version ?? null,
        rollout: state,
        rolloutKey: key ?? null,
        persisted,
        servingSet: this.set.digest,
      };
    });
  }

  /** Says "cannot be read" (not "missing") when the folder exists but this process may not read it. */
  private async checkModelsDirReadable(): Promise<void> {
    try {
      await access(this.modelsDir, constants.R_OK | constants.X_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new PackageRefused(`MODELS_DIR ${this.modelsDir} does not exist`);
      throw new PackageRefused(
        `MODELS_DIR ${this.modelsDir} cannot be read by this process (${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code})`,
      );
    }
  }

  /** A folder given relative to MODELS_DIR, refused when it (or a symlink in it) leads outside. */
  private async insideModelsDir(relative: string): Promise<string> {
    if (path.isAbsolute(relative) || relative.split(/[\\/]/).includes('..')) {
      throw new PackagePathRefused('The package path must be relative to MODELS_DIR and may not contain "..".');
    }
    const root = await realpath(this.modelsDir);
    const target = path.resolve(root, relative);
    let real: string;
    try {
      real = await realpath(target);
    } catch {
      throw new PackageNotFound(`No package folder ${relative} in MODELS_DIR.`);
    }
    if (real !== root && !real.startsWith(root + path.sep))
      throw new PackagePathRefused('The package path leads outside MODELS_DIR.');
    return real;
  }

  /** Waits for running requests and releases every session. */
  async close(): Promise<void> {
    await this.set.whenDrained();
  }
}
