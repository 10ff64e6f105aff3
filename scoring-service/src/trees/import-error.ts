import type { FieldIssue } from '../manifest/issues';

/** Why a model file could not be read into a TreeEnsemble. Callers switch on `code`, people read `message`. */
export type ModelImportErrorCode =
  | 'json-invalid'
  | 'unsupported-booster'
  | 'unsupported-objective'
  | 'categorical-splits'
  | 'multi-class'
  | 'multi-target'
  | 'invalid-base-score'
  | 'invalid-tree'
  | 'onnx-invalid'
  | 'onnx-unsupported'
  | 'metadata-invalid'
  | 'manifest-invalid'
  | 'package-file-invalid'
  | 'version-exists';

export class ModelImportError extends Error {
  readonly code: ModelImportErrorCode;
  readonly issues?: FieldIssue[];

  constructor(code: ModelImportErrorCode, message: string, issues?: FieldIssue[]) {
    super(message);
    this.name = 'ModelImportError';
    this.code = code;
    this.issues = issues;
  }
}
