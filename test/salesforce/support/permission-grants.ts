/** The integration permission set's rule, shared by permission-grants.test.ts and the mapping generate test. */

export type Grant = Record<string, string | undefined>;
export type PermissionSet = { fieldPermissions?: Grant[]; objectPermissions?: Grant[]; classAccesses?: Grant[] };

/** What the integration permission set lacks for the fields it must read and the fields it must write. */
export function integrationProblems(permissionSet: PermissionSet, mustRead: string[], mustEdit: string[]): string[] {
  const grants = new Map((permissionSet.fieldPermissions ?? []).map((g) => [g.field ?? '', g]));
  const problems: string[] = [];
  for (const field of mustRead) {
    if (grants.get(field)?.readable !== 'true') problems.push(`${field}: no read (a mapped input)`);
  }
  for (const field of mustEdit) {
    if (grants.get(field)?.editable !== 'true') problems.push(`${field}: no edit (LeadScoreWriter writes it)`);
  }
  return problems;
}
