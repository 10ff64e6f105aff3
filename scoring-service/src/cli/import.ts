#!/usr/bin/env node
/**
 * npm run -s model:import -- --xgboost FILE --name N --version V --models-dir DIR [--metadata FILE] [--actor NAME] [--replace] [--dry-run] [--json]
 * Imports an XGBoost JSON model as DIR/N/V/{model.onnx, manifest.json, ...}, registers it as a
 * candidate in DIR/registry.json and records the import in DIR/ledger.jsonl.
 */
import { parseArgs } from 'node:util';
import { importXgboostFile } from '../importer/import-file';
import { PackageError } from '../package/errors';

const USAGE =
  'usage: npm run -s model:import -- --xgboost FILE --name NAME --version X.Y.Z --models-dir DIR [--metadata FILE] [--actor NAME] [--replace] [--dry-run] [--json]';

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        xgboost: { type: 'string' },
        name: { type: 'string' },
        version: { type: 'string' },
        'models-dir': { type: 'string' },
        metadata: { type: 'string' },
        actor: { type: 'string' },
        replace: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const missing = (['xgboost', 'name', 'version', 'models-dir'] as const).filter((k) => !values[k]);
  if (missing.length > 0) {
    process.stderr.write(`missing ${missing.map((k) => `--${k}`).join(', ')}\n${USAGE}\n`);
    return 2;
  }
  try {
    const result = await importXgboostFile({
      xgboostFile: values.xgboost!,
      name: values.name!,
      version: values.version!,
      modelsDir: values['models-dir']!,
      metadataFile: values.metadata,
      actor: values.actor,
      replace: values.replace,
      dryRun: values['dry-run'],
    });
    const { manifest } = result;
    if (values.json) {
      process.stdout.write(
        `${JSON.stringify({ status: 0, result: { dir: result.dir, outcome: result.outcome, dryRun: result.dryRun, files: result.files, status: result.status, name: manifest.name, version: manifest.version, sha256: manifest.sha256, signature: manifest.signature, columns: manifest.model.columns, warnings: result.warnings } }, null, 2)}\n`,
      );
    } else {
      const verb = result.dryRun
        ? `dry run, nothing written: would be ${result.outcome === 'unchanged' ? 'unchanged' : result.outcome}:`
        : result.outcome === 'unchanged'
          ? 'already imported (same model, files and metadata), nothing changed:'
          : result.outcome === 'created'
            ? 'imported'
            : 'replaced (a never-deployed candidate)';
      process.stdout.write(
        `${verb} ${manifest.name} ${manifest.version} -> ${result.dir}\n  sha256 ${manifest.sha256}\n  signature ${manifest.signature}\n  ${manifest.model.columns} columns, output "${manifest.model.outputName}" (${manifest.model.link} link), status ${result.status}\n`,
      );
      for (const f of result.files)
        process.stdout.write(
          `  ${result.dryRun ? 'would write' : 'wrote'} ${f.path} (${f.bytes} bytes, sha256 ${f.sha256})\n`,
        );
      for (const w of result.warnings) process.stdout.write(`  warning: ${w}\n`);
    }
    return 0;
  } catch (err) {
    if (err instanceof PackageError) {
      if (values.json)
        process.stdout.write(
          `${JSON.stringify({ status: 1, name: err.name, code: err.code, message: err.message, ...(err.issues ? { issues: err.issues } : {}), ...(err.actions ? { actions: err.actions } : {}) }, null, 2)}\n`,
        );
      process.stderr.write(`import refused (${err.code}): ${err.message}\n`);
      for (const action of err.actions ?? []) process.stderr.write(`  try this: ${action}\n`);
      return 1;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`import failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
