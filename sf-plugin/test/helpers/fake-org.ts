/**
 * A fake org behind TestContext.fakeConnectionRequest: answers the SOQL, describe and Apex REST
 * requests the commands make, from plain data the test controls, and records every request.
 */
import type { AnyJson } from '@salesforce/ts-types';

export type FakeOrg = {
  isSandbox: boolean;
  config?: Record<string, unknown>;
  mappings: { Input_Name__c: string; Field_Path__c: string }[];
  namedCredentialEndpoint?: string;
  leadFields: { name: string; type: string; relationshipName?: string | null; referenceTo?: string[]; permissionable?: boolean }[];
  /** Per permission set (API name), the "Object.Field" it grants read on: its FieldPermissions rows with PermissionsRead. */
  grants: Record<string, string[]>;
  leads: { Id: string }[];
  history: Record<string, unknown>[];
  /** Apex REST /scoring/v1/validate handler. */
  validate?: (body: { leadIds: string[]; version?: string }) => unknown;
  requests: { method: string; url: string; body?: string }[];
};

export function newFakeOrg(overrides: Partial<FakeOrg> = {}): FakeOrg {
  return {
    isSandbox: true,
    mappings: [],
    leadFields: [],
    grants: { Lead_Scoring_Integration: LEAD_FIELDS.map((f) => `Lead.${f.name}`) },
    leads: [],
    history: [],
    requests: [],
    ...overrides,
  };
}

const query = (records: unknown[]): AnyJson => ({ totalSize: records.length, done: true, records }) as AnyJson;

export function fakeOrgRequests(org: FakeOrg): (request: AnyJson) => Promise<AnyJson> {
  return async (request: AnyJson) => {
    const req = (typeof request === 'string' ? { url: request } : request) as { method?: string; url: string; body?: string };
    const method = (req.method ?? 'GET').toUpperCase();
    org.requests.push({ method, url: req.url, body: req.body });
    const url = new URL(req.url, 'https://fake.my.salesforce.com');
    if (url.pathname.endsWith('/query')) {
      const soql = url.searchParams.get('q') ?? '';
      if (/FROM Organization/i.test(soql)) return query([{ Name: 'Fake', InstanceName: 'CS1', IsSandbox: org.isSandbox, TrialExpirationDate: null }]);
      if (/FROM Scoring_Model_Config__mdt/i.test(soql)) return query(org.config ? [org.config] : []);
      if (/FROM Scoring_Field_Mapping__mdt/i.test(soql)) return query(org.mappings);
      if (/FROM NamedCredential/i.test(soql)) return query(org.namedCredentialEndpoint ? [{ Endpoint: org.namedCredentialEndpoint }] : []);
      if (/FROM Lead_Score_History__c/i.test(soql)) return query(org.history);
      if (/FROM FieldPermissions/i.test(soql)) {
        const permissionSet = /Parent\.Name = '([^']+)' AND PermissionsRead = true AND SobjectType IN \(([^)]*)\)/.exec(soql);
        if (!permissionSet) throw new Error(`fake org: unexpected grants query ${soql}`);
        const objects = permissionSet[2].split(',').map((o) => o.trim().replace(/^'|'$/g, ''));
        const granted = (org.grants[permissionSet[1]] ?? []).filter((f) => objects.includes(f.split('.')[0]));
        return query(granted.map((Field) => ({ Field, SobjectType: Field.split('.')[0], PermissionsRead: true })));
      }
      if (/FROM Lead\b/i.test(soql)) {
        const limit = Number(/LIMIT (\d+)/i.exec(soql)?.[1] ?? org.leads.length);
        return query(org.leads.slice(0, limit));
      }
      throw new Error(`fake org: unexpected query ${soql}`);
    }
    if (/\/sobjects\/Lead\/describe$/.test(url.pathname)) return { name: 'Lead', fields: org.leadFields } as AnyJson;
    if (url.pathname === '/services/apexrest/scoring/v1/validate' && method === 'POST') {
      if (!org.validate) throw new Error('fake org: no validate resource');
      return org.validate(JSON.parse(req.body ?? '{}') as { leadIds: string[]; version?: string }) as AnyJson;
    }
    throw new Error(`fake org: unexpected ${method} ${req.url}`);
  };
}

/** The Lead fields force-app creates, with their describe types, for the lead-scoring inputs. */
export const LEAD_FIELDS: FakeOrg['leadFields'] = [
  ['LeadSource', 'picklist'],
  ['Industry', 'picklist'],
  ['Seniority__c', 'picklist'],
  ['Firm_Type__c', 'picklist'],
  ['Is_IA_Rep__c', 'boolean'],
  ['Tenure_At_Firm_Months__c', 'double'],
  ['Industry_Tenure_Months__c', 'double'],
  ['Years_Experience__c', 'double'],
  ['Prior_Firms__c', 'double'],
  ['Mobility_Score__c', 'double'],
  ['Recent_Mover__c', 'boolean'],
  ['Firm_Bleeding__c', 'boolean'],
  ['Firm_AUM_MUSD__c', 'currency'],
  ['Firm_Headcount_Change_Pct__c', 'percent'],
  ['Licenses_Count__c', 'double'],
  ['Has_Series_65__c', 'boolean'],
  ['Email_Opens_90d__c', 'double'],
  ['Email_Clicks_90d__c', 'double'],
  ['Web_Visits_30d__c', 'double'],
  ['Event_Attended__c', 'boolean'],
  ['LastActivityDate', 'date'],
  ['CreatedDate', 'datetime'],
  ['Has_Phone__c', 'boolean'],
].map(([name, type]) => ({ name, type }));
