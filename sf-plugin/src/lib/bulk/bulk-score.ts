/**
 * `sf scoring score`: rescore a whole org through Bulk API 2.0. One query job reads the open leads
 * with every mapped field; its results are read a page at a time (locator + maxRecords), each
 * lead's inputs built as Apex builds them, scored in-process or by the service, and the page's
 * scores written back with update ingest jobs (each upload streamed from a file under the 150 MB
 * limit). A lead scored in real time since the read keeps that score. State is saved after each
 * page and each upload, so --resume continues where the run stopped. Up to PAGES_IN_FLIGHT pages'
 * ingest jobs run at once, as Salesforce processes jobs side by side.
 */
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import { Messages, type Connection } from '@salesforce/core';
import type { Progress } from '@salesforce/sf-plugins-core';
import { appendLedger, loadPackage, type LoadedPackage, type ScoringRecord } from '../library.js';
import { readOrgConfig, readOrgMapping, type FieldMapping } from '../org/custom-metadata.js';
import { INTEGRATION_PERMISSION_SET, unreadableFields } from '../org/field-access.js';
import { checkFields } from '../org/field-check.js';
import type { OrgIdentity } from '../org/identity.js';
import { inputTypes } from '../package/mapping.js';
import { currentActor } from '../workspace.js';
import { BulkClient, type JobInfo } from './bulk-api.js';
import { toInputValue } from './input-values.js';
import { latestUnfinished, saveState, zeroCounts, type Counts, type PendingPage, type RunState } from './run-state.js';
import { HISTORY_COLUMNS, HISTORY_OBJECT, SCORE_FIELDS, WRITE_COLUMNS, historyRow, scoreRow, type HistoryRole, type ScoredLead } from './score-fields.js';
import { scoreAll, type LeadScorer } from './scorers.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.score');

/** 150 MB per upload, measured after base64 encoding (4/3 of the bytes): raw uploads stay under 100 MB. */
export const MAX_UPLOAD_BYTES = 100_000_000;
/** Pages whose ingest jobs may be uploaded and not yet read back. */
export const PAGES_IN_FLIGHT = 3;

export type BulkScoreRequest = {
  conn: Connection;
  org: OrgIdentity;
  modelsDir: string;
  model: string;
  version?: string;
  where?: string;
  explainTop: number;
  /** Also insert a Lead_Score_History__c row per scored lead, as the Apex writer does. */
  history: boolean;
  dryRun: boolean;
  resume: boolean;
  stateRoot: string;
  pageSize: number;
  maxUploadBytes?: number;
  /** Scores a chunk; built once the package is loaded. */
  scorer: (pkg: LoadedPackage, options: { explainTop: number; asOf: string }) => Promise<LeadScorer>;
  serviceUrl?: string;
  pollIntervalMs?: number;
};

export type BulkScoreResult = Counts & {
  model: string;
  version: string;
  sha256: string;
  orgId: string;
  dryRun: boolean;
  resumed: boolean;
  complete: boolean;
  queryJobId: string;
  runDir?: string;
  ingestJobs: string[];
  failuresFile?: string;
  /** A failed ingest job: the run stopped after the page it belonged to. */
  stoppedBy?: string;
  durationMs: number;
  leadsPerSecond: number;
};

type Ux = { progress: Progress; log?: (msg: string) => void };

type PageLead = { id: string; tier: string; record: ScoringRecord };
type PreparedPage = { leads: Array<Omit<PageLead, 'record'>>; next: string | null; read: number; locator: string | null; scored: ScoredLead[] };

const iso = (ms: number): string => new Date(ms).toISOString();

/** The fields written must not be mapped inputs: the trigger requeues an update only when a mapped input changed. */
export function mappedScoreFields(mapping: FieldMapping[]): string[] {
  const written = new Set<string>(SCORE_FIELDS.map((f) => f.toLowerCase()));
  return mapping.filter((m) => written.has(m.field.toLowerCase())).map((m) => `${m.input} -> ${m.field}`);
}

export function leadQuery(paths: string[], where: string | undefined): string {
  const fields = [...new Set(['Id', 'Lead_Scored_At__c', 'Lead_Score_Tier__c', ...paths])];
  return `SELECT ${fields.join(', ')} FROM Lead WHERE IsConverted = false${where ? ` AND (${where})` : ''}`;
}

type Preflight = { pkg: LoadedPackage; mapping: Array<FieldMapping & { fieldType: string }>; role: HistoryRole };

async function preflight(request: BulkScoreRequest): Promise<Preflight> {
  const { conn, model } = request;
  const config = await readOrgConfig(conn, model);
  const version = request.version ?? config?.championVersion ?? undefined;
  if (!version) throw messages.createError('error.noVersion', [model]);
  const pkg = await loadPackage(request.modelsDir, model, version);
  const known = new Set(pkg.manifest.inputs.map((i) => i.name));
  const mapping = (await readOrgMapping(conn, model)).filter((m) => known.has(m.input));
  if (mapping.length === 0) throw messages.createError('error.noMapping', [model, version]);
  const requeue = mappedScoreFields(mapping);
  if (requeue.length) throw messages.createError('error.scoreFieldMapped', [requeue.join(', ')]);
  const { checks, hops } = await checkFields(conn, 'Lead', mapping, inputTypes([pkg.manifest]));
  const bad = checks.filter((c) => !c.ok);
  if (bad.length) throw messages.createError('error.badFields', [bad.map((c) => `${c.input} (${c.field}): ${c.problem ?? ''}`).join('; ')]);
  const unreadable = await unreadableFields(conn, INTEGRATION_PERMISSION_SET, hops);
  if (unreadable.size) {
    throw messages.createError('error.unreadable', [[...unreadable].map(([input, fields]) => `${input} (${fields.join(', ')})`).join(', '), INTEGRATION_PERMISSION_SET]);
  }
  if (request.history && !request.dryRun) {
    // Describe answers for the connected user: createable is their permission to insert the object and each field
    // (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm).
    const described = await conn.sobject(HISTORY_OBJECT).describe();
    const fields = new Map(described.fields.map((f) => [f.name, f.createable]));
    const blocked = described.createable ? HISTORY_COLUMNS.filter((f) => fields.get(f) !== true) : [HISTORY_OBJECT];
    if (blocked.length) throw messages.createError('error.historyNotCreatable', [blocked.join(', ')]);
  }
  // The version written to the Lead fields serves as the lead's score: its history role is the champion's,
  // unless it is the org's challenger (the Role__c picklist has these two values).
  const role: HistoryRole = config?.challengerVersion === version ? 'challenger' : 'champion';
  return { pkg, mapping: checks.map((c) => ({ input: c.input, field: c.field, fieldType: c.fieldType ?? 'string' })), role };
}

/** Leads the org holds a score for whose inputs were read after ours (a real-time score): never overwritten. */
async function scoredSince(conn: Connection, readAt: string): Promise<Set<string>> {
  const result = await conn.query<{ Id: string }>(`SELECT Id FROM Lead WHERE Lead_Scored_At__c > ${readAt.replace(/\.\d{3}Z$/, 'Z')}`, { autoFetch: true, maxFetch: 10_000_000 });
  return new Set(result.records.map((r) => r.Id));
}

async function readPage(
  bulk: BulkClient,
  state: RunState,
  locator: string | null,
  mapping: Array<FieldMapping & { fieldType: string }>,
  only: Set<string> | undefined,
): Promise<{ leads: PageLead[]; next: string | null; read: number }> {
  const page = await bulk.queryPage(state.queryJobId, locator ?? undefined, state.pageSize);
  const parser = page.body.pipe(parse({ columns: (header: string[]) => header.map((h) => h.toLowerCase()), relax_column_count: false }));
  const leads: PageLead[] = [];
  let read = 0;
  const columns = mapping.map((m) => ({ input: m.input, column: m.field.toLowerCase(), type: m.fieldType, field: m.field }));
  columns.sort((a, b) => (a.input < b.input ? -1 : 1));
  for await (const row of parser as AsyncIterable<Record<string, string>>) {
    read++;
    const id = row.id;
    if (only && !only.has(id)) continue;
    const inputs: Record<string, unknown> = {};
    for (const c of columns) inputs[c.input] = toInputValue(row[c.column], c.type, c.field);
    leads.push({ id, tier: row.lead_score_tier__c ?? '', record: { id, inputs } });
  }
  return { leads, next: page.next ?? null, read };
}

/** What an upload file holds, by its name: Lead updates (page-*.csv) or history inserts (history-*.csv). */
export function uploadTarget(file: string): { object: string; operation: 'update' | 'insert' } {
  return path.basename(file).startsWith('history-') ? { object: HISTORY_OBJECT, operation: 'insert' } : { object: 'Lead', operation: 'update' };
}

/** Writes rows into files of at most maxBytes each (header included): <prefix>-<page>-<n>.csv. */
async function writeUploads(runDir: string, prefix: 'page' | 'history', pageNo: number, columns: readonly string[], rows: Iterable<string[]>, maxBytes: number): Promise<string[]> {
  const files: string[] = [];
  const header = stringify([columns as string[]]);
  let out: ReturnType<typeof createWriteStream> | undefined;
  let bytes = 0;
  const close = async (): Promise<void> => {
    if (!out) return;
    out.end();
    await once(out, 'finish');
    out = undefined;
  };
  for (const row of rows) {
    const line = stringify([row]);
    const size = Buffer.byteLength(line);
    if (!out || bytes + size > maxBytes) {
      await close();
      const file = path.join(runDir, `${prefix}-${pageNo}-${files.length + 1}.csv`);
      files.push(file);
      out = createWriteStream(file);
      out.write(header);
      bytes = Buffer.byteLength(header);
      if (bytes + size > maxBytes) throw messages.createError('error.rowTooLarge', [maxBytes]);
    }
    if (!out.write(line)) await once(out, 'drain');
    bytes += size;
  }
  await close();
  return files;
}

async function csvRows(stream: NodeJS.ReadableStream): Promise<Array<Record<string, string>>> {
  const rows: Array<Record<string, string>> = [];
  for await (const row of stream.pipe(parse({ columns: true })) as AsyncIterable<Record<string, string>>) rows.push(row);
  return rows;
}

export async function bulkScore(ux: Ux, request: BulkScoreRequest): Promise<BulkScoreResult> {
  const started = Date.now();
  const { conn, org, model } = request;
  const { pkg, mapping, role } = await preflight(request);
  const bulk = new BulkClient(conn, { pollIntervalMs: request.pollIntervalMs });

  let runDir: string | undefined;
  let state: RunState;
  let resumed = false;
  const previous = request.resume ? await latestUnfinished(request.stateRoot, model, org.id) : undefined;
  if (request.resume && !previous) throw messages.createError('error.nothingToResume', [model, request.stateRoot]);
  if (previous) {
    if (previous.state.version !== pkg.version || previous.state.sha256 !== pkg.manifest.sha256) {
      throw messages.createError('error.resumeOtherVersion', [previous.state.version, pkg.version]);
    }
    ({ runDir, state } = previous);
    // A state written before history counts existed: those counts start at zero.
    state.counts = { ...zeroCounts(), ...state.counts };
    resumed = true;
  } else {
    const unfinished = request.dryRun ? undefined : await latestUnfinished(request.stateRoot, model, org.id);
    if (unfinished) throw messages.createError('error.unfinishedRun', [unfinished.state.queryJobId, unfinished.runDir]);
    const soql = leadQuery(mapping.map((m) => m.field), request.where);
    // Whole seconds, as Apex stores Lead_Scored_At__c; taken before the job reads anything.
    const readAtMs = Math.floor(Date.now() / 1000) * 1000;
    const job = await bulk.createQueryJob(soql);
    state = {
      model,
      version: pkg.version,
      sha256: pkg.manifest.sha256,
      orgId: org.id,
      queryJobId: job.id,
      soql,
      readAt: iso(readAtMs),
      asOf: iso(readAtMs).slice(0, 10),
      explainTop: request.explainTop,
      history: request.history,
      pageSize: request.pageSize,
      next: null,
      readDone: false,
      finished: false,
      pending: [],
      retries: [],
      pagesDone: 0,
      counts: zeroCounts(),
      ingestJobs: [],
      startedAt: iso(started),
      elapsedMs: 0,
    };
    if (!request.dryRun) {
      runDir = path.join(request.stateRoot, job.id);
      await saveState(runDir, state);
    }
  }
  const save = async (): Promise<void> => {
    if (runDir) await saveState(runDir, { ...state, elapsedMs: state.elapsedMs + (Date.now() - started) });
  };

  const queryInfo = await bulk.waitFor('query', state.queryJobId);
  if (queryInfo.state !== 'JobComplete') throw messages.createError('error.queryFailed', [state.queryJobId, queryInfo.state, queryInfo.errorMessage ?? 'no message']);
  const total = queryInfo.numberRecordsProcessed ?? 0;

  const failuresFile = runDir ? path.join(runDir, 'failures.csv') : undefined;
  const appendFailures = async (rows: Array<[string, string]>): Promise<void> => {
    if (!failuresFile || rows.length === 0) return;
    let exists = true;
    await fs.access(failuresFile).catch(() => (exists = false));
    await fs.appendFile(failuresFile, (exists ? '' : stringify([['sf__Id', 'sf__Error']])) + stringify(rows));
  };

  const c = state.counts;
  const progressPayload = (): Record<string, string | number> => {
    const seconds = (Date.now() - started) / 1000;
    return { scored: c.scored, written: c.written, failed: c.failed + c.unprocessed, rate: seconds > 0 ? Math.round(c.scored / seconds) : 0 };
  };
  ux.progress.start(total, progressPayload(), {
    title: messages.getMessage('progress.title', [pkg.name, pkg.version]),
    format: '%s | {bar} | {value}/{total} read | {scored} scored | {written} written | {failed} failed | {rate} leads/s | ETA {eta_formatted}',
  });
  ux.progress.update(c.read, progressPayload());

  let scorerReady: Promise<LeadScorer> | undefined;
  // The next page, read and scored while this one is written (see the loop).
  let ahead: Promise<PreparedPage> | undefined;
  let stoppedBy: string | undefined;
  try {
    /** Uploads the page's files that have no job yet (files[i] is jobs[i]), saving the state after each. */
    const uploadRemaining = async (pending: PendingPage): Promise<void> => {
      for (let i = pending.jobs.length; i < pending.files.length; i++) {
        const target = uploadTarget(pending.files[i]);
        const job = await bulk.ingestFromFile(target.object, target.operation, pending.files[i]);
        pending.jobs.push(job.id);
        state.ingestJobs.push(job.id);
        await save();
      }
    };

    /** Waits for a page's ingest jobs, reads their results, and takes the page off the pending list. */
    const finishPage = async (pending: PendingPage): Promise<void> => {
      // A run stopped between writing a page's files and uploading them uploads them now.
      await uploadRemaining(pending);
      const retryIds: string[] = [];
      for (const [j, jobId] of pending.jobs.entries()) {
        const info: JobInfo = await bulk.waitFor('ingest', jobId);
        const failed = await csvRows(await bulk.ingestResults(jobId, 'failedResults'));
        const succeeded = Math.max(0, (info.numberRecordsProcessed ?? 0) - (info.numberRecordsFailed ?? failed.length));
        const unprocessed = info.state === 'JobComplete' ? [] : await csvRows(await bulk.ingestResults(jobId, 'unprocessedrecords'));
        const reason = `NOT_PROCESSED: ingest job ${jobId} ${info.state}: ${info.errorMessage ?? 'no message'}`;
        if (info.state !== 'JobComplete') stoppedBy ??= `${jobId} (${info.state}: ${info.errorMessage ?? 'no message'})`;
        if (uploadTarget(pending.files[j]).object === HISTORY_OBJECT) {
          // An insert's failed rows have no record id: the lead's id says whose history row it was.
          await appendFailures(failed.map((r) => [r.Lead__c, `HISTORY ${r.sf__Error}`]));
          await appendFailures(unprocessed.map((r) => [r.Lead__c, `HISTORY ${reason}`]));
          c.historyWritten += succeeded;
          c.historyFailed += failed.length + unprocessed.length;
          continue;
        }
        await appendFailures(failed.map((r) => [r.sf__Id, r.sf__Error]));
        c.failed += failed.length;
        c.written += succeeded;
        await appendFailures(unprocessed.map((r) => [r.Id, reason]));
        c.unprocessed += unprocessed.length;
        retryIds.push(...unprocessed.map((r) => r.Id));
      }
      c.read += pending.read;
      c.scored += pending.scored;
      c.keptNewer += pending.keptNewer;
      state.pending = state.pending.filter((p) => p !== pending);
      state.pagesDone++;
      if (retryIds.length && runDir) {
        const idsFile = path.join(runDir, `retry-${pending.jobs[0]}.txt`);
        await fs.writeFile(idsFile, retryIds.join('\n'));
        state.retries.push({ locator: pending.locator, idsFile });
      }
      await save();
      for (const f of pending.files) await fs.rm(f, { force: true });
      ux.progress.update(c.read, progressPayload());
    };

    // A resumed run first reads back the jobs it had uploaded.
    for (const pending of [...state.pending]) await finishPage(pending);
    /** Reads a page and scores its leads. */
    const prepare = async (locator: string | null, only: Set<string> | undefined): Promise<PreparedPage> => {
      const page = await readPage(bulk, state, locator, mapping, only);
      scorerReady ??= request.scorer(pkg, { explainTop: state.explainTop, asOf: state.asOf });
      const scored = await scoreAll(await scorerReady, page.leads.map((l) => l.record));
      // The inputs are not needed once scored: only the id and the stored tier go on to the write.
      return { ...page, leads: page.leads.map(({ id, tier }) => ({ id, tier })), locator, scored };
    };
    // The next page is read and scored while this one is written: the workers score while the main
    // thread writes. It enters the state only once written, so a stop reads it again on --resume.
    while (!stoppedBy && (state.retries.length > 0 || !state.readDone)) {
      // Leads a failed ingest job left unprocessed: their page again, those leads only.
      const retry = state.retries[0];
      const only = retry ? new Set((await fs.readFile(retry.idsFile, 'utf8')).split('\n').filter(Boolean)) : undefined;
      const page = !retry && ahead ? await ahead : await prepare(retry ? retry.locator : state.next, only);
      ahead = undefined;
      if (!retry && page.next !== null) {
        ahead = prepare(page.next, undefined);
        // Awaited on the next turn; a failure is reported there, not as an unhandled rejection now.
        ahead.catch(() => undefined);
      }
      const { locator, scored } = page;
      if (request.dryRun) {
        c.read += page.read;
        c.scored += scored.length;
        state.next = page.next;
        state.readDone = page.next === null;
        ux.progress.update(c.read, progressPayload());
        continue;
      }
      // Read as late as possible: a real-time score that lands after this is kept by the lead trigger.
      const newer = await scoredSince(conn, state.readAt);
      const now = new Date().toISOString();
      const keptNewer = page.leads.filter((lead) => newer.has(lead.id)).length;
      // Rows are made as they are written, not held as a page of arrays.
      const leadRows = function* (): Iterable<string[]> {
        for (const [i, lead] of page.leads.entries()) if (!newer.has(lead.id)) yield scoreRow(lead.id, scored[i], state.readAt, lead.tier, now);
      };
      const historyRows = function* (): Iterable<string[]> {
        if (state.history) for (const [i, lead] of page.leads.entries()) yield historyRow(lead.id, scored[i], pkg.name, role, state.readAt);
      };
      const maxBytes = request.maxUploadBytes ?? MAX_UPLOAD_BYTES;
      const pageNo = state.ingestJobs.length + 1;
      // A file is made only for a first row: a page whose leads all kept a newer score uploads none.
      const files = [
        ...(await writeUploads(runDir!, 'page', pageNo, WRITE_COLUMNS, leadRows(), maxBytes)),
        ...(await writeUploads(runDir!, 'history', pageNo, HISTORY_COLUMNS, historyRows(), maxBytes)),
      ];
      // A retried page was read and scored before: its leads count once, as unprocessed turned written.
      const pending: PendingPage = { locator, read: retry ? 0 : page.read, scored: retry ? 0 : scored.length, keptNewer, jobs: [], files };
      if (retry) {
        c.unprocessed -= only!.size;
        state.retries.shift();
      } else {
        state.next = page.next;
        state.readDone = page.next === null;
      }
      state.pending.push(pending);
      await save();
      await uploadRemaining(pending);
      // Salesforce processes jobs side by side: keep a few pages in flight instead of waiting for each.
      while (state.pending.length > PAGES_IN_FLIGHT) await finishPage(state.pending[0]);
    }
    for (const pending of [...state.pending]) await finishPage(pending);
  } finally {
    // A page read ahead when the run stopped finishes scoring before the workers close.
    await ahead?.catch(() => undefined);
    await (await scorerReady?.catch(() => undefined))?.close();
    ux.progress.finish(progressPayload());
  }

  const durationMs = state.elapsedMs + (Date.now() - started);
  state.finished = state.readDone && state.pending.length === 0 && state.retries.length === 0;
  if (!request.dryRun) await save();
  const complete = state.finished && !stoppedBy;
  if (!request.dryRun) {
    await appendLedger(request.modelsDir, {
      action: 'bulk-score',
      model,
      version: pkg.version,
      sha256: pkg.manifest.sha256,
      org,
      actor: currentActor(),
      result: complete && c.failed === 0 && c.unprocessed === 0 && c.historyFailed === 0 ? 'ok' : 'fail',
      details: {
        ...c,
        complete,
        resumed,
        durationMs,
        queryJobId: state.queryJobId,
        ingestJobs: state.ingestJobs.length,
        where: request.where ?? null,
        scoredBy: request.serviceUrl ?? 'in-process',
        explainTop: state.explainTop,
        history: state.history,
      },
    });
  }
  return {
    ...c,
    model,
    version: pkg.version,
    sha256: pkg.manifest.sha256,
    orgId: org.id,
    dryRun: request.dryRun,
    resumed,
    complete,
    queryJobId: state.queryJobId,
    runDir,
    ingestJobs: state.ingestJobs,
    failuresFile: failuresFile && (c.failed > 0 || c.unprocessed > 0 || c.historyFailed > 0) ? failuresFile : undefined,
    stoppedBy,
    durationMs,
    leadsPerSecond: durationMs > 0 ? Math.round((c.scored / durationMs) * 1000) : 0,
  };
}

