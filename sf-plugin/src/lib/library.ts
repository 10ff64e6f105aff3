/**
 * The one door into the scoring-service library. What the plugin may use is what the library's
 * package.json `exports` map declares: the model package entry point whole (schemas, registry,
 * ledger, loader, outputs), and the metrics and importer functions named here. Commands import
 * from this file, so a move in the library changes one file. The library is CommonJS; these are
 * ESM imports of it.
 */
export * from '@lead-scoring/scoring-service/package';
export {
  auc,
  conversionByDecile,
  liftByDecile,
  topDecileLift,
  topDecileConversion,
  bottom20Conversion,
  deprioritizationEfficiency,
  poissonDeviance,
  poissonDevianceTerms,
  weightedMape,
  r2,
  psi,
  PERIODS,
  periodKey,
  groupBy,
  groupByPeriod,
  type Period,
} from '@lead-scoring/scoring-service/metrics';
export { importXgboostFile } from '@lead-scoring/scoring-service/importer';
export {
  exportWarehouse,
  scoreFile,
  writeScores,
  DEFAULT_DATASET,
  DEFAULT_ID_COLUMN,
  DEFAULT_LEADS_TABLE,
  type FileScore,
  type WarehouseExport,
  type WarehouseTarget,
} from '@lead-scoring/scoring-service/warehouse';
