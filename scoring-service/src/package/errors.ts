import type { FieldIssue } from '../manifest/issues';

/**
 * Why a model file, package, registry or ledger was refused: by the loader, the importer or the
 * tree readers alike. Callers switch on `code`, people read `message`.
 */
export type PackageErrorCode =
  | 'file-missing'
  | 'file-unreadable'
  | 'json-invalid'
  | 'manifest-invalid'
  | 'registry-invalid'
  | 'registry-missing'
  | 'registry-conflict'
  | 'ledger-invalid'
  | 'snapshot-invalid'
  | 'background-invalid'
  | 'sha256-mismatch'
  | 'signature-mismatch'
  | 'columns-mismatch'
  | 'onnx-invalid'
  | 'onnx-input-mismatch'
  | 'identity-mismatch'
  | 'unknown-model'
  | 'unknown-version'
  // The importer's and the tree readers' (XGBoost JSON, ONNX) own refusals:
  | 'unsupported-booster'
  | 'unsupported-objective'
  | 'categorical-splits'
  | 'multi-class'
  | 'multi-target'
  | 'invalid-base-score'
  | 'invalid-tree'
  | 'onnx-unsupported'
  | 'metadata-invalid'
  | 'package-file-invalid'
  | 'version-exists';

export interface PackageErrorDetails {
  /** The file the problem is in (absolute or relative to the models directory). */
  file?: string;
  expected?: string | number;
  actual?: string | number;
  /** Field-level problems (schema validation). */
  issues?: FieldIssue[];
  actions?: string[];
}

export class PackageError extends Error {
  readonly code: PackageErrorCode;
  readonly file?: string;
  readonly expected?: string | number;
  readonly actual?: string | number;
  readonly issues?: FieldIssue[];
  readonly actions?: string[];

  constructor(code: PackageErrorCode, message: string, details: PackageErrorDetails = {}) {
    super(message);
    this.name = 'PackageError';
    this.code = code;
    this.file = details.file;
    this.expected = details.expected;
    this.actual = details.actual;
    this.issues = details.issues;
    this.actions = details.actions;
  }
}
