/**
 * Writes an imported model into a models directory as a package:
 * DIR/<name>/<version>/{model.onnx, manifest.json, background.json?, snapshots/*.json},
 * registers it in DIR/registry.json (status candidate) and appends an `import` entry to
 * DIR/ledger.jsonl. All checks run before anything is written; the package folder appears
 * in one rename, so a failed import leaves nothing half-written.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { snapshotTableSchema, type Manifest } from '../manifest/schema';
import { describeIssues, zodIssues } from '../manifest/issues';
import { sha256Hex } from '../package/files';
import { appendLedger } from '../package/ledger';
import { readRegistry, upsertVersion } from '../package/registry';
import { PackageError } from '../package/errors';
import type { ImportedModel } from './import-xgboost';

export const MODEL_FILE = 'model.onnx';
export const MANIFEST_FILE = 'manifest.json';

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

function parseJson(file: string, bytes: Uint8Array, invalid: (name: string, message: string) => never): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    invalid(file, `not valid JSON (${(err as Error).message})`);
  }
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
    if (f.kind === 'lookup' && f.table && !files.has(`snapshots/${f.table}.json`)) {
      invalidFile(
        path.join(snapshotsDir, `${f.table}.json`),
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
 * Checks the extra files against the manifest: background rows as wide as the model, snapshots
 * matching their lookups. `sourceDir` (where the files were read from) makes messages name real paths.
 */
export function checkPackageFiles(manifest: Manifest, files: PackageFiles, sourceDir?: string): void {
  const invalid: (name: string, message: string) => never = (name, message) =>
    invalidFile(sourceDir ? path.join(sourceDir, name) : name, message);
  if (manifest.background) {
    const name = manifest.background.file;
    const bytes = files.get(name) ?? invalid(name, 'manifest.background names this file, but it is not in the package');
    const rows = parseJson(name, bytes, invalid);
    if (!Array.isArray(rows) || rows.length === 0) invalid(name, 'must be a non-empty array of feature rows');
    rows.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== manifest.model.columns) {
        invalid(
          name,
          `row ${i} has ${Array.isArray(row) ? row.length : 'no'} columns; the model has ${manifest.model.columns}`,
        );
      }
      if (!row.every((v) => v === null || typeof v === 'number'))
        invalid(name, `row ${i} holds a value that is neither a number nor null`);
    });
    if (rows.length !== manifest.background.rows)
      invalid(name, `has ${rows.length} rows but manifest.background.rows is ${manifest.background.rows}`);
  }
  for (const f of manifest.features) {
    if (f.kind !== 'lookup') continue;
    const name = `snapshots/${f.table}.json`;
    const bytes = files.get(name) ?? invalid(name, `the lookup feature on table "${f.table}" needs this snapshot`);
    const parsed = snapshotTableSchema.safeParse(parseJson(name, bytes, invalid));
    if (!parsed.success) invalid(name, describeIssues(zodIssues(parsed.error)));
    const table = parsed.data;
    if (table.columns.join('\u0000') !== f.columns.join('\u0000'))
      invalid(name, `columns [${table.columns.join(', ')}] differ from the lookup feature's [${f.columns.join(', ')}]`);
    if (table.defaults.length !== table.columns.length)
      invalid(name, `defaults has ${table.defaults.length} values for ${table.columns.length} columns`);
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
