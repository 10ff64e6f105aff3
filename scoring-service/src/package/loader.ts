/**
 * Loads one model package and proves it is what its manifest says before anything serves
 * it: every file present, manifest valid, sha256 of model.onnx and of every listed file,
 * feature signature, column count of the features, and of the ONNX graph's input.
 * Every refusal is a PackageError naming the file and the mismatch.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { manifestSchema, modelNameSchema, type Manifest, type Registry, type SnapshotTable } from '../manifest/schema';
import { featureSignature } from '../manifest/signature';
import { FeatureSchemaError } from '../features/errors';
import { compilePipeline, type FeaturePipeline } from '../features/pipeline';
import { decodeModel, onnx, toNumber } from '../onnx/proto';
import { PackageError } from './errors';
import { fileReadError, parseJsonBytes, parseWithSchema, sha256Hex } from './files';
import {
  lookupFeatures,
  MANIFEST_FILE,
  MODEL_FILE,
  parseBackground,
  parseSnapshots,
  type BackgroundSample,
} from './package-files';
import { parseRegistry, readRegistry, REGISTRY_FILE, servingVersions, type RegistryVersion } from './registry';

export interface LoadedPackage {
  name: string;
  version: string;
  dir: string;
  manifest: Manifest;
  modelPath: string;
  onnxBytes: Uint8Array;
  snapshots: Record<string, SnapshotTable>;
  background?: BackgroundSample;
  /** The compiled feature pipeline (compiling is part of the checks). */
  pipeline: FeaturePipeline;
}

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

async function readFileChecked(file: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    throw fileReadError(file, err);
  }
}

/** A path from manifest.files must stay inside the package folder. */
function insidePackage(dir: string, relative: string, file: string): string {
  const resolved = path.resolve(dir, relative);
  if (path.isAbsolute(relative) || !resolved.startsWith(path.resolve(dir) + path.sep)) {
    throw new PackageError('manifest-invalid', `${file}: files["${relative}"] points outside the package folder`, {
      file,
    });
  }
  return resolved;
}

/** Parses manifest JSON; errors name the file and every failing field path. */
export function parseManifest(json: unknown, file = MANIFEST_FILE): Manifest {
  return parseWithSchema(manifestSchema, json, 'manifest-invalid', file);
}

/** The ONNX graph's input column count must equal manifest.model.columns; the output must exist. */
function checkOnnxGraph(bytes: Uint8Array, manifest: Manifest, file: string): void {
  let model: onnx.ModelProto;
  try {
    model = decodeModel(bytes);
  } catch (err) {
    throw new PackageError('onnx-invalid', `${file} is not a readable ONNX model (${(err as Error).message})`, {
      file,
    });
  }
  const graph = model.graph;
  if (!graph) throw new PackageError('onnx-invalid', `${file} has no graph`, { file });
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const inputs = (graph.input ?? []).filter((i) => !initializers.has(i.name));
  const input = inputs.find((i) => i.name === manifest.model.inputName);
  if (!input) {
    const names = inputs.map((i) => i.name).join(', ') || 'none';
    throw new PackageError(
      'onnx-input-mismatch',
      `${file} has no input named ${manifest.model.inputName} (model.inputName in manifest.json); its inputs: ${names}`,
      {
        file,
        expected: manifest.model.inputName,
        actual: names,
      },
    );
  }
  const dims = input.type?.tensorType?.shape?.dim ?? [];
  const last = dims.length === 2 ? dims[1] : undefined;
  const width =
    last && last.dimValue !== undefined && last.dimValue !== null ? toNumber(last.dimValue as number) : undefined;
  if (width === undefined || width <= 0) {
    throw new PackageError(
      'onnx-input-mismatch',
      `${file}: input ${input.name} must have shape [batch, ${manifest.model.columns}] with a fixed column count`,
      {
        file,
        expected: manifest.model.columns,
      },
    );
  }
  if (width !== manifest.model.columns) {
    throw new PackageError(
      'onnx-input-mismatch',
      `${file}: input ${input.name} has ${width} columns, manifest.json model.columns says ${manifest.model.columns}`,
      { file, expected: manifest.model.columns, actual: width },
    );
  }
  const outputs = (graph.output ?? []).map((o) => o.name);
  if (!outputs.includes(manifest.model.outputName)) {
    throw new PackageError(
      'onnx-invalid',
      `${file} has no output named ${manifest.model.outputName} (model.outputName in manifest.json); its outputs: ${outputs.join(', ')}`,
      {
        file,
        expected: manifest.model.outputName,
        actual: outputs.join(', '),
      },
    );
  }
}

/** A package's bytes in hand, wherever they came from: a folder (the loader) or an import not yet written. */
export interface PackageContents {
  manifest: Manifest;
  onnxBytes: Uint8Array;
  /** A file of the package by its path relative to the package folder; undefined when absent. */
  bytesOf: (relative: string) => Uint8Array | undefined;
  /** Names a package file in messages. */
  pathOf: (relative: string) => string;
  manifestFile: string;
  modelFile: string;
}

export interface CheckedContents {
  snapshots?: Record<string, SnapshotTable>;
  pipeline?: FeaturePipeline;
  background?: BackgroundSample;
}

/**
 * Every check on a package's contents after its bytes are known: feature signature, snapshot
 * tables, the feature schema compiles against the inputs (declared inputs, types that fit, no
 * duplicates), the column count, the ONNX graph's input and output, the background sample.
 * The loader stops at the first problem; with `problems`, every problem is collected there instead
 * (the importer reports them all at once) and what could be built is returned.
 */
export function checkPackageContents(contents: PackageContents, problems?: PackageError[]): CheckedContents {
  const { manifest, manifestFile } = contents;
  const attempt = <T>(check: () => T): T | undefined => {
    try {
      return check();
    } catch (err) {
      if (!(err instanceof PackageError) || !problems) throw err;
      problems.push(err);
      return undefined;
    }
  };
  const missing = (relative: string, why: string): never => {
    const file = contents.pathOf(relative);
    throw new PackageError('file-missing', `${file} is missing: ${why}`, { file });
  };

  attempt(() => {
    const signature = featureSignature(manifest.inputs, manifest.features);
    if (signature !== manifest.signature) {
      throw new PackageError(
        'signature-mismatch',
        `${manifestFile}: the feature signature of its inputs and features is ${signature}, but signature says ${manifest.signature} (inputs or features changed after import)`,
        { file: manifestFile, expected: manifest.signature, actual: signature },
      );
    }
  });
  const snapshots = attempt(() =>
    parseSnapshots(
      manifest,
      (relative) => contents.bytesOf(relative) ?? missing(relative, 'a lookup feature reads this snapshot table'),
      contents.pathOf,
    ),
  );
  const pipeline =
    snapshots &&
    attempt(() => {
      try {
        return compilePipeline(manifest, snapshots);
      } catch (err) {
        if (!(err instanceof FeatureSchemaError)) throw err;
        throw new PackageError('manifest-invalid', `${manifestFile}: ${err.message}`, {
          file: manifestFile,
          issues: err.problems,
        });
      }
    });
  if (pipeline && pipeline.columns.length !== manifest.model.columns) {
    attempt(() => {
      throw new PackageError(
        'columns-mismatch',
        `${manifestFile}: the feature blocks produce ${pipeline.columns.length} columns, model.columns says ${manifest.model.columns}`,
        { file: manifestFile, expected: manifest.model.columns, actual: pipeline.columns.length },
      );
    });
  }
  attempt(() => checkOnnxGraph(contents.onnxBytes, manifest, contents.modelFile));
  const backgroundFile = manifest.background?.file;
  const background =
    backgroundFile === undefined
      ? undefined
      : attempt(() =>
          parseBackground(
            contents.bytesOf(backgroundFile) ?? missing(backgroundFile, 'manifest background.file names it'),
            manifest,
            contents.pathOf(backgroundFile),
          ),
        );
  return { snapshots, pipeline, background };
}

/**
 * Loads and verifies the package in `dir`. With `expect`, also checks the manifest's
 * name/version and (from the registry) its sha256 and signature against what is expected.
 */
export async function loadPackageDir(
  dir: string,
  expect: { name?: string; version?: string; registryEntry?: RegistryVersion; registryFile?: string } = {},
): Promise<LoadedPackage> {
  const manifestFile = path.join(dir, MANIFEST_FILE);
  const modelPath = path.join(dir, MODEL_FILE);
  const manifest = parseManifest(parseJsonBytes(await readFileChecked(manifestFile), manifestFile), manifestFile);

  if (expect.name !== undefined && manifest.name !== expect.name) {
    throw new PackageError(
      'identity-mismatch',
      `${manifestFile} names model ${manifest.name}, expected ${expect.name}`,
      {
        file: manifestFile,
        expected: expect.name,
        actual: manifest.name,
      },
    );
  }
  if (expect.version !== undefined && manifest.version !== expect.version) {
    throw new PackageError(
      'identity-mismatch',
      `${manifestFile} is version ${manifest.version}, expected ${expect.version}`,
      {
        file: manifestFile,
        expected: expect.version,
        actual: manifest.version,
      },
    );
  }

  const onnxBytes = await readFileChecked(modelPath);
  const onnxSha = sha256Hex(onnxBytes);
  if (onnxSha !== manifest.sha256) {
    throw new PackageError(
      'sha256-mismatch',
      `${modelPath} has sha256 ${onnxSha}, manifest.json says ${manifest.sha256}`,
      {
        file: modelPath,
        expected: manifest.sha256,
        actual: onnxSha,
      },
    );
  }

  const contents = new Map<string, Buffer>();
  for (const [relative, expected] of Object.entries(manifest.files)) {
    const file = insidePackage(dir, relative, manifestFile);
    const bytes = await readFileChecked(file);
    const actual = sha256Hex(bytes);
    if (actual !== expected) {
      throw new PackageError(
        'sha256-mismatch',
        `${file} has sha256 ${actual}, manifest.json files["${relative}"] says ${expected}`,
        {
          file,
          expected,
          actual,
        },
      );
    }
    contents.set(relative.split(path.sep).join('/'), bytes);
  }

  // Snapshot tables and the background sample must ship as listed (sha256-checked) files.
  const listed = async (relative: string): Promise<void> => {
    if (contents.has(relative)) return;
    await readFileChecked(insidePackage(dir, relative, manifestFile)); // a missing file is reported as missing
    throw new PackageError(
      'manifest-invalid',
      `${manifestFile}: files has no entry for ${relative}, so its sha256 cannot be checked`,
      { file: manifestFile },
    );
  };
  for (const { relative } of lookupFeatures(manifest)) await listed(relative);
  if (manifest.background) await listed(manifest.background.file);
  const { snapshots, pipeline, background } = checkPackageContents({
    manifest,
    onnxBytes,
    bytesOf: (relative) => contents.get(relative),
    pathOf: (relative) => path.join(dir, relative),
    manifestFile,
    modelFile: modelPath,
  }) as Required<CheckedContents>;

  const entry = expect.registryEntry;
  if (entry) {
    const registryFile = expect.registryFile ?? 'registry.json';
    const where = `${registryFile} (${manifest.name} ${manifest.version})`;
    if (entry.sha256 !== manifest.sha256) {
      throw new PackageError(
        'sha256-mismatch',
        `${where} records sha256 ${entry.sha256}, the package's model.onnx is ${manifest.sha256}`,
        {
          file: registryFile,
          expected: entry.sha256,
          actual: manifest.sha256,
        },
      );
    }
    if (entry.signature !== manifest.signature) {
      throw new PackageError(
        'signature-mismatch',
        `${where} records signature ${entry.signature}, the package's manifest.json has ${manifest.signature}`,
        {
          file: registryFile,
          expected: entry.signature,
          actual: manifest.signature,
        },
      );
    }
  }

  return {
    name: manifest.name,
    version: manifest.version,
    dir,
    manifest,
    modelPath,
    onnxBytes,
    snapshots,
    background,
    pipeline,
  };
}

/** The package folder of a registered version, kept inside modelsDir whatever the registry says. */
function packageDir(modelsDir: string, name: string, version: string, entry?: RegistryVersion): string {
  const root = path.resolve(modelsDir);
  const dir = path.resolve(root, entry?.path ?? path.join(name, version));
  // The folder itself is allowed: a single-package MODELS_DIR registers its one package at ".".
  if (dir !== root && !dir.startsWith(root + path.sep)) {
    throw new PackageError(
      'registry-invalid',
      `registry.json: the path of ${name} ${version} points outside the models directory`,
      {
        file: path.join(modelsDir, 'registry.json'),
      },
    );
  }
  return dir;
}

/**
 * Loads models/<name>/<version>, checked against the registry entry when there is one
 * (pass `registry` to avoid re-reading it). Name and version are validated first, so a
 * caller cannot reach outside the models directory.
 */
export async function loadPackage(
  modelsDir: string,
  name: string,
  version: string,
  registry?: Registry,
): Promise<LoadedPackage> {
  if (!modelNameSchema.safeParse(name).success)
    throw new PackageError('unknown-model', `${JSON.stringify(name)} is not a model name`);
  if (!SEMVER.test(version))
    throw new PackageError('unknown-version', `${JSON.stringify(version)} is not a semantic version`);
  const reg = registry ?? (await readRegistry(modelsDir, { allowMissing: true }));
  const entry = reg.models[name]?.versions[version];
  const dir = packageDir(modelsDir, name, version, entry);
  return loadPackageDir(dir, {
    name,
    version,
    registryEntry: entry,
    registryFile: path.join(modelsDir, 'registry.json'),
  });
}

/** Every registered version that should serve, loaded, and the ones refused. */
export interface RegisteredPackages {
  registry: Registry;
  packages: LoadedPackage[];
  /** Versions that were refused, each with why; the others still load. */
  errors: { name: string; version: string; error: PackageError }[];
}

export interface LoadServingSetOptions {
  /**
   * Where a registered version's folder is; it may refuse the registry's path by throwing (its
   * message is kept as the refusal's). Default: the registry's path, which must stay inside modelsDir.
   */
  locate?: (name: string, version: string, entry: RegistryVersion) => Promise<string>;
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/**
 * A MODELS_DIR that is one package folder (a manifest.json and no registry.json), as KServe's
 * storage initializer mounts a storageUri at /mnt/models: the registry it implies has that one
 * version, at ".", as the production champion of its model. Undefined for a models directory.
 * The package is still verified like any other (sha256, signature, columns) when it loads.
 */
export async function singlePackageRegistry(modelsDir: string): Promise<Registry | undefined> {
  if (await exists(path.join(modelsDir, REGISTRY_FILE))) return undefined;
  const manifestFile = path.join(modelsDir, MANIFEST_FILE);
  if (!(await exists(manifestFile))) return undefined;
  const manifest = parseManifest(parseJsonBytes(await readFileChecked(manifestFile), manifestFile), manifestFile);
  return parseRegistry(
    {
      schemaVersion: 1,
      models: {
        [manifest.name]: {
          aliases: { champion: manifest.version },
          versions: {
            [manifest.version]: {
              status: 'production',
              sha256: manifest.sha256,
              signature: manifest.signature,
              created: manifest.created,
              path: '.',
              statusReason: `single-package MODELS_DIR ${modelsDir}`,
            },
          },
        },
      },
    },
    manifestFile,
  );
}

/**
 * Loads every non-archived registered version, collecting per-version errors instead of stopping
 * at the first. A MODELS_DIR holding one package (see singlePackageRegistry) serves that package.
 */
export async function loadServingSet(
  modelsDir: string,
  options: LoadServingSetOptions = {},
): Promise<RegisteredPackages> {
  const registry = (await singlePackageRegistry(modelsDir)) ?? (await readRegistry(modelsDir));
  const packages: LoadedPackage[] = [];
  const errors: RegisteredPackages['errors'] = [];
  const registryFile = path.join(modelsDir, 'registry.json');
  for (const { name, version, entry } of servingVersions(registry)) {
    let dir: string;
    try {
      dir = options.locate ? await options.locate(name, version, entry) : packageDir(modelsDir, name, version, entry);
    } catch (err) {
      const error =
        err instanceof PackageError
          ? err
          : new PackageError('registry-invalid', (err as Error).message, { file: registryFile });
      errors.push({ name, version, error });
      continue;
    }
    try {
      packages.push(await loadPackageDir(dir, { name, version, registryEntry: entry, registryFile }));
    } catch (err) {
      const error =
        err instanceof PackageError
          ? err
          : new PackageError('file-unreadable', `${name} ${version}: ${(err as Error).message}`);
      errors.push({ name, version, error });
    }
  }
  return { registry, packages, errors };
}
