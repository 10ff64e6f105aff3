/**
 * Which org a command talks to, as the ledger records it. Production or sandbox comes from the
 * org itself, asked every time (Organization.IsSandbox), never from its alias or a cached auth field.
 */
import type { Org } from '@salesforce/core';

export type OrgIdentity = { id: string; username?: string; instanceUrl?: string; isSandbox: boolean };

export async function identifyOrg(org: Org): Promise<OrgIdentity> {
  const info = await org.retrieveOrganizationInformation();
  const isSandbox = info.IsSandbox === true;
  const conn = org.getConnection();
  return { id: org.getOrgId(), username: org.getUsername(), instanceUrl: conn.instanceUrl, isSandbox };
}

export const orgLabel = (o: OrgIdentity): string => `${o.username ?? o.id} (${o.isSandbox ? 'sandbox' : 'production'})`;
