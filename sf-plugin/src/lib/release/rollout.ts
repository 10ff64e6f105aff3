/**
 * The second half of every release: make sure the service serves the version the org is about
 * to use, then deploy the org's new config record and wait for it.
 */
import type { Connection } from '@salesforce/core';
import type { Spinner } from '@salesforce/sf-plugins-core';
import { configRecord, type ModelConfig, type RollbackThresholds } from '../org/custom-metadata.js';
import { deployWithSpinner, type MetadataDeployOutcome } from '../org/metadata-deploy.js';
import { ServiceClient } from '../service/client.js';
import { ensureServed, resolveServiceUrl, type ServiceCheck } from '../service/check.js';
import { checkReplicasAgree } from '../service/replicas.js';
import { releaseMessages as messages } from './messages.js';

export type Rollout = { service: ServiceCheck; outcome: MetadataDeployOutcome };

export type RolloutRequest = {
  serviceUrl?: URL;
  config: ModelConfig;
  /** The champion's rollback criteria, written into the config record for the org's weekly job. */
  rollback: RollbackThresholds;
  serve: { version: string; sha256: string };
  orgLabel: string;
  wait: number;
};

export async function rollOutConfig(spinner: Spinner, conn: Connection, request: RolloutRequest): Promise<Rollout> {
  spinner.start(messages.getMessage('spinner.service'));
  const { url, source } = await resolveServiceUrl(conn, request.serviceUrl, request.config.namedCredential);
  const client = new ServiceClient({ baseUrl: url, apiKey: process.env.SCORING_API_KEY, adminKey: process.env.SCORING_ADMIN_KEY });
  const target = { model: request.config.modelName, version: request.serve.version, sha256: request.serve.sha256 };
  const served = await ensureServed(client, url, source, target.model, target.version, target.sha256);
  spinner.stop(messages.getMessage(served.loaded ? 'spinner.service.loaded' : 'spinner.service.serving'));
  // Before the org switches: every replica behind the URL serves the same set, with this artifact.
  spinner.start(messages.getMessage('spinner.replicas'));
  const replicas = await checkReplicasAgree(client, url, target);
  spinner.stop(messages.getMessage('spinner.replicas.agree', [replicas.samples, replicas.digest]));
  const service: ServiceCheck = { ...served, replicas };

  const record = configRecord(request.config, request.rollback);
  const outcome = await deployWithSpinner(spinner, conn, [record], messages.getMessage('spinner.deployRecord', [record.fileName, request.orgLabel]), request.wait);
  return { service, outcome };
}
