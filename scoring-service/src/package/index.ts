/**
 * The model package as other tools see it (the `@lead-scoring/scoring-service/package` entry point):
 * the manifest contract, loading and verifying a package, the registry and the ledger, and what a
 * prediction becomes for a person (scaled score, decile, tier). Loads no ONNX Runtime.
 */
export {
  manifestSchema,
  ledgerEntrySchema,
  registrySchema,
  type Manifest,
  type LedgerEntry,
  type Registry,
  type VersionStatus,
  type RolloutState,
  rolloutStateSchema,
  type InputSpec,
  type SignoffRole,
  PRE_DEPLOYMENT_ROLES,
  POST_DEPLOYMENT_ROLES,
} from '../manifest/schema';
export { featureSignature, canonicalJson } from '../manifest/signature';
export { PackageError, type PackageErrorCode } from './errors';
export { loadPackage, loadPackageDir, parseManifest, type LoadedPackage } from './loader';
export {
  readRegistry,
  setStatus,
  setAlias,
  compareVersions,
  resolveVersion,
  requireModel,
  requireVersion,
  removeVersion,
  setRollout,
  type RolloutChange,
} from './registry';
export {
  appendLedger,
  readLedger,
  findEntries,
  latestEntry,
  latestPassingSandboxValidation,
  latestPassingWarehouseVerify,
  missingSignoffs,
  signoffRoles,
  orgsThatReceived,
} from './ledger';
export type { ScoringRecord } from '../features/pipeline';
export { present, scaledScore, decileOf, tierOf, countConfidence, type Presented } from '../manifest/outputs';
export { demandRecords, DemandTotals, type DemandRow, type ProductTotal } from '../manifest/demand';
export {
  countRollbackThresholds,
  crossesThreshold,
  DEFAULT_COUNT_MARGIN,
  DEFAULT_CONSECUTIVE_CYCLES,
  type CountThreshold,
  type CountRollback,
} from '../manifest/count-rollback';
export { leadTargets, meetsTarget, CHECKLIST_TARGETS, type LeadTarget } from '../manifest/lead-targets';
