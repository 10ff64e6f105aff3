/**
 * `mapping deploy`'s describe check: every mapped field path must exist on the object (following
 * relationship names hop by hop) with a type the input can be read from. Each path's hops (the
 * fields read on the way, lookups included) are returned too, for the field-level security check.
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

type DescribedField = { name: string; type: string; relationshipName?: string | null; referenceTo?: string[]; permissionable?: boolean };

/** One field read on a mapped path; `permissionable` false means field-level security does not apply to it (describe). */
export type FieldHop = { object: string; field: string; permissionable: boolean };

export type FieldChecks = { checks: FieldCheck[]; hops: Map<string, FieldHop[]> };

export async function checkFields(conn: Connection, object: string, mappings: FieldMapping[], inputTypes: Map<string, string>): Promise<FieldChecks> {
  const describes = new Map<string, Promise<DescribedField[]>>();
  const describe = (sobject: string): Promise<DescribedField[]> => {
    const key = sobject.toLowerCase();
    if (!describes.has(key)) describes.set(key, conn.sobject(sobject).describe().then((d) => d.fields as unknown as DescribedField[]));
    return describes.get(key)!;
  };

  const checks: FieldCheck[] = [];
  const hops = new Map<string, FieldHop[]>();
  for (const m of mappings) {
    const path: FieldHop[] = [];
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
        else path.push({ object: sobject, field: field.name, permissionable: field.permissionable !== false });
      } else {
        const rel = fields.find((f) => f.relationshipName?.toLowerCase() === parts[i].toLowerCase());
        if (!rel?.referenceTo?.length) problem = `${sobject} has no relationship ${parts[i]}`;
        else {
          path.push({ object: sobject, field: rel.name, permissionable: rel.permissionable !== false });
          sobject = rel.referenceTo[0];
        }
      }
    }
    if (!problem && field && !(COMPATIBLE_TYPES[inputType] ?? []).includes(field.type)) {
      problem = `${sobject}.${field.name} is ${field.type}; a ${inputType} input needs ${(COMPATIBLE_TYPES[inputType] ?? []).join(' or ')}`;
    }
    checks.push({ ...m, inputType, fieldType: field?.type ?? null, ok: !problem, ...(problem ? { problem } : {}) });
    hops.set(m.input, path);
  }
  return { checks, hops };
}
