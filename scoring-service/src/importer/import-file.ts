/**
 * The whole import from files on disk: XGBoost JSON (+ metadata.json and the files next to
 * it) -> a registered package in a models directory. The CLI and the sf plugin call this.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PackageError } from '../package/errors';
import { importXgboost } from './import-xgboost';
import {
  collectPackageFiles,
  fileHashes,
  writeImportedPackage,
  type PackageFiles,
  type WrittenPackage,
} from './write-package';

export interface ImportFileOptions {
  xgboostFile: string;
  name: string;
  version: string;
  modelsDir: string;
  /** metadata.json from training; background.json and snapshots/ are taken from its folder. */
  metadataFile?: string;
  /** Ledger actor; defaults to the OS user. */
  actor?: string;
  /** Rewrite a never-deployed candidate of this version (see WritePackageOptions.replace). */
  replace?: boolean;
  /** Run every check and report what would be written, writing nothing. */
  dryRun?: boolean;
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new PackageError(
      'json-invalid',
      `${what} ${file} cannot be read (${code === 'ENOENT' ? 'no such file' : (code ?? (err as Error).message)})`,
    );
  }
}

export async function importXgboostFile(options: ImportFileOptions): Promise<WrittenPackage & { warnings: string[] }> {
  const xgboostText = await readText(options.xgboostFile, 'XGBoost model');
  let metadata: Record<string, unknown> | undefined;
  let files: PackageFiles = new Map();
  if (options.metadataFile) {
    const text = await readText(options.metadataFile, 'metadata');
    try {
      metadata = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new PackageError(
        'metadata-invalid',
        `${options.metadataFile} is not valid JSON: ${(err as Error).message}`,
      );
    }
    if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
      throw new PackageError('metadata-invalid', `${options.metadataFile} must hold a JSON object of manifest fields`);
    }
    files = await collectPackageFiles(path.dirname(options.metadataFile), metadata);
  }
  let imported;
  try {
    imported = importXgboost(xgboostText, {
      name: options.name,
      version: options.version,
      metadata,
      files: fileHashes(files),
      fileBytes: files,
      filesDir: options.metadataFile ? path.dirname(options.metadataFile) : undefined,
    });
  } catch (err) {
    // Say which file was refused; the message already says what and why.
    if (err instanceof PackageError) {
      // Problems in background.json or a snapshot already name their file.
      if (err.file !== undefined && err.code !== 'manifest-invalid') throw err;
      const file =
        err.code === 'metadata-invalid' || err.code === 'manifest-invalid' || err.code === 'validation-failed'
          ? (options.metadataFile ?? options.xgboostFile)
          : options.xgboostFile;
      throw new PackageError(err.code, `${file}: ${err.message}`, { issues: err.issues, actions: err.actions });
    }
    throw err;
  }
  const written = await writeImportedPackage(options.modelsDir, imported, files, {
    actor: options.actor ?? os.userInfo().username,
    source: options.xgboostFile,
    sourceDir: options.metadataFile ? path.dirname(options.metadataFile) : undefined,
    replace: options.replace,
    dryRun: options.dryRun,
  });
  return { ...written, warnings: imported.warnings };
}
