/**
 * The state of one bulk run, in its own folder (<state dir>/<query job id>/state.json), written
 * atomically (temp file + rename) after each finished page and each uploaded ingest job, so an
 * interrupted run resumes from the last finished page without rescoring or rewriting it.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

export type Counts = {
  read: number;
  scored: number;
  written: number;
  keptNewer: number;
  failed: number;
  unprocessed: number;
  /** Lead_Score_History__c rows inserted, and those Salesforce refused or did not process. */
  historyWritten: number;
  historyFailed: number;
};

export const zeroCounts = (): Counts => ({ read: 0, scored: 0, written: 0, keptNewer: 0, failed: 0, unprocessed: 0, historyWritten: 0, historyFailed: 0 });

/** A page whose ingest jobs were uploaded but not yet all read back. */
export type PendingPage = { locator: string | null; read: number; scored: number; keptNewer: number; jobs: string[]; files: string[] };

export type RunState = {
  model: string;
  version: string;
  sha256: string;
  orgId: string;
  queryJobId: string;
  soql: string;
  /** When the inputs were read (the query job's creation, whole seconds): Lead_Scored_At__c of every write. */
  readAt: string;
  asOf: string;
  explainTop: number;
  /** Whether each scored lead also gets a Lead_Score_History__c row. */
  history: boolean;
  pageSize: number;
  /** Locator of the next page to read; null for the first page. */
  next: string | null;
  /** True once the last page is read and uploaded. */
  readDone: boolean;
  /** True once every page is written and read back. */
  finished: boolean;
  pagesDone: number;
  counts: Counts;
  ingestJobs: string[];
  /** Pages whose ingest jobs are uploaded and not yet read back, oldest first. */
  pending: PendingPage[];
  /** Pages to write again for the leads a failed ingest job did not process (ids in idsFile). */
  retries: Array<{ locator: string | null; idsFile: string }>;
  startedAt: string;
  elapsedMs: number;
};

export const stateFile = (runDir: string): string => path.join(runDir, 'state.json');

export async function saveState(runDir: string, state: RunState): Promise<void> {
  await fs.mkdir(runDir, { recursive: true });
  const tmp = `${stateFile(runDir)}.${process.pid}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(state, null, 2));
  await fs.rename(tmp, stateFile(runDir));
}

async function readState(runDir: string): Promise<RunState | undefined> {
  try {
    return JSON.parse(await fs.readFile(stateFile(runDir), 'utf8')) as RunState;
  } catch {
    return undefined;
  }
}

/** The most recent unfinished run of this model in this org, with its folder. */
export async function latestUnfinished(stateRoot: string, model: string, orgId: string): Promise<{ runDir: string; state: RunState } | undefined> {
  let names: string[];
  try {
    names = await fs.readdir(stateRoot);
  } catch {
    return undefined;
  }
  const runs: Array<{ runDir: string; state: RunState }> = [];
  for (const name of names) {
    const runDir = path.join(stateRoot, name);
    const state = await readState(runDir);
    if (state && !state.finished && state.model === model && state.orgId === orgId) runs.push({ runDir, state });
  }
  return runs.sort((a, b) => (a.state.startedAt < b.state.startedAt ? 1 : -1))[0];
}
