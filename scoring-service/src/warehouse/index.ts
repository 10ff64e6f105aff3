/**
 * The warehouse path (the `@lead-scoring/scoring-service/warehouse` entry point): the model
 * package compiled to BigQuery or DuckDB SQL and a per-column ONNX model for BigQuery ML, and
 * DuckDB in-process scoring of a leads file (scoreFile).
 */
export { bigQueryDialect, duckDbDialect, doubleLiteral, type Dialect, type WarehouseTarget } from './dialect';
export { compileFeatureSql, LEAD_ID, type FeatureSql, type FeatureSqlOptions } from './features-sql';
export { sqlColumnNames, versionTableName, snapshotTableName } from './names';
export { perColumnOnnx, onnxVersions, BIGQUERY_ONNX_LIMITS, OnnxExportError, type PerColumnOnnx } from './onnx-columns';
export { presentSql, scaledSql, decileSql, tierSql } from './outputs-sql';
export { hashUdfBody, numberTextUdfBody, bigQueryUdfs, HASH_UDF, NUMBER_TEXT_UDF } from './udf';
export {
  exportWarehouse,
  snapshotSql,
  DEFAULT_DATASET,
  DEFAULT_ID_COLUMN,
  DEFAULT_LEADS_TABLE,
  BIGQUERY_ONNX_SIZE_LIMIT_BYTES,
  type ExportOptions,
  type ExportFile,
  type WarehouseExport,
  type WarehousePackage,
} from './export';
export {
  scoreFile,
  featuresFromFile,
  registerWarehouseFunctions,
  writeScores,
  WarehouseInputError,
  type FileScore,
  type ScoreFileOptions,
  type FileOptions,
} from './duckdb';
