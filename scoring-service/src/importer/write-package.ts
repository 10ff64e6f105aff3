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
import { appendLedger } from '../package/ledger';
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
}

export interface WrittenPackage {
  dir: string;
  /** "created", or "unchanged" when the same bytes were already imported under this version. */
  outcome: 'created' | 'unchanged';
  manifest: Manifest;
  /** The version's registry status (candidate when new; kept as it was when unchanged). */
  status: string;
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

  const registry = await readRegistry(modelsDir, { allowMissing: true });
  const registered = registry.models[name]?.versions[version];
  if (registered && registered.sha256 !== manifest.sha256) {
    throw new PackageError(
      'version-exists',
      `${name} ${version} is already registered with model sha256 ${registered.sha256}, and this model's is ${manifest.sha256}: versions are immutable, import it as a new version`,
    );
  }

  let outcome: WrittenPackage['outcome'] = 'created';
  let written = manifest;
  if (await exists(dir)) {
    const existingModel = await fs.readFile(path.join(dir, MODEL_FILE)).catch(() => undefined);
    const existingSha = existingModel ? sha256Hex(existingModel) : 'none (model.onnx is missing)';
    const sameFiles = await Promise.all(
      [...files.entries()].map(async ([rel, bytes]) => {
        const old = await fs.readFile(path.join(dir, rel)).catch(() => undefined);
        return old !== undefined && sha256Hex(old) === sha256Hex(bytes);
      }),
    );
    if (existingSha !== manifest.sha256 || sameFiles.includes(false)) {
      const what =
        existingSha !== manifest.sha256
          ? `its model.onnx sha256 is ${existingSha}, the new one ${manifest.sha256}`
          : 'its background or snapshot files differ';
      throw new PackageError(
        'version-exists',
        `${dir} already holds ${name} ${version} and ${what}: versions are immutable, import it as a new version`,
      );
    }
    outcome = 'unchanged';
    written = JSON.parse(await fs.readFile(path.join(dir, MANIFEST_FILE), 'utf8')) as Manifest;
  } else {
    await fs.mkdir(path.dirname(dir), { recursive: true });
    const tmp = path.join(path.dirname(dir), `.${version}.${process.pid}.importing`);
    await fs.rm(tmp, { recursive: true, force: true });
    try {
      await fs.mkdir(tmp, { recursive: true });
      await fs.writeFile(path.join(tmp, MODEL_FILE), imported.onnx);
      for (const [rel, bytes] of files) {
        await fs.mkdir(path.dirname(path.join(tmp, rel)), { recursive: true });
        await fs.writeFile(path.join(tmp, rel), bytes);
      }
      await fs.writeFile(path.join(tmp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
      await fs.rename(tmp, dir);
    } catch (err) {
      await fs.rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  let status = registered?.status ?? 'candidate';
  if (!registered) {
    status = 'candidate';
    await upsertVersion(modelsDir, name, version, {
      status: 'candidate',
      sha256: written.sha256,
      signature: written.signature,
      created: written.created,
      path: `${name}/${version}`,
    });
  }
  if (outcome === 'created' || !registered) {
    await appendLedger(modelsDir, {
      action: 'import',
      model: name,
      version,
      sha256: written.sha256,
      actor: options.actor,
      result: 'ok',
      details: {
        ...(options.source ? { source: options.source } : {}),
        objective: imported.xgboost.objective,
        trees: imported.xgboost.ensemble.trees.length,
        columns: written.model.columns,
        signature: written.signature,
        ...(imported.warnings.length > 0 ? { warnings: imported.warnings } : {}),
      },
    });
  }
  return { dir, outcome, manifest: written, status };
}
