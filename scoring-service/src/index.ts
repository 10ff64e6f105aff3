/**
 * The scoring service as a library (what the sf CLI plugin and scripts import): the package
 * contract, loading and verifying packages, features, metrics, the XGBoost importer,
 * explanations, in-process inference, and the service itself.
 */
export * from './manifest/schema';
export { featureSignature, canonicalJson } from './manifest/signature';
export { PackageError, type PackageErrorCode } from './package/errors';
export { loadPackage, loadPackageDir, loadServingSet, parseManifest, type LoadedPackage } from './package/loader';
export * from './package/registry';
export * from './package/ledger';
export { compilePipeline, type FeaturePipeline, type FeatureBlock, type ScoringRecord } from './features/pipeline';
export { InputValidationError, type InputProblem } from './features/errors';
export * as metrics from './metrics';
export * as importer from './importer';
export * as explain from './explain';
export * as warehouse from './warehouse';
export type { TreeEnsemble, Tree } from './trees/ensemble';
export { treeEnsembleFromOnnx } from './trees/from-onnx';
export { parseXgboostModel, treeEnsembleFromXgboost } from './trees/from-xgboost';
export { predict, predictMargin, inverseLink } from './trees/predict';
export { createSession, predictRows, runRaw } from './inference/session';
export { WorkerPool, WorkerCrashedError, type PoolOptions } from './inference/pool';
export { present, scaledScore, decileOf, tierOf, countConfidence } from './manifest/outputs';
export { canaryBucket, goesToChallenger } from './service/usecases/canary';
export { loadConfig, configSchema, type Config } from './service/ops/config';
export { createService, type Service } from './service/service';
export { openApiDocument } from './service/http/openapi';
export { routes } from './service/http/routes';
export type { RouteDeclaration } from './service/http/route';
export * as schemas from './service/http/schemas';
