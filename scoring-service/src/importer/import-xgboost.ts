/**
 * XGBoost JSON (+ the manifest fields written at training time) -> model.onnx bytes and a
 * validated manifest. Pure: reads nothing from disk, writes nothing; see write-package.ts.
 */
import path from 'node:path';
import { describeIssues, zodIssues } from '../manifest/issues';
import { manifestSchema, type Manifest } from '../manifest/schema';
import { featureSignature } from '../manifest/signature';
import { treeEnsembleToOnnx } from '../trees/to-onnx';
import { sha256Hex } from '../package/files';
import { parseXgboostModel, type XgboostModel } from '../trees/from-xgboost';
import { PackageError } from '../package/errors';
import { checkPackageContents } from '../package/loader';
import { lookupFeatures, MANIFEST_FILE, MODEL_FILE } from '../package/package-files';
import { featureColumnNames } from './columns';
import { manifestSkeleton, TASK_BY_OBJECTIVE } from './skeleton';

export interface ImportXgboostOptions {
  name: string;
  version: string;
  /** metadata.json from training: any manifest fields (inputs, features, outputs, metrics, gates, baseline, background...). */
  metadata?: unknown;
  /** sha256 of the package's other files, by path relative to the package folder. */
  files?: Record<string, string>;
  /**
   * The bytes of those files (background.json, snapshots/*.json): with them, the loader's checks on
   * snapshots, the compiled feature pipeline and the background run here too, before anything is written.
   */
  fileBytes?: ReadonlyMap<string, Uint8Array>;
  /** Where those files were read from, so messages name real paths. */
  filesDir?: string;
  /** ISO timestamp; defaults to now. */
  created?: string;
}

export interface ImportedModel {
  onnx: Uint8Array;
  manifest: Manifest;
  xgboost: XgboostModel;
  warnings: string[];
}

/** Fields only the importer may set: they describe the bytes it produces. */
const IMPORTER_FIELDS = ['schemaVersion', 'sha256', 'signature', 'created', 'model'] as const;
/** Fields metadata.json may hold that are about training, not serving: kept out of the manifest. */
const TRAINING_ONLY_FIELDS = ['training'] as const;

/** Models counting things per product: `/predict` reads `product_id` on every row. */
const PRODUCT_ID_INPUT = 'product_id';

function isDefaultName(name: string, i: number): boolean {
  return name === `f${i}`;
}

function checkMetadata(
  metadata: unknown,
  options: ImportXgboostOptions,
  model: XgboostModel,
  warnings: string[],
): Record<string, unknown> {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new PackageError(
      'metadata-invalid',
      'metadata must be a JSON object of manifest fields (as written by models/training)',
    );
  }
  const fields = { ...(metadata as Record<string, unknown>) };
  for (const key of ['name', 'version'] as const) {
    if (fields[key] !== undefined && fields[key] !== options[key]) {
      throw new PackageError(
        'metadata-invalid',
        `metadata ${key} is "${String(fields[key])}" but the import is for ${key} "${options[key]}"; import it under the ${key} it was trained as, or fix metadata.json`,
      );
    }
  }
  const task = TASK_BY_OBJECTIVE[model.objective];
  if (fields.task !== undefined && fields.task !== task) {
    throw new PackageError(
      'metadata-invalid',
      `metadata task is "${String(fields.task)}" but the XGBoost objective ${model.objective} is a ${task} model`,
    );
  }
  const overridden = IMPORTER_FIELDS.filter((k) => fields[k] !== undefined);
  if (overridden.length > 0)
    warnings.push(
      `metadata fields ${overridden.join(', ')} were replaced: the importer computes them from the model it writes`,
    );
  for (const k of [...IMPORTER_FIELDS, ...TRAINING_ONLY_FIELDS]) delete fields[k];
  return fields;
}

export function importXgboost(xgboostJson: unknown, options: ImportXgboostOptions): ImportedModel {
  const xgboost = parseXgboostModel(xgboostJson);
  const { ensemble } = xgboost;
  const warnings = [...xgboost.warnings];
  let fields: Record<string, unknown>;
  if (options.metadata === undefined) {
    fields = manifestSkeleton(xgboost);
    warnings.push(
      'no metadata given: the manifest is a skeleton with one number input per column; add labels, units and Salesforce fields before deploying',
    );
  } else {
    fields = checkMetadata(options.metadata, options, xgboost, warnings);
  }

  const onnx = treeEnsembleToOnnx(ensemble, {
    metadata: {
      source_framework: 'xgboost',
      ...(xgboost.xgboostVersion ? { source_version: xgboost.xgboostVersion } : {}),
      objective: xgboost.objective,
      base_score: String(xgboost.baseScore),
    },
  });

  const candidate = {
    ...fields,
    schemaVersion: 1,
    name: options.name,
    version: options.version,
    task: TASK_BY_OBJECTIVE[xgboost.objective],
    created: options.created ?? new Date().toISOString(),
    sha256: sha256Hex(onnx.bytes),
    files: { ...((fields.files as Record<string, string> | undefined) ?? {}), ...(options.files ?? {}) },
    signature: '0'.repeat(64), // replaced below, once inputs and features carry their defaults
    model: {
      format: 'onnx',
      inputName: onnx.inputName,
      columns: ensemble.nFeatures,
      outputName: onnx.outputName,
      link: ensemble.link,
      covers: 'onnx',
      source: { framework: 'xgboost', version: xgboost.xgboostVersion, objective: xgboost.objective },
    },
  };
  const parsed = manifestSchema.safeParse(candidate);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error, { schema: manifestSchema, data: candidate });
    throw new PackageError(
      'manifest-invalid',
      `the manifest for ${options.name} ${options.version} is invalid: ${describeIssues(issues)}`,
      { issues },
    );
  }
  const manifest = parsed.data;
  manifest.signature = featureSignature(manifest.inputs, manifest.features);

  // Every remaining check runs, so the refusal lists every problem at once.
  const problems: PackageError[] = [];
  const columnNames = featureColumnNames(manifest.features);
  if (columnNames.length !== ensemble.nFeatures) {
    problems.push(
      new PackageError(
        'manifest-invalid',
        `features: the feature blocks make ${columnNames.length} columns but the XGBoost model was trained on ${ensemble.nFeatures} (learner_model_param.num_feature)`,
        {
          issues: [{ path: 'features', message: `${columnNames.length} columns, model expects ${ensemble.nFeatures}` }],
        },
      ),
    );
  } else {
    const trained = xgboost.featureNames;
    const at = trained && !trained.every(isDefaultName) ? trained.findIndex((name, i) => name !== columnNames[i]) : -1;
    if (at >= 0) {
      problems.push(
        new PackageError(
          'manifest-invalid',
          `features: column ${at} is "${columnNames[at]}" in the manifest but "${trained![at]}" in the XGBoost model (feature_names); the manifest must describe the columns in training order`,
          { issues: [{ path: 'features', message: `column ${at}: "${columnNames[at]}" vs "${trained![at]}"` }] },
        ),
      );
    }
  }
  const fileBytes = options.fileBytes;
  // Without the files' bytes (a pure call), a lookup's table cannot be read, so the pipeline is not compiled here.
  if (fileBytes || lookupFeatures(manifest).length === 0) {
    checkPackageContents(
      {
        manifest: fileBytes ? manifest : { ...manifest, background: undefined },
        onnxBytes: onnx.bytes,
        bytesOf: (relative) => fileBytes?.get(relative),
        pathOf: (relative) => (options.filesDir ? path.join(options.filesDir, relative) : relative),
        manifestFile: MANIFEST_FILE,
        modelFile: MODEL_FILE,
      },
      problems,
    );
  }
  // The XGBoost column count already says the blocks make the wrong number of columns.
  if (problems.length > 0 && columnNames.length !== ensemble.nFeatures)
    problems.splice(0, problems.length, ...problems.filter((p) => p.code !== 'columns-mismatch'));
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) {
    const issues = problems.flatMap((p) => p.issues ?? [{ path: p.file ?? 'package', message: p.message }]);
    throw new PackageError(
      'validation-failed',
      `${options.name} ${options.version} has ${problems.length} problems: ${problems.map((p, i) => `(${i + 1}) ${p.message}`).join(' ')}`,
      { issues },
    );
  }
  if (manifest.background && manifest.files[manifest.background.file] === undefined && options.files !== undefined) {
    warnings.push(`background.file "${manifest.background.file}" is not among the package files`);
  }
  if (manifest.task === 'poisson-regression' && !manifest.inputs.some((i) => i.name === PRODUCT_ID_INPUT)) {
    warnings.push(
      `count model without a ${PRODUCT_ID_INPUT} input: /predict requires product_id on every row and totals the forecasts per product_id, so without the input every product gets the same forecast for the same inputs; declare product_id (type string) in inputs if this model forecasts per product (docs/model-package.md, "What /predict needs")`,
    );
  }

  return { onnx: onnx.bytes, manifest, xgboost, warnings };
}
