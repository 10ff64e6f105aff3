/**
 * Which mapped fields the integration user cannot read. Scoring runs as the integration user
 * (force-app's Lead_Scoring_Integration permission set), so a mapping that names a field the
 * permission set does not grant read on fails in the org on every lead, with no score.
 *
 * The grants are the permission set's FieldPermissions rows with PermissionsRead = true; Field is
 * "<SobjectType>.<API name>", lookups by their Id name (Lead.ConvertedAccountId). Fields that
 * describe marks not permissionable (Id, CreatedDate, required fields) are readable whenever the
 * object is, and have no row. Reading FieldPermissions needs View Setup and Configuration.
 * https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/object-fieldpermissions.html
 */
import type { Connection } from '@salesforce/core';
import { soqlString } from './custom-metadata.js';
import type { FieldHop } from './field-check.js';

export const INTEGRATION_PERMISSION_SET = 'Lead_Scoring_Integration';

/** "Object.Field" of every permissionable hop the permission set does not grant read on, per input. */
export async function unreadableFields(conn: Connection, permissionSet: string, hops: Map<string, FieldHop[]>): Promise<Map<string, string[]>> {
  const needed = [...hops.values()].flat().filter((h) => h.permissionable);
  const unreadable = new Map<string, string[]>();
  if (needed.length === 0) return unreadable;
  const objects = [...new Set(needed.map((h) => h.object))];
  const result = await conn.query<{ Field: string }>(
    `SELECT Field FROM FieldPermissions WHERE Parent.Name = ${soqlString(permissionSet)} AND PermissionsRead = true ` +
      `AND SobjectType IN (${objects.map(soqlString).join(', ')})`,
    { autoFetch: true },
  );
  const readable = new Set(result.records.map((r) => r.Field.toLowerCase()));
  for (const [input, path] of hops) {
    const missing = path.filter((h) => h.permissionable && !readable.has(`${h.object}.${h.field}`.toLowerCase())).map((h) => `${h.object}.${h.field}`);
    if (missing.length) unreadable.set(input, missing);
  }
  return unreadable;
}
