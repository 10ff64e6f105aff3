/**
 * `mapping deploy`'s describe check: every mapped field path must exist on the object (following
 * relationship names hop by hop) with a type the input can be read from.
 */
import type { Connection } from '@salesforce/core';
import type { FieldMapping } from './custom-metadata.js';

export type FieldCheck = FieldMapping & { inputType: string; fieldType: string | null; ok: boolean; problem?: string };

/** Salesforce field types (describe `type`) an input of each manifest type can be read from. */
export const COMPATIBLE_TYPES: Record<string, readonly string[]> = {
  number: ['double', 'int', 'long', 'percent', 'currency'],
  string: ['string', 'picklist', 'textarea', 'email', 'phone', 'url', 'combobox', 'id', 'reference'],
  boolean: ['boolean'],
  date: ['date', 'datetime'],
};

type DescribedField = { name: string; type: string; relationshipName?: string | null; referenceTo?: string[] };

export async function checkFields(conn: Connection, object: string, mappings: FieldMapping[], inputTypes: Map<string, string>): Promise<FieldCheck[]> {
  const describes = new Map<string, Promise<DescribedField[]>>();
  const describe = (sobject: string): Promise<DescribedField[]> => {
    const key = sobject.toLowerCase();
    if (!describes.has(key)) describes.set(key, conn.sobject(sobject).describe().then((d) => d.fields as unknown as DescribedField[]));
    return describes.get(key)!;
  };

  const checks: FieldCheck[] = [];
  for (const m of mappings) {
    const inputType = inputTypes.get(m.input) ?? 'unknown';
    const parts = m.field.split('.');
    let sobject = object;
    let field: DescribedField | undefined;
    let problem: string | undefined;
    for (let i = 0; i < parts.length && !problem; i++) {
      let fields: DescribedField[];
      try {
        fields = await describe(sobject);
      } catch (err) {
        problem = `cannot describe ${sobject}: ${(err as Error).message}`;
        break;
      }
      const last = i === parts.length - 1;
      if (last) {
        field = fields.find((f) => f.name.toLowerCase() === parts[i].toLowerCase());
        if (!field) problem = `${sobject}.${parts[i]} does not exist`;
      } else {
        const rel = fields.find((f) => f.relationshipName?.toLowerCase() === parts[i].toLowerCase());
        if (!rel?.referenceTo?.length) problem = `${sobject} has no relationship ${parts[i]}`;
        else sobject = rel.referenceTo[0];
      }
    }
    if (!problem && field && !(COMPATIBLE_TYPES[inputType] ?? []).includes(field.type)) {
      problem = `${sobject}.${field.name} is ${field.type}; a ${inputType} input needs ${(COMPATIBLE_TYPES[inputType] ?? []).join(' or ')}`;
    }
    checks.push({ ...m, inputType, fieldType: field?.type ?? null, ok: !problem, ...(problem ? { problem } : {}) });
  }
  return checks;
}
