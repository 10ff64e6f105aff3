/**
 * Before an org is pointed at a version, the service must serve exactly that artifact:
 * present already, or loaded now through the admin route; either way its sha256 must be
 * the package's.
 */
import type { Connection } from '@salesforce/core';
import { soqlString } from '../org/custom-metadata.js';
import type { ServiceClient } from './client.js';
import type { ReplicaAgreement } from './replicas.js';
import { serviceError } from './messages.js';

export type ServiceCheck = {
  url: string;
  source: 'flag' | 'named-credential';
  loaded: boolean;
  sha256: string | null;
  /** Every sampled answer came from this serving set (see replicas.ts); set once the check has run. */
  replicas?: ReplicaAgreement;
};

/** The service URL: --service-url / SCORING_SERVICE_URL, else the endpoint of the org's Named Credential. */
export async function resolveServiceUrl(conn: Connection, flagUrl: URL | undefined, namedCredential: string): Promise<{ url: string; source: ServiceCheck['source'] }> {
  if (flagUrl) return { url: flagUrl.toString(), source: 'flag' };
  const result = await conn.query<{ Endpoint: string | null }>(
    `SELECT Endpoint FROM NamedCredential WHERE DeveloperName = ${soqlString(namedCredential)}`,
  );
  const endpoint = result.records[0]?.Endpoint;
  if (!endpoint) {
    throw serviceError('error.serviceUrlMissing', 'ServiceUrlMissingError', [namedCredential], true);
  }
  return { url: endpoint, source: 'named-credential' };
}

export async function ensureServed(
  client: ServiceClient,
  url: string,
  source: ServiceCheck['source'],
  model: string,
  version: string,
  sha256: string,
): Promise<ServiceCheck> {
  let served = await client.getVersion(model, version);
  let loaded = false;
  if (!served) {
    served = await client.loadVersion(model, version, sha256);
    loaded = true;
  }
  if (served.sha256 && served.sha256 !== sha256) {
    throw serviceError('error.artifactMismatch', 'ServiceArtifactMismatchError', [url, model, version, served.sha256, sha256], true);
  }
  return { url, source, loaded, sha256: served.sha256 ?? null };
}
