/**
 * The shared second half of deploy, promote and rollback: make sure the service serves the
 * version the org is about to use, then deploy the org's new config record and wait for it.
 */
import type { Connection } from '@salesforce/core';
import type { Spinner } from '@salesforce/sf-plugins-core';
import { configRecord, type ModelConfig } from './custom-metadata.js';
import { deployRecords, type MetadataDeployOutcome } from './metadata-deploy.js';
import { ServiceClient } from './service-client.js';
import { ensureServed, resolveServiceUrl, type ServiceCheck } from './service-check.js';

export type Rollout = { service: ServiceCheck; outcome: MetadataDeployOutcome };

export async function rollOutConfig(
  spinner: Spinner,
  conn: Connection,
  options: { serviceUrl?: URL; config: ModelConfig; serve: { version: string; sha256: string }; orgLabel: string; waitMinutes: number },
): Promise<Rollout> {
  spinner.start('Checking the scoring service');
  const { url, source } = await resolveServiceUrl(conn, options.serviceUrl, options.config.namedCredential);
  const client = new ServiceClient({ baseUrl: url, apiKey: process.env.SCORING_API_KEY, adminKey: process.env.SCORING_ADMIN_KEY });
  const service = await ensureServed(client, url, source, options.config.modelName, options.serve.version, options.serve.sha256);
  spinner.stop(service.loaded ? 'loaded the version' : 'serving');

  const record = configRecord(options.config);
  spinner.start(`Deploying ${record.fileName} to ${options.orgLabel}`);
  const outcome = await deployRecords(conn, [record], (p) => {
    spinner.status = `${p.status} ${p.done}/${p.total}`;
  }, { waitMinutes: options.waitMinutes });
  spinner.stop(outcome.status);
  return { service, outcome };
}

export const describeFailures = (outcome: MetadataDeployOutcome): string => outcome.failures.map((f) => `- ${f.component}: ${f.problem}`).join('\n');
