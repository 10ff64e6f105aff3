/**
 * @deprecated PackageError (package/errors.ts) is the one error for model files and packages;
 * these aliases stay only while src/cli/import.ts still names them.
 */
export { PackageError as ModelImportError, type PackageErrorCode as ModelImportErrorCode } from '../package/errors';
