export { importXgboost, type ImportXgboostOptions, type ImportedModel } from './import-xgboost';
export { manifestSkeleton, TASK_BY_OBJECTIVE } from './skeleton';
export { featureColumnNames } from './columns';
export {
  collectPackageFiles,
  checkPackageFiles,
  fileHashes,
  writeImportedPackage,
  nextPatchVersion,
  MODEL_FILE,
  MANIFEST_FILE,
  type PackageFiles,
  type WrittenPackage,
  type PlannedFile,
} from './write-package';
export { importXgboostFile, type ImportFileOptions } from './import-file';
