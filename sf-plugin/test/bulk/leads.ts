/** Lead rows for the bulk server: the golden leads' inputs as the org would hold them, in Bulk CSV cells. */
import type { Manifest } from '../../src/lib/library.js';
import { LEAD_FIELDS } from '../helpers/fake-org.js';
import { mappingRows } from '../helpers/org-fixtures.js';
import type { LeadRow } from './bulk-server.js';

export type GoldenLead = { id: string; inputs: Record<string, unknown> };

/** Score fields force-app creates on Lead (describe types), besides the input fields. */
export const SCORE_FIELD_DESCRIBE = [
  ['Lead_Score__c', 'double'],
  ['Lead_Score_Scaled__c', 'double'],
  ['Lead_Score_Decile__c', 'double'],
  ['Lead_Score_Tier__c', 'picklist'],
  ['Lead_Score_Reasons__c', 'textarea'],
  ['Lead_Score_Model_Version__c', 'string'],
  ['Lead_Scored_At__c', 'datetime'],
  ['Lead_Score_Status__c', 'picklist'],
  ['Lead_Score_Top_Reason__c', 'string'],
  ['Lead_Score_Tier_Changed_At__c', 'datetime'],
].map(([name, type]) => ({ name, type }));

export const DESCRIBE: Array<{ name: string; type: string; permissionable?: boolean }> = [
  { name: 'Id', type: 'id', permissionable: false },
  ...LEAD_FIELDS,
  ...SCORE_FIELD_DESCRIBE,
];

/** A JSON input value written as the Bulk CSV cell of its field (the inverse the org applies). */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value);
}

export function leadRows(manifest: Manifest, golden: GoldenLead[], copies = 1): LeadRow[] {
  const mapping = mappingRows(manifest);
  const rows: LeadRow[] = [];
  for (let k = 0; k < copies; k++) {
    for (const g of golden) {
      const row: LeadRow = {
        Id: k === 0 ? g.id : `${g.id.slice(0, 12)}${String(k).padStart(6, '0')}`,
        Lead_Scored_At__c: '',
        Lead_Score_Tier__c: '',
      };
      for (const m of mapping) row[m.Field_Path__c] = cell(g.inputs[m.Input_Name__c]);
      rows.push(row);
    }
  }
  return rows;
}
