/**
 * Everything a data engineer runs to score a model version in the warehouse, generated from the
 * model package: BigQuery (per-column model.onnx, features.sql, load_snapshots.sql,
 * create_model.sql, predict.sql, README.md) or DuckDB (the same SQL in DuckDB's dialect, run
 * in-process by scoreFile). Nothing in the files needs editing: names come from the options.
 */
import type { Manifest, SnapshotTable } from '../manifest/schema';
import { bigQueryDialect, type Dialect, doubleLiteral, duckDbDialect, type WarehouseTarget } from './dialect';
import { compileFeatureSql, type FeatureSql, LEAD_ID } from './features-sql';
import { versionTableName } from './names';
import { perColumnOnnx } from './onnx-columns';
import { presentSql } from './outputs-sql';
import { bigQueryUdfs, HASH_UDF, NUMBER_TEXT_UDF } from './udf';

export interface WarehousePackage {
  name: string;
  version: string;
  manifest: Manifest;
  snapshots: Record<string, SnapshotTable>;
  onnxBytes: Uint8Array;
}

export interface ExportOptions {
  target: WarehouseTarget;
  /** BigQuery dataset (`project.dataset` or `dataset`) holding the leads, snapshots, model and scores. */
  dataset?: string;
  /** The leads table: one row per lead, one column per model input, named as the input. */
  leadsTable?: string;
  idColumn?: string;
  /** Where model.onnx is uploaded for CREATE MODEL (default gs://<dataset>-models/<model>/<version>/model.onnx). */
  modelUri?: string;
}

export interface ExportFile {
  name: string;
  content: string | Uint8Array;
}

export interface WarehouseExport {
  target: WarehouseTarget;
  files: ExportFile[];
  columns: string[];
  modelColumns: string[];
  tables: { features: string; scores: string; model?: string; snapshots: string[] };
  /** What the data team should know before running the files (e.g. a model near BigQuery ML's size limit). */
  warnings: string[];
}

const INSERT_ROWS = 500;

/**
 * The ONNX import size limit as a Google Cloud sample repository states it (statmike/vertex-ai-mlops,
 * "Framework Workflows/PyTorch/serving/readme.md": "Models < 250 MB"); docs/warehouse.md says
 * where the official page is. Above it the export warns rather than refuses.
 */
export const BIGQUERY_ONNX_SIZE_LIMIT_BYTES = 250 * 1024 * 1024;

export const DEFAULT_DATASET = 'lead_scoring';
export const DEFAULT_LEADS_TABLE = 'leads';
export const DEFAULT_ID_COLUMN = 'id';

function sqlType(input: Manifest['inputs'][number], d: Dialect): string {
  return input.type === 'number' ? d.double : input.type === 'boolean' ? d.bool : input.type === 'date' ? `${d.text} (or DATE)` : d.text;
}

/** CREATE TABLE + INSERT for each snapshot table the lookups join: (key_name, key_value, columns...). */
export function snapshotSql(pkg: WarehousePackage, features: FeatureSql, d: Dialect): string {
  const q = d.ident;
  const out: string[] = [];
  for (const { table, sqlTable } of features.snapshotTables) {
    const snap = pkg.snapshots[table];
    out.push(
      `CREATE OR REPLACE TABLE ${d.table(sqlTable)} (${[`${q('key_name')} ${d.text}`, `${q('key_value')} ${d.text}`, ...snap.columns.map((c) => `${q(c)} ${d.double}`)].join(', ')});`,
    );
    const rows: string[] = [];
    for (const [key, index] of Object.entries(snap.index))
      for (const [value, row] of Object.entries(index))
        // As the pipeline reads a row (Float64Array.from): null is 0, an absent value NaN.
        rows.push(`(${[d.str(key), d.str(value), ...snap.columns.map((_, c) => (row[c] === undefined ? d.nan : doubleLiteral(Number(row[c]))))].join(', ')})`);
    for (let i = 0; i < rows.length; i += INSERT_ROWS)
      out.push(`INSERT INTO ${d.table(sqlTable)} (${[q('key_name'), q('key_value'), ...snap.columns.map(q)].join(', ')}) VALUES\n${rows.slice(i, i + INSERT_ROWS).join(',\n')};`);
  }
  return out.length ? `${out.join('\n')}\n` : '-- This model version has no snapshot tables: nothing to load.\n';
}

/** The score a model output gives, as ML.PREDICT returns it (tensor outputs become ARRAY<FLOAT64> columns). */
function predictScoreExpr(manifest: Manifest, d: Dialect): string {
  const out = d.ident(manifest.model.outputName);
  return manifest.task === 'binary-classification' ? `${out}[OFFSET(1)]` : `${out}[OFFSET(0)]`;
}

export function exportWarehouse(pkg: WarehousePackage, options: ExportOptions): WarehouseExport {
  const dataset = options.dataset ?? DEFAULT_DATASET;
  const d = options.target === 'bigquery' ? bigQueryDialect(dataset) : duckDbDialect();
  const leadsTable = options.leadsTable ?? DEFAULT_LEADS_TABLE;
  const idColumn = options.idColumn ?? DEFAULT_ID_COLUMN;
  const features = compileFeatureSql(pkg, d, { leadsTable, idColumn });
  const featuresTable = versionTableName(pkg.name, pkg.version, 'features');
  const scoresTable = versionTableName(pkg.name, pkg.version, 'scores');
  const modelName = versionTableName(pkg.name, pkg.version);
  const header = (what: string) =>
    `-- ${pkg.name} ${pkg.version} (${pkg.manifest.signature.slice(0, 12)}): ${what}\n-- Generated by "sf scoring model export --target ${options.target}"; regenerate rather than edit.\n`;
  const featuresSql =
    header(`the model's ${features.columns.length} feature columns for every lead of ${leadsTable}`) +
    (options.target === 'bigquery' && (features.usesHash || features.usesNumberText) ? `${bigQueryUdfs()}\n` : '') +
    `CREATE OR REPLACE TABLE ${d.table(featuresTable)} AS\n${features.query};\n`;
  const files: ExportFile[] = [
    { name: 'features.sql', content: featuresSql },
    { name: 'load_snapshots.sql', content: header('the snapshot tables the lookups join') + snapshotSql(pkg, features, d) },
  ];
  const inputsTable = pkg.manifest.inputs
    .map((i) => `| \`${i.name}\` | ${sqlType(i, d)} | ${i.field ?? ''} | ${i.label} |`)
    .join('\n');

  if (options.target === 'bigquery') {
    const onnxModel = perColumnOnnx(pkg.onnxBytes, pkg.manifest.model.inputName, features.columns);
    const modelUri = options.modelUri ?? `gs://${dataset.replace(/[^A-Za-z0-9-]+/g, '-')}-models/${pkg.name}/${pkg.version}/model.onnx`;
    const predicted = `predicted AS (\n  SELECT ${d.ident(LEAD_ID)}, ${predictScoreExpr(pkg.manifest, d)} AS ${d.ident('score')}\n  FROM ML.PREDICT(MODEL ${d.table(modelName)}, TABLE ${d.table(featuresTable)})\n)`;
    files.unshift({ name: 'model.onnx', content: onnxModel.bytes });
    files.push(
      {
        name: 'create_model.sql',
        content: header('import the per-column ONNX model') + `CREATE OR REPLACE MODEL ${d.table(modelName)}\n  OPTIONS (MODEL_TYPE = 'ONNX', MODEL_PATH = ${d.str(modelUri)});\n`,
      },
      {
        name: 'predict.sql',
        content:
          header('score every lead of the features table: score, scaled, decile, tier as the manifest defines them') +
          `CREATE OR REPLACE TABLE ${d.table(scoresTable)} AS\n${presentSql('predicted', pkg.manifest, d, [predicted])};\n`,
      },
      { name: 'README.md', content: bigQueryReadme(pkg, { dataset, leadsTable, idColumn, featuresTable, scoresTable, modelName, modelUri, inputsTable, features }) },
    );
    const warnings =
      onnxModel.bytes.length > BIGQUERY_ONNX_SIZE_LIMIT_BYTES
        ? [`model.onnx is ${(onnxModel.bytes.length / 1024 / 1024).toFixed(0)} MB, above the 250 MB BigQuery ML is reported to import; CREATE MODEL may refuse it (docs/warehouse.md).`]
        : [];
    return { target: 'bigquery', files, columns: features.columns, modelColumns: features.modelColumns, tables: { features: featuresTable, scores: scoresTable, model: modelName, snapshots: features.snapshotTables.map((s) => s.sqlTable) }, warnings };
  }

  files.push(
    {
      name: 'present.sql',
      content:
        header(`scaled score, decile and tier over a raw_scores (${LEAD_ID}, score) table, as the manifest defines them`) +
        `CREATE OR REPLACE TABLE ${d.table(scoresTable)} AS\n${presentSql(d.table('raw_scores'), pkg.manifest, d)};\n`,
    },
    { name: 'README.md', content: duckDbReadme(pkg, { leadsTable, idColumn, featuresTable, inputsTable, features }) },
  );
  return { target: 'duckdb', files, columns: features.columns, modelColumns: features.modelColumns, tables: { features: featuresTable, scores: scoresTable, snapshots: features.snapshotTables.map((s) => s.sqlTable) }, warnings: [] };
}

interface ReadmeNames {
  leadsTable: string;
  idColumn: string;
  featuresTable: string;
  inputsTable: string;
  features: FeatureSql;
}

function bigQueryReadme(
  pkg: WarehousePackage,
  n: ReadmeNames & { dataset: string; scoresTable: string; modelName: string; modelUri: string },
): string {
  return `# ${pkg.name} ${pkg.version} in BigQuery ML

Generated by \`sf scoring model export --target bigquery\` from the model package (feature signature
\`${pkg.manifest.signature}\`). Regenerate these files for a new version rather than editing them.

## What you need

- The dataset \`${n.dataset}\` with the table \`${n.leadsTable}\`: one row per lead, the lead id in \`${n.idColumn}\`, and one column per
  model input, named as below (a missing value is NULL or '').

| column | type | Salesforce field | meaning |
| --- | --- | --- | --- |
${n.inputsTable}

## Once per model version

\`\`\`sh
gcloud storage cp model.onnx ${n.modelUri}
bq query --use_legacy_sql=false < create_model.sql        # imports the ONNX model as ${n.dataset}.${n.modelName}
bq query --use_legacy_sql=false < load_snapshots.sql      # snapshot tables (${n.features.snapshotTables.length})
\`\`\`

## Every scoring run (monthly)

\`\`\`sh
bq query --use_legacy_sql=false --parameter=scoring_date:DATE:$(date -u +%F) < features.sql
bq query --use_legacy_sql=false < predict.sql             # writes ${n.dataset}.${n.scoresTable}
\`\`\`

\`features.sql\` writes \`${n.dataset}.${n.featuresTable}\` (${n.features.columns.length} columns, in model order, missing values as NaN).
\`@scoring_date\` is the day "days since" features count to: use the day the leads were exported.
${n.features.usesHash ? '\nThe hashed features use a JavaScript UDF declared at the top of features.sql: the scoring library\'s own MurmurHash3, so the columns equal the service\'s bit for bit.\n' : ''}
The scores table has \`lead_id, score, scaled, decile, tier, version\`. Reasons (which inputs pushed a score up or down)
are not computed in BigQuery (BigQuery ML has no TreeSHAP for imported models): score the org with
\`sf scoring score --name ${pkg.name} --version ${pkg.version} --target-org <org>\` for reasons on the records, or a file with
\`sf scoring score --name ${pkg.name} --version ${pkg.version} --from leads.parquet --out scores.parquet --explain 5\`.
`;
}

function duckDbReadme(pkg: WarehousePackage, n: ReadmeNames): string {
  const needsUdf = n.features.usesHash || n.features.usesNumberText;
  return `# ${pkg.name} ${pkg.version} in DuckDB

Generated by \`sf scoring model export --target duckdb\` from the model package (feature signature
\`${pkg.manifest.signature}\`).

The simplest way to score a file is the CLI, which runs these same statements in-process:

\`\`\`sh
sf scoring score --name ${pkg.name} --version ${pkg.version} --from leads.parquet --out scores.parquet
\`\`\`

To run them yourself: create a \`${n.leadsTable}\` table or view (lead id in \`${n.idColumn}\`, one column per input below), then

\`\`\`sql
.read load_snapshots.sql
${'SET VARIABLE scoring_date = DATE \'2026-12-01\';'}
.read features.sql   -- writes ${n.featuresTable}
\`\`\`
${needsUdf ? `\nfeatures.sql calls ${[n.features.usesHash ? HASH_UDF : '', n.features.usesNumberText ? NUMBER_TEXT_UDF : ''].filter(Boolean).join(' and ')}, scalar functions the scoring library registers in-process
(\`registerWarehouseFunctions(connection)\` in @lead-scoring/scoring-service/warehouse, for a @duckdb/node-api connection); the DuckDB shell alone does not have them.\n` : ''}
Score the features with model.onnx of the package (ONNX Runtime), put \`lead_id, score\` in \`raw_scores\`, and
\`.read present.sql\` adds scaled, decile and tier.

| column | type | Salesforce field | meaning |
| --- | --- | --- | --- |
${n.inputsTable}
`;
}
