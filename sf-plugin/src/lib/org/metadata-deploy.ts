/**
 * Deploys generated custom metadata records with @salesforce/source-deploy-retrieve,
 * from an in-memory source tree (nothing is written to the user's project).
 */
import path from 'node:path';
import { Messages, type Connection, type SfError } from '@salesforce/core';
import { scoringError } from '../errors.js';
import type { Spinner } from '@salesforce/sf-plugins-core';
import { ComponentSet, VirtualTreeContainer, type MetadataApiDeployStatus } from '@salesforce/source-deploy-retrieve';
import type { MetadataRecordFile } from './custom-metadata.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.common');

export type DeployProgress = { status: string; done: number; total: number };

export type MetadataDeployOutcome = {
  id: string;
  success: boolean;
  status: string;
  componentsDeployed: number;
  failures: { component: string; problem: string }[];
};

// A fixed virtual root; the path never touches the disk.
const ROOT = path.join(path.sep, 'scoring-plugin-virtual', 'customMetadata');

export function componentSetFor(records: MetadataRecordFile[]): ComponentSet {
  const tree = new VirtualTreeContainer([
    { dirPath: ROOT, children: records.map((r) => ({ name: r.fileName, data: Buffer.from(r.xml, 'utf8') })) },
  ]);
  return ComponentSet.fromSource({ fsPaths: [ROOT], tree });
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Deploys the records, reporting progress while the Metadata API works, and waits for the outcome. */
export async function deployRecords(
  conn: Connection,
  records: MetadataRecordFile[],
  onProgress: (p: DeployProgress) => void,
  options: { waitMinutes?: number } = {},
): Promise<MetadataDeployOutcome> {
  const components = componentSetFor(records);
  const deploy = await components.deploy({ usernameOrConnection: conn });
  deploy.onUpdate((s: MetadataApiDeployStatus) =>
    onProgress({ status: String(s.status), done: Number(s.numberComponentsDeployed ?? 0), total: Number(s.numberComponentsTotal ?? records.length) }),
  );
  // Frequency in ms, timeout in seconds (SDR's numeric overload).
  const result = await deploy.pollStatus(1000, (options.waitMinutes ?? 10) * 60);
  const response = result.response;
  const failures = asArray(response.details?.componentFailures).map((f) => ({
    component: `${f.componentType ?? ''}${f.componentType ? ':' : ''}${f.fullName}`,
    problem: f.problem ?? 'failed',
  }));
  if (!response.success && failures.length === 0 && response.errorMessage) {
    failures.push({ component: '(deploy)', problem: response.errorMessage });
  }
  return {
    id: response.id,
    success: Boolean(response.success) && failures.length === 0,
    status: String(response.status),
    componentsDeployed: Number(response.numberComponentsDeployed ?? 0),
    failures,
  };
}

/** deployRecords with its progress on the spinner: the config record of a release, the mapping records of mapping deploy. */
export async function deployWithSpinner(spinner: Spinner, conn: Connection, records: MetadataRecordFile[], title: string, waitMinutes: number): Promise<MetadataDeployOutcome> {
  spinner.start(title);
  const outcome = await deployRecords(
    conn,
    records,
    (p) => {
      spinner.status = messages.getMessage('spinner.deployProgress', [p.status, p.done, p.total]);
    },
    { waitMinutes },
  );
  spinner.stop(outcome.status);
  return outcome;
}

/** A failed Metadata API deploy: the same error, with the component problems as data, in every command that deploys. */
export function metadataDeployFailed(outcome: MetadataDeployOutcome): SfError {
  const described = outcome.failures.map((f) => `- ${f.component}: ${f.problem}`).join('\n');
  return scoringError('MetadataDeployFailedError', messages.getMessage('error.deployFailed', [outcome.id, described]), messages.getMessages('error.deployFailed.actions')).setData({ failures: outcome.failures });
}
