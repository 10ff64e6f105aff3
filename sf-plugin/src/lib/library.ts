/**
 * The one door into the scoring-service library (model package schemas, registry, ledger,
 * loader, metrics, local scoring). Commands import from here, so a move in the library
 * changes one file. The library is CommonJS; these are ESM imports of its compiled dist.
 */
export { manifestSchema, ledgerEntrySchema, registrySchema } from '@lead-scoring/scoring-service/dist/manifest/schema.js';
export type { Manifest, LedgerEntry, Registry, VersionStatus, InputSpec } from '@lead-scoring/scoring-service/dist/manifest/schema.js';
export { featureSignature, canonicalJson } from '@lead-scoring/scoring-service/dist/manifest/signature.js';
export {
  readRegistry,
  setStatus,
  setAlias,
  compareVersions,
  resolveVersion,
} from '@lead-scoring/scoring-service/dist/package/registry.js';
export {
  appendLedger,
  readLedger,
  findEntries,
  latestEntry,
  latestPassingSandboxValidation,
  missingSignoffs,
  signoffRoles,
} from '@lead-scoring/scoring-service/dist/package/ledger.js';
export { PackageError } from '@lead-scoring/scoring-service/dist/package/errors.js';
export { loadPackage } from '@lead-scoring/scoring-service/dist/package/loader.js';
export type { LoadedPackage } from '@lead-scoring/scoring-service/dist/package/loader.js';
export type { ScoringRecord } from '@lead-scoring/scoring-service/dist/features/pipeline.js';
export { auc, liftByDecile, topDecileLift, topDecileConversion, bottom20Conversion, psi } from '@lead-scoring/scoring-service/dist/metrics/index.js';
export { importXgboostFile } from '@lead-scoring/scoring-service/dist/importer/index.js';
