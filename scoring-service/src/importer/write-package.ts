/**
 * Writes an imported model into a models directory as a package:
 * DIR/<name>/<version>/{model.onnx, manifest.json, background.json?, snapshots/*.json},
 * registers it in DIR/registry.json (status candidate) and appends an `import` entry to
 * DIR/ledger.jsonl. All checks run before anything is written; the package folder appears
 * in one rename, so a failed import leaves nothing half-written.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Manifest } from '../manifest/schema';
import { PackageError } from '../package/errors';
import { sha256Hex } from '../package/files';
import { canonicalJson } from '../manifest/signature';
import { appendLedger, orgsThatReceived, readLedger } from '../package/ledger';
import {
  lookupFeatures,
  MANIFEST_FILE,
  MODEL_FILE,
  parseBackground,
  parseSnapshots,
  snapshotFile,
} from '../package/package-files';
import { readRegistry, upsertVersion } from '../package/registry';
import type { ImportedModel } from './import-xgboost';

export { MANIFEST_FILE, MODEL_FILE };

/** Files that travel with the model, by path relative to the package folder. */
export type PackageFiles = Map<string, Uint8Array>;

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}

function invalidFile(file: string, message: string): never {
  throw new PackageError('package-file-invalid', `${file}: ${message}`);
}

/**
 * Collects background.json and snapshots/*.json from the folder metadata.json was read from.
 * A lookup feature whose table is missing is refused here, not at scoring time.
 */
export async function collectPackageFiles(
  metadataDir: string,
  metadata: Record<string, unknown>,
): Promise<PackageFiles> {
  const files: PackageFiles = new Map();
  const background = (metadata.background as { file?: string } | undefined)?.file ?? 'background.json';
  const backgroundPath = path.join(metadataDir, background);
  if (await exists(backgroundPath)) files.set(background, await fs.readFile(backgroundPath));
  else if (metadata.background) invalidFile(backgroundPath, 'metadata.background names this file, but it is missing');

  const snapshotsDir = path.join(metadataDir, 'snapshots');
  if (await exists(snapshotsDir)) {
    for (const entry of (await fs.readdir(snapshotsDir)).sort()) {
      if (entry.endsWith('.json')) files.set(`snapshots/${entry}`, await fs.readFile(path.join(snapshotsDir, entry)));
    }
  }
  const features = Array.isArray(metadata.features) ? (metadata.features as { kind?: string; table?: string }[]) : [];
  for (const f of features) {
    if (f.kind === 'lookup' && f.table && !files.has(snapshotFile(f.table))) {
      invalidFile(
        path.join(metadataDir, snapshotFile(f.table)),
        `the lookup feature on table "${f.table}" needs this snapshot, but it is missing`,
      );
    }
  }
  return files;
}

export function fileHashes(files: PackageFiles): Record<string, string> {
  return Object.fromEntries([...files.entries()].map(([name, bytes]) => [name, sha256Hex(bytes)]));
}

/**
 * Checks the extra files against the manifest with the loader's rules (package/package-files.ts):
 * background rows as wide as the model, snapshots matching their lookups. `sourceDir` (where the
 * files were read from) makes messages name real paths. Every problem is reported as
 * package-file-invalid, the code the import has always given for the files handed to it.
 */
export function checkPackageFiles(manifest: Manifest, files: PackageFiles, sourceDir?: string): void {
  const pathOf = (name: string) => (sourceDir ? path.join(sourceDir, name) : name);
  const present = (name: string, why: string): Uint8Array => files.get(name) ?? invalidFile(pathOf(name), why);
  try {
    if (manifest.background) {
      const name = manifest.background.file;
      parseBackground(
        present(name, 'manifest.background names this file, but it is not in the package'),
        manifest,
        pathOf(name),
      );
    }
    for (const { feature, relative } of lookupFeatures(manifest))
      present(relative, `the lookup feature on table "${feature.table}" needs this snapshot`);
    parseSnapshots(manifest, (name) => files.get(name)!, pathOf);
  } catch (err) {
    if (err instanceof PackageError && err.code !== 'package-file-invalid')
      throw new PackageError('package-file-invalid', err.message, err);
    throw err;
  }
}

export interface WritePackageOptions {
  /** Who imported (ledger `actor`). */
  actor: string;
  /** Where the model came from, recorded in the ledger entry. */
  source?: string;
  /** Folder the extra files were read from, for messages. */
  sourceDir?: string;
  /**
   * Replace a registered version whose bytes or metadata differ: allowed only for a candidate that no
   * org has ever been sent (the ledger says so); recorded in the ledger as an import with `replaced`.
   */
  replace?: boolean;
  /** Check everything and say what would be written, writing nothing. */
  dryRun?: boolean;
}

/** One file the import writes (or would write, on a dry run). */
export interface PlannedFile {
  path: string;
  bytes: number;
  sha256: string;
}

export interface WrittenPackage {
  dir: string;
  /**
   * "created"; "unchanged" when the same model, files and metadata were already imported under this
   * version; "replaced" when --replace rewrote a never-deployed candidate.
   */
  outcome: 'created' | 'unchanged' | 'replaced';
  manifest: Manifest;
  /** The version's registry status (candidate when new; kept as it was when unchanged). */
  status: string;
  /** True when nothing was written (--dry-run): `outcome` and `files` say what would have been. */
  dryRun: boolean;
  /** The package's files as written (or to be written); empty when unchanged. */
  files: PlannedFile[];
  /** The previous model sha256 and signature, when the version was replaced. */
  replaced?: { sha256: string; signature: string };
}

/** The version after this one, for "import it as a new version" advice. */
export function nextPatchVersion(version: string): string {
  const [core] = version.split('-', 1);
  const [major, minor, patch] = core.split('.').map(Number);
  return `${major}.${minor}.${patch + 1}`;
}

/** The manifest without what changes on every import (the time), to tell "same metadata" from "changed". */
function comparable(manifest: Manifest): string {
  const { created: _created, ...rest } = manifest;
  return canonicalJson(rest);
}

/** What differs between the package on disk and the one being imported, in words; empty when nothing does. */
async function differences(dir: string, imported: ImportedModel, files: PackageFiles): Promise<string[]> {
  const out: string[] = [];
  const existingModel = await fs.readFile(path.join(dir, MODEL_FILE)).catch(() => undefined);
  const existingSha = existingModel ? sha256Hex(existingModel) : 'none (model.onnx is missing)';
  if (existingSha !== imported.manifest.sha256)
    out.push(`its model.onnx sha256 is ${existingSha}, the new one ${imported.manifest.sha256}`);
  for (const [rel, bytes] of files) {
    const old = await fs.readFile(path.join(dir, rel)).catch(() => undefined);
    if (old === undefined || sha256Hex(old) !== sha256Hex(bytes)) out.push(`${rel} differs`);
  }
  const oldManifest = await fs
    .readFile(path.join(dir, MANIFEST_FILE), 'utf8')
    .then((text) => JSON.parse(text) as Manifest)
    .catch(() => undefined);
  if (!oldManifest || comparable(oldManifest) !== comparable(imported.manifest)) out.push('the metadata differs');
  return out;
}

/**
 * Why this version may not be replaced, or undefined when it may: it must be a candidate (or not
 * registered) and no org may ever have been sent it.
 */
async function replaceRefusal(
  modelsDir: string,
  name: string,
  version: string,
  status: string | undefined,
): Promise<PackageError | undefined> {
  const next = nextPatchVersion(version);
  const actions = [`import the fix as a new version: --version ${next}`];
  const orgs = orgsThatReceived(await readLedger(modelsDir), name, version);
  if (orgs.length > 0) {
    const where = orgs.map((o) => `${o.username ?? o.orgId} (${o.action} ${o.ts})`).join(', ');
    return new PackageError(
      'version-deployed',
      `${name} ${version} has been sent to ${orgs.length === 1 ? 'an org' : `${orgs.length} orgs`}: ${where}; a version any org has received is immutable, so import the fix as a new version (${next})`,
      { actions },
    );
  }
  if (status !== undefined && status !== 'candidate') {
    return new PackageError(
      'version-deployed',
      `${name} ${version} is ${status} in registry.json, not a candidate; only a never-deployed candidate can be replaced, so import the fix as a new version (${next})`,
      { actions },
    );
  }
  return undefined;
}

function plannedFiles(imported: ImportedModel, files: PackageFiles, manifestText: string): PlannedFile[] {
  const all: [string, Uint8Array][] = [
    [MODEL_FILE, imported.onnx],
    ...files,
    [MANIFEST_FILE, Buffer.from(manifestText)],
  ];
  return all.map(([rel, bytes]) => ({ path: rel, bytes: bytes.byteLength, sha256: sha256Hex(bytes) }));
}

/** Writes the package folder through a temp folder and one rename; an existing folder is swapped out whole. */
async function writePackageDir(
  dir: string,
  imported: ImportedModel,
  files: PackageFiles,
  manifestText: string,
): Promise<void> {
  const version = path.basename(dir);
  await fs.mkdir(path.dirname(dir), { recursive: true });
  const tmp = path.join(path.dirname(dir), `.${version}.${process.pid}.importing`);
  const old = path.join(path.dirname(dir), `.${version}.${process.pid}.replaced`);
  await fs.rm(tmp, { recursive: true, force: true });
  try {
    await fs.mkdir(tmp, { recursive: true });
    await fs.writeFile(path.join(tmp, MODEL_FILE), imported.onnx);
    for (const [rel, bytes] of files) {
      await fs.mkdir(path.dirname(path.join(tmp, rel)), { recursive: true });
      await fs.writeFile(path.join(tmp, rel), bytes);
    }
    await fs.writeFile(path.join(tmp, MANIFEST_FILE), manifestText);
    if (await exists(dir)) {
      await fs.rm(old, { recursive: true, force: true });
      await fs.rename(dir, old);
      try {
        await fs.rename(tmp, dir);
      } catch (err) {
        await fs.rename(old, dir); // put the previous package back
        throw err;
      }
      await fs.rm(old, { recursive: true, force: true });
    } else await fs.rename(tmp, dir);
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Writes the package, registers it and records the import. */
export async function writeImportedPackage(
  modelsDir: string,
  imported: ImportedModel,
  files: PackageFiles,
  options: WritePackageOptions,
): Promise<WrittenPackage> {
  const { manifest } = imported;
  const { name, version } = manifest;
  checkPackageFiles(manifest, files, options.sourceDir);
  const dir = path.join(modelsDir, name, version);
  const dryRun = options.dryRun ?? false;
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;

  const registry = await readRegistry(modelsDir, { allowMissing: true });
  const registered = registry.models[name]?.versions[version];
  const changes = (await exists(dir))
    ? await differences(dir, imported, files)
    : registered
      ? [`registry.json records model sha256 ${registered.sha256} but ${dir} is missing`]
      : undefined;
  const sameAsRegistered = !registered || registered.sha256 === manifest.sha256;

  if (changes !== undefined && changes.length === 0 && sameAsRegistered) {
    const written = JSON.parse(await fs.readFile(path.join(dir, MANIFEST_FILE), 'utf8')) as Manifest;
    if (!registered && !dryRun) await register(modelsDir, written, imported, options, undefined);
    return {
      dir,
      outcome: 'unchanged',
      manifest: written,
      status: registered?.status ?? 'candidate',
      dryRun,
      files: [],
    };
  }

  let replaced: WrittenPackage['replaced'];
  if (changes !== undefined || registered) {
    const what = (changes ?? []).join('; ') || `registry.json records model sha256 ${registered?.sha256}`;
    const refusal = await replaceRefusal(modelsDir, name, version, registered?.status);
    if (!options.replace) {
      throw new PackageError(
        'version-exists',
        `${dir} already holds ${name} ${version} and ${what}: ${refusal ? `${refusal.message}` : 'it has never been deployed, so --replace can rewrite it, or import it as a new version'}`,
        {
          actions: refusal
            ? refusal.actions
            : [
                're-run the import with --replace (it is recorded in the ledger)',
                `import it as a new version: --version ${nextPatchVersion(version)}`,
              ],
        },
      );
    }
    if (refusal) throw refusal;
    replaced = registered ? { sha256: registered.sha256, signature: registered.signature } : undefined;
  }

  const outcome: WrittenPackage['outcome'] = changes !== undefined || registered ? 'replaced' : 'created';
  const planned = plannedFiles(imported, files, manifestText);
  if (dryRun)
    return { dir, outcome, manifest, status: 'candidate', dryRun, files: planned, ...(replaced ? { replaced } : {}) };

  await writePackageDir(dir, imported, files, manifestText);
  await register(modelsDir, manifest, imported, options, replaced);
  return { dir, outcome, manifest, status: 'candidate', dryRun, files: planned, ...(replaced ? { replaced } : {}) };
}

/** The registry entry (status candidate) and the ledger's `import` entry, with what was replaced. */
async function register(
  modelsDir: string,
  written: Manifest,
  imported: ImportedModel,
  options: WritePackageOptions,
  replaced: WrittenPackage['replaced'],
): Promise<void> {
  const { name, version } = written;
  await upsertVersion(modelsDir, name, version, {
    status: 'candidate',
    sha256: written.sha256,
    signature: written.signature,
    created: written.created,
    path: `${name}/${version}`,
  });
  await appendLedger(modelsDir, {
    action: 'import',
    model: name,
    version,
    sha256: written.sha256,
    actor: options.actor,
    result: 'ok',
    ...(replaced ? { reason: 'replaced a never-deployed candidate (--replace)' } : {}),
    details: {
      ...(options.source ? { source: options.source } : {}),
      objective: imported.xgboost.objective,
      trees: imported.xgboost.ensemble.trees.length,
      columns: written.model.columns,
      signature: written.signature,
      ...(replaced ? { replaced } : {}),
      ...(imported.warnings.length > 0 ? { warnings: imported.warnings } : {}),
    },
  });
}
