/**
 * models/registry.json: every model and version with its status and the service-wide
 * champion/challenger aliases. Reads are validated; writes are validated and atomic.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { registrySchema, type Registry, type RolloutState, type VersionStatus } from '../manifest/schema';
import { describeIssues } from '../manifest/issues';
import { PackageError } from './errors';
import { parseWithSchema, readJsonFile, writeFileAtomic } from './files';

export type RegistryModel = Registry['models'][string];
export type RegistryVersion = RegistryModel['versions'][string];
export type Alias = 'champion' | 'challenger';

export const REGISTRY_FILE = 'registry.json';

export function registryPath(modelsDir: string): string {
  return path.join(modelsDir, REGISTRY_FILE);
}

export function emptyRegistry(): Registry {
  return { schemaVersion: 1, models: {} };
}

/** Validates parsed registry JSON; errors name the file and every failing field path. */
export function parseRegistry(json: unknown, file = REGISTRY_FILE): Registry {
  const registry = parseWithSchema(registrySchema, json, 'registry-invalid', file);
  for (const [name, model] of Object.entries(registry.models)) {
    for (const alias of ['champion', 'challenger'] as const) {
      const version = model.aliases[alias];
      if (version !== undefined && !(version in model.versions)) {
        const issues = [
          {
            path: `models[${JSON.stringify(name)}].aliases.${alias}`,
            message: `version ${version} is not in versions`,
          },
        ];
        throw new PackageError('registry-invalid', `${file} is invalid: ${describeIssues(issues)}`, { file, issues });
      }
    }
  }
  return registry;
}

/**
 * Reads models/registry.json. A missing file is an error unless `allowMissing`,
 * in which case an empty registry is returned (the importer creates it on first use).
 */
export async function readRegistry(modelsDir: string, options: { allowMissing?: boolean } = {}): Promise<Registry> {
  const file = registryPath(modelsDir);
  try {
    await fs.access(file);
  } catch {
    if (options.allowMissing) return emptyRegistry();
    throw new PackageError('registry-missing', `${file} is missing: import a model first (npm run -s model:import)`, {
      file,
    });
  }
  return parseRegistry(await readJsonFile(file), file);
}

/** Compares semantic versions (pre-release versions sort before their release). */
export function compareVersions(a: string, b: string): number {
  const [coreA, preA] = a.split('-', 2);
  const [coreB, preB] = b.split('-', 2);
  const pa = coreA.split('.').map(Number);
  const pb = coreB.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  if (preA === preB) return 0;
  if (preA === undefined) return 1;
  if (preB === undefined) return -1;
  return preA < preB ? -1 : 1;
}

/** Models sorted by name and versions by semver, so the file diffs cleanly in git. */
function sorted(registry: Registry): Registry {
  const models: Registry['models'] = {};
  for (const name of Object.keys(registry.models).sort()) {
    const model = registry.models[name];
    const versions: RegistryModel['versions'] = {};
    for (const v of Object.keys(model.versions).sort(compareVersions)) versions[v] = model.versions[v];
    models[name] = { ...model, versions };
  }
  return { schemaVersion: 1, models };
}

/** Validates and writes models/registry.json atomically (temp file + rename). */
export async function writeRegistry(modelsDir: string, registry: Registry): Promise<void> {
  const file = registryPath(modelsDir);
  const valid = parseRegistry(registry, file);
  await fs.mkdir(modelsDir, { recursive: true });
  await writeFileAtomic(file, `${JSON.stringify(sorted(valid), null, 2)}\n`);
}

/**
 * The registry entry of a version, or a refusal that lists what exists: the known models when the
 * name is unknown, the model's versions when the version is.
 */
export function requireVersion(
  registry: Registry,
  name: string,
  version: string,
  file = REGISTRY_FILE,
): RegistryVersion {
  const model = requireModel(registry, name, file);
  const entry = model.versions[version];
  if (!entry) {
    const known = Object.keys(model.versions).sort(compareVersions);
    throw new PackageError(
      'unknown-version',
      `${file} has no version ${version} of ${name} (known: ${known.join(', ') || 'none'})`,
      {
        file,
        actions: [`sf scoring model list --name ${name}`, ...(known.length ? [`use one of: ${known.join(', ')}`] : [])],
      },
    );
  }
  return entry;
}

/** The registry entry of a model, or a refusal that lists the models it has. */
export function requireModel(registry: Registry, name: string, file = REGISTRY_FILE): RegistryModel {
  const model = registry.models[name];
  if (!model) {
    const known = Object.keys(registry.models).sort();
    throw new PackageError(
      'unknown-model',
      `${file} has no model named ${JSON.stringify(name)} (known: ${known.join(', ') || 'none'})`,
      {
        file,
        actions: ['sf scoring model list', ...(known.length ? [`use one of: ${known.join(', ')}`] : [])],
      },
    );
  }
  return model;
}

const LOCK_STALE_MS = 30_000;
const LOCK_WAIT_MS = 10_000;

/**
 * Holds registry.json.lock (created exclusively) while `work` runs, so two processes (an
 * import and a CLI deploy, say) cannot both read-modify-write the registry and lose an update.
 * A lock older than 30 s is left over from a crashed process and is taken over.
 */
async function withFileLock<T>(modelsDir: string, work: () => Promise<T>): Promise<T> {
  const lock = `${registryPath(modelsDir)}.lock`;
  await fs.mkdir(modelsDir, { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await fs.open(lock, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const stat = await fs.stat(lock).catch(() => undefined);
      if (stat && Date.now() - stat.mtimeMs > LOCK_STALE_MS) {
        await fs.rm(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new PackageError(
          'registry-conflict',
          `${registryPath(modelsDir)} is being changed by another process (${lock} exists); retry, or delete the lock file if no import or deploy is running`,
          {
            file: lock,
          },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 50));
    }
  }
  try {
    return await work();
  } finally {
    await fs.rm(lock, { force: true });
  }
}

/** Read-modify-write calls run one after another: queued within this process, locked across processes. */
const queues = new Map<string, Promise<unknown>>();

async function update(
  modelsDir: string,
  change: (registry: Registry, file: string) => void,
  allowMissing = false,
): Promise<Registry> {
  const key = path.resolve(modelsDir);
  const run = () =>
    withFileLock(modelsDir, async (): Promise<Registry> => {
      const registry = await readRegistry(modelsDir, { allowMissing });
      change(registry, registryPath(modelsDir));
      await writeRegistry(modelsDir, registry);
      return readRegistry(modelsDir);
    });
  const previous = queues.get(key) ?? Promise.resolve();
  const next = previous.then(run, run);
  queues.set(
    key,
    next.catch(() => undefined),
  );
  return next;
}

/** Adds or replaces one version (creating the registry and the model entry when needed). */
export async function upsertVersion(
  modelsDir: string,
  name: string,
  version: string,
  entry: RegistryVersion,
  options: { description?: string } = {},
): Promise<Registry> {
  return update(
    modelsDir,
    (registry) => {
      const model = (registry.models[name] ??= { aliases: {}, versions: {} });
      if (options.description !== undefined) model.description = options.description;
      model.versions[version] = entry;
    },
    true,
  );
}

/**
 * Sets a version's status (with the reason, e.g. a rollback's). Archiving or deprecating
 * a version that an alias points at is refused: move the alias first.
 */
export async function setStatus(
  modelsDir: string,
  name: string,
  version: string,
  status: VersionStatus,
  reason?: string,
): Promise<Registry> {
  return update(modelsDir, (registry, file) => {
    const entry = requireVersion(registry, name, version, file);
    if (status === 'archived' || status === 'deprecated') {
      const aliases = registry.models[name].aliases;
      for (const alias of ['champion', 'challenger'] as const) {
        if (aliases[alias] === version) {
          throw new PackageError(
            'registry-conflict',
            `${name} ${version} is the ${alias}; point the ${alias} alias elsewhere before marking it ${status}`,
            { file },
          );
        }
      }
    }
    entry.status = status;
    if (reason !== undefined) entry.statusReason = reason;
    else delete entry.statusReason;
  });
}

/**
 * Deletes one version's registry entry (a never-deployed candidate being removed). Refused while an
 * alias points at it; the model entry goes when its last version does.
 */
export async function removeVersion(modelsDir: string, name: string, version: string): Promise<Registry> {
  return update(modelsDir, (registry, file) => {
    requireVersion(registry, name, version, file);
    const model = registry.models[name];
    for (const alias of ['champion', 'challenger'] as const) {
      if (model.aliases[alias] === version)
        throw new PackageError(
          'version-in-use',
          `${name} ${version} is the registry's ${alias}; it cannot be removed`,
          {
            file,
          },
        );
    }
    delete model.versions[version];
    if (Object.keys(model.versions).length === 0) delete registry.models[name];
  });
}

/** Points an alias at a version, or clears it with `undefined`. Archived versions cannot take an alias. */
export async function setAlias(
  modelsDir: string,
  name: string,
  alias: Alias,
  version: string | undefined,
): Promise<Registry> {
  return update(modelsDir, (registry, file) => {
    if (version === undefined) {
      delete requireModel(registry, name, file).aliases[alias];
      return;
    }
    const entry = requireVersion(registry, name, version, file);
    if (entry.status === 'archived') {
      throw new PackageError('registry-conflict', `${name} ${version} is archived and cannot be the ${alias}`, {
        file,
      });
    }
    registry.models[name].aliases[alias] = version;
  });
}

/** A count model's rollout as one change: the aliases it moves (null clears the challenger) and the new state. */
export interface RolloutChange {
  champion?: string;
  challenger?: string | null;
  state: RolloutState;
}

/** Applies a rollout change to a registry in memory (the service's serving set and setRollout share it). */
export function applyRollout(registry: Registry, name: string, change: RolloutChange, file = REGISTRY_FILE): void {
  const model = requireModel(registry, name, file);
  for (const alias of ['champion', 'challenger'] as const) {
    const version = change[alias];
    if (version === null) delete model.aliases[alias];
    else if (version !== undefined) {
      const entry = requireVersion(registry, name, version, file);
      if (entry.status === 'archived')
        throw new PackageError('registry-conflict', `${name} ${version} is archived and cannot be the ${alias}`, {
          file,
        });
      model.aliases[alias] = version;
    }
  }
  model.rollout = change.state;
}

/**
 * Writes a count model's rollout (aliases and state, one atomic update) to registry.json, next
 * to the aliases, so a restart of the service keeps it.
 */
export async function setRollout(modelsDir: string, name: string, change: RolloutChange): Promise<Registry> {
  return update(modelsDir, (registry, file) => applyRollout(registry, name, change, file));
}

/** A version number, "champion" or "challenger" -> the version; undefined when unknown or unset. */
export function resolveVersion(registry: Registry, name: string, versionOrAlias: string): string | undefined {
  const model = registry.models[name];
  if (!model) return undefined;
  if (versionOrAlias === 'champion' || versionOrAlias === 'challenger') return model.aliases[versionOrAlias];
  return versionOrAlias in model.versions ? versionOrAlias : undefined;
}

/** Every version the service should load: all but archived ones, in name then semver order. */
export function servingVersions(registry: Registry): { name: string; version: string; entry: RegistryVersion }[] {
  const out: { name: string; version: string; entry: RegistryVersion }[] = [];
  for (const name of Object.keys(registry.models).sort()) {
    const versions = registry.models[name].versions;
    for (const version of Object.keys(versions).sort(compareVersions)) {
      if (versions[version].status !== 'archived') out.push({ name, version, entry: versions[version] });
    }
  }
  return out;
}
