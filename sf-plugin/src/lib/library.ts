/**
 * The one door into the scoring-service library, through the entry points its package.json
 * `exports` map declares (model package, metrics, importer). Commands import from here, so a
 * move in the library changes one file. The library is CommonJS; these are ESM imports of it.
 */
export {
  manifestSchema,
  ledgerEntrySchema,
  registrySchema,
  featureSignature,
  canonicalJson,
  readRegistry,
  setStatus,
  setAlias,
  compareVersions,
  resolveVersion,
  appendLedger,
  readLedger,
  findEntries,
  latestEntry,
  latestPassingSandboxValidation,
  missingSignoffs,
  signoffRoles,
  PackageError,
  loadPackage,
  present,
} from '@lead-scoring/scoring-service/package';
export type {
  Manifest,
  LedgerEntry,
  Registry,
  VersionStatus,
  InputSpec,
  LoadedPackage,
  ScoringRecord,
} from '@lead-scoring/scoring-service/package';
export { auc, liftByDecile, topDecileLift, topDecileConversion, bottom20Conversion, psi } from '@lead-scoring/scoring-service/metrics';
export { importXgboostFile } from '@lead-scoring/scoring-service/importer';
