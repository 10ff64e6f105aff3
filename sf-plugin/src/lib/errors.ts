/**
 * The one place the plugin's refusals take sf's shape: an SfError whose name is PascalCase and
 * ends in "Error" (core's NamedOrgNotFoundError, NoDefaultEnvError, ...), with the next step as
 * actions, which sf prints under "Try this:" and --json returns as `actions`.
 *
 * The library's PackageError carries a kebab-case code (`file-missing`); its name here is derived
 * from the code, so a code added to the library later gets a correct name with no edit here.
 */
import { Messages, SfError } from '@salesforce/core';
import type { PackageError } from './library.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.common');

/**
 * `file-missing` -> `FileMissingError`, `ModelImport:json-invalid` -> `ModelImportJsonInvalidError`,
 * `MappingFieldsInvalid` -> `MappingFieldsInvalidError`; a name already in that form is kept.
 */
export function errorName(codeOrName: string): string {
  const words = codeOrName
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  const pascal = words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  return /Error$/.test(pascal) ? pascal : `${pascal || 'Scoring'}Error`;
}

/** A refusal of the plugin's own: name normalised by errorName, actions as sf prints them. */
export function scoringError(name: string, message: string, actions?: string[]): SfError {
  return new SfError(message, errorName(name), actions?.length ? actions : undefined);
}

/**
 * Next steps for library refusals that have an obvious one, used when the error carries no actions
 * of its own. Keyed by code; a code missing here simply has no action.
 */
const PACKAGE_ACTIONS: Partial<Record<string, string>> = {
  'unknown-model': 'actions.unknown-model',
  'unknown-version': 'actions.unknown-version',
  'registry-missing': 'actions.registry-missing',
  'version-exists': 'actions.version-exists',
  'sha256-mismatch': 'actions.sha256-mismatch',
};

function packageActions(err: PackageError): string[] | undefined {
  if (err.actions?.length) return err.actions;
  const key = PACKAGE_ACTIONS[err.code];
  return key ? messages.getMessages(key) : undefined;
}

/** Core's "no such org" refusals, which sf prints without a next step unless it guesses a typo. */
const ORG_NOT_FOUND = new Set(['NamedOrgNotFoundError', 'NoDefaultEnvError']);

/**
 * Any error a command ends with, in sf's shape: a PackageError by its code (file, expected, actual
 * and field issues kept as data); core's unknown-org errors with the login action added; anything
 * else unchanged (the plugin's own refusals are built by scoringError or messages.createError).
 */
/** By shape, not instanceof: the library is CommonJS and may be loaded twice (ESM wrapper, test realms). */
function isPackageError(err: unknown): err is PackageError {
  return err instanceof Error && err.name === 'PackageError' && typeof (err as { code?: unknown }).code === 'string';
}

export function toSfError(err: unknown): unknown {
  if (isPackageError(err)) {
    // Through JSON: what --json prints, without the fields the error does not have.
    const data = JSON.parse(JSON.stringify({ code: err.code, file: err.file, expected: err.expected, actual: err.actual, issues: err.issues })) as Record<string, string>;
    return new SfError(err.message, errorName(err.code), packageActions(err), undefined, err).setData(data);
  }
  if (err instanceof SfError && ORG_NOT_FOUND.has(err.name)) {
    // Core's own name is kept: users and scripts match on it.
    const withLogin = new SfError(err.message, err.name, [...(err.actions ?? []), ...messages.getMessages('actions.org-not-found')], err.exitCode, err.cause);
    return err.data === undefined ? withLogin : withLogin.setData(err.data);
  }
  // The warehouse path's refusals (a leads file, a model BigQuery ML cannot import) already name the fix.
  if (err instanceof Error && (err.name === 'WarehouseInputError' || err.name === 'OnnxExportError')) return scoringError(err.name, err.message);
  return err;
}
