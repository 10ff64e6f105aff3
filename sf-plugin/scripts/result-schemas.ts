/**
 * JSON schemas of every command's --json result, generated from the exported result types
 * (plugin-template-sf's schemas/<topic>-<verb>.json). `npm run schemas -w sf-plugin` rewrites
 * them; test/schemas.test.ts fails when a result type changed without its committed schema.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGenerator } from 'ts-json-schema-generator';

const PLUGIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Command id -> [source file, exported result type]. */
export const RESULT_TYPES: Record<string, [string, string]> = {
  'scoring model list': ['src/commands/scoring/model/list.ts', 'ModelListResult'],
  'scoring model import': ['src/commands/scoring/model/import.ts', 'ModelImportResult'],
  'scoring model validate': ['src/commands/scoring/model/validate.ts', 'ModelValidateResult'],
  'scoring model deploy': ['src/commands/scoring/model/deploy.ts', 'ModelDeployResult'],
  'scoring model signoff': ['src/commands/scoring/model/signoff.ts', 'ModelSignoffResult'],
  'scoring model promote': ['src/commands/scoring/model/promote.ts', 'ModelPromoteResult'],
  'scoring model rollback': ['src/commands/scoring/model/rollback.ts', 'ModelRollbackResult'],
  'scoring model archive': ['src/commands/scoring/model/archive.ts', 'ModelArchiveResult'],
  'scoring model export': ['src/commands/scoring/model/export.ts', 'ModelExportResult'],
  'scoring model rollout': ['src/commands/scoring/model/rollout.ts', 'ModelRolloutResult'],
  'scoring mapping deploy': ['src/commands/scoring/mapping/deploy.ts', 'MappingDeployResult'],
  'scoring mapping generate': ['src/commands/scoring/mapping/generate.ts', 'MappingGenerateResult'],
  'scoring org validate': ['src/commands/scoring/org/validate.ts', 'OrgValidateResult'],
  'scoring compare': ['src/commands/scoring/compare.ts', 'CompareResult'],
  'scoring monitor': ['src/commands/scoring/monitor.ts', 'MonitorResult'],
  'scoring score': ['src/commands/scoring/score.ts', 'ScoreResult'],
  'scoring predict': ['src/commands/scoring/predict.ts', 'PredictResult'],
  'scoring verify': ['src/commands/scoring/verify.ts', 'VerifyResult'],
};

export const schemaFile = (id: string): string => path.join(PLUGIN, 'schemas', `${id.replace(/^scoring /, 'scoring-').replace(/ /g, '-')}.json`);

export function generateSchemas(): Record<string, unknown> {
  const generator = createGenerator({
    path: path.join(PLUGIN, 'src', 'commands', '**', '*.ts'),
    tsconfig: path.join(PLUGIN, 'tsconfig.build.json'),
    skipTypeCheck: true,
    additionalProperties: false,
    expose: 'export',
  });
  return Object.fromEntries(Object.entries(RESULT_TYPES).map(([id, [, type]]) => [id, generator.createSchema(type)]));
}

export const renderSchema = (schema: unknown): string => `${JSON.stringify(schema, null, 2)}\n`;

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const schemas = generateSchemas();
  await fs.mkdir(path.join(PLUGIN, 'schemas'), { recursive: true });
  for (const [id, schema] of Object.entries(schemas)) await fs.writeFile(schemaFile(id), renderSchema(schema));
  console.log(`wrote ${Object.keys(schemas).length} schemas to ${path.join(PLUGIN, 'schemas')}`);
}
