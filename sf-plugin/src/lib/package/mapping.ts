/** The field mapping a version needs: each input's Salesforce field, from the manifest or an override file. */
import { promises as fs } from 'node:fs';
import { Messages } from '@salesforce/core';
import { scoringError } from '../errors.js';
import type { FieldMapping } from '../org/custom-metadata.js';
import type { Manifest } from '../library.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.mapping.deploy');

/** "Lead.Industry_Tenure_Months__c" -> "Industry_Tenure_Months__c" (paths are relative to the object). */
function relativeTo(object: string, field: string): string {
  const prefix = `${object}.`;
  return field.toLowerCase().startsWith(prefix.toLowerCase()) ? field.slice(prefix.length) : field;
}

export async function readOverrides(file: string | undefined): Promise<Record<string, string>> {
  if (!file) return {};
  const json = JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
  if (json === null || typeof json !== 'object' || Array.isArray(json) || !Object.values(json).every((v) => typeof v === 'string')) {
    throw scoringError('InvalidMappingFileError', messages.getMessage('error.invalidMappingFile', [file]));
  }
  return json as Record<string, string>;
}

/** One mapping per input of the manifests (union, by input name); refuses inputs with no field. */
export function mappingFor(manifests: Manifest[], object: string, overrides: Record<string, string> = {}): FieldMapping[] {
  const byInput = new Map<string, string | undefined>();
  for (const m of manifests) for (const input of m.inputs) if (!byInput.has(input.name)) byInput.set(input.name, input.field);
  const unknown = Object.keys(overrides).filter((k) => !byInput.has(k));
  if (unknown.length) throw scoringError('UnknownMappingInputsError', messages.getMessage('error.unknownInputs', [unknown.join(', ')]), messages.getMessages('error.unknownInputs.actions'));
  const missing = [...byInput].filter(([name, field]) => !overrides[name] && !field).map(([name]) => name);
  if (missing.length) {
    throw scoringError('UnmappedInputsError', messages.getMessage('error.unmappedInputs', [missing.join(', ')]), messages.getMessages('error.unmappedInputs.actions'));
  }
  return [...byInput]
    .map(([input, field]) => ({ input, field: relativeTo(object, overrides[input] ?? field!) }))
    .sort((a, b) => (a.input < b.input ? -1 : 1));
}

export function inputTypes(manifests: Manifest[]): Map<string, string> {
  const types = new Map<string, string>();
  for (const m of manifests) for (const i of m.inputs) types.set(i.name, i.type);
  return types;
}
