/**
 * A small Bulk API 2.0 server that follows the documented protocol, for the bulk path's tests and
 * bench (no org is reachable here), plus the few REST answers the command needs (SOQL, describe).
 *
 * Query jobs: create (state UploadComplete), poll (InProgress, then JobComplete), results paged by
 *   maxRecords with the next page's locator in Sforce-Locator and the string "null" after the last;
 *   https://developer.salesforce.com/docs/platform/api-asynch/guide/query-get-job-results.md
 *   (create: .../query-create-job.html; the job reads the records when it runs, so a later change
 *   is not in its results).
 * Ingest jobs: create (Open), one upload per job (PUT .../batches; a second is refused, the job is
 *   no longer Open), PATCH state UploadComplete, poll, successfulResults (sf__Id, sf__Created),
 *   failedResults (sf__Id, sf__Error), unprocessedrecords (the original rows); results are not
 *   in upload order. https://developer.salesforce.com/docs/platform/api-asynch/guide/bulk-api-2-0-ingest.html,
 *   .../upload-job-data.html, .../close-job.html, .../get-job-failed-results.html, .../get-job-unprocessed-results.html
 * Objects: Lead (update, the score fields) and Lead_Score_History__c (insert: successfulResults
 *   give each new record's sf__Id with sf__Created true; a failed insert row has an empty sf__Id).
 * Upload limit: 150 MB measured after base64 encoding (Bulk API 2.0 limits, Limits Quick Reference).
 * A job whose batch cannot be processed goes to Failed, the rest of its data not processed
 * (.../datafiles_understanding_bulk2_ingest.htm). An empty CSV cell leaves a field unchanged on
 * update; #N/A sets it to null (.../datafiles_prepare_csv.htm).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { HISTORY_COLUMNS, SCORE_FIELDS } from '../../src/lib/bulk/score-fields.js';

export type LeadRow = Record<string, string>;

/** Where the leads live: an in-memory map for tests, a generated set for the bench. */
export interface LeadStore {
  ids(): Iterable<string>;
  get(id: string): LeadRow | undefined;
  update(id: string, fields: LeadRow): void;
  /** Ids whose Lead_Scored_At__c is after t (ms). */
  scoredAfter(t: number): string[];
}

export class MemoryLeads implements LeadStore {
  public readonly rows = new Map<string, LeadRow>();
  public constructor(rows: LeadRow[] = []) {
    for (const r of rows) this.rows.set(r.Id, { ...r });
  }
  public ids(): Iterable<string> {
    return this.rows.keys();
  }
  public get(id: string): LeadRow | undefined {
    return this.rows.get(id);
  }
  public update(id: string, fields: LeadRow): void {
    Object.assign(this.rows.get(id)!, fields);
  }
  public scoredAfter(t: number): string[] {
    return [...this.rows.values()]
      .filter((r) => r.Lead_Scored_At__c && Date.parse(r.Lead_Scored_At__c) > t)
      .map((r) => r.Id);
  }
}

type Job = {
  id: string;
  kind: 'query' | 'ingest';
  /** Ingest: Lead update or Lead_Score_History__c insert. */
  object?: string;
  operation?: string;
  state: string;
  polls: number;
  /** Query: the selected columns and the rows as read when the job ran. */
  columns?: string[];
  ids?: string[];
  snapshot?: Map<string, string[]>;
  uploaded?: boolean;
  header?: string[];
  success?: string[][];
  failed?: string[][];
  unprocessed?: string[][];
  processed: number;
  errorMessage?: string;
};

export type BulkServerOptions = {
  leads: LeadStore;
  describe: Array<{ name: string; type: string; permissionable?: boolean }>;
  mappings: Array<{ Input_Name__c: string; Field_Path__c: string }>;
  config: Record<string, unknown>;
  grants: string[];
  /** Keep each inserted history record in `history` (default); the bench only counts them. */
  keepHistory?: boolean;
  /** Raw upload bytes allowed; Salesforce's 150 MB counts base64 (4 bytes per 3). */
  uploadLimitBytes?: number;
};

export class BulkServer {
  public readonly jobs = new Map<string, Job>();
  /** How many times each lead was written by an ingest job. */
  public readonly writes = new Map<string, number>();
  /** Bytes of each Lead update upload, and of each history insert upload. */
  public readonly uploads: number[] = [];
  public readonly historyUploads: number[] = [];
  /** Lead_Score_History__c records inserted, with the ids given to them (unless keepHistory is false), and how many. */
  public readonly history: LeadRow[] = [];
  public historyInserted = 0;
  /** Whether the connected user may create history records (its describe's createable). */
  public historyCreatable = true;
  /** History inserts refused: lead id (Lead__c) -> sf__Error. */
  public readonly refuseHistory = new Map<string, string>();
  /** Record-level failures: lead id -> the sf__Error Salesforce would give. */
  public readonly refuse = new Map<string, string>();
  /** The n-th Lead update job (1-based) fails after processing this many records. */
  public failIngestJob?: { n: number; after: number; message: string };
  /** The results request for this page index (0-based) of any query job answers 500 once. */
  public failResultsPage?: number;
  /** Called before an ingest job processes its rows (a real-time save can land here). */
  public beforeIngest?: () => void;
  public soql: string[] = [];
  private server?: http.Server;
  private seq = 0;
  private leadJobCount = 0;

  public constructor(public readonly options: BulkServerOptions) {}

  public async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  public async close(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  private nextId(prefix: string): string {
    this.seq++;
    return `${prefix}${String(this.seq).padStart(15 - prefix.length, '0')}AAA`;
  }

  /** The REST answers (query, describe) as JSON; tests route the connection's requests here. */
  public rest(method: string, url: string): unknown {
    const u = new URL(url, 'http://x');
    if (u.pathname.endsWith('/query')) {
      const soql = u.searchParams.get('q') ?? '';
      this.soql.push(soql);
      const result = (records: unknown[]): unknown => ({ totalSize: records.length, done: true, records });
      if (/FROM Organization/i.test(soql))
        return result([{ Name: 'Bulk', IsSandbox: true, InstanceName: 'CS1', TrialExpirationDate: null }]);
      if (/FROM Scoring_Model_Config__mdt/i.test(soql)) return result([this.options.config]);
      if (/FROM Scoring_Field_Mapping__mdt/i.test(soql)) return result(this.options.mappings);
      if (/FROM FieldPermissions/i.test(soql)) return result(this.options.grants.map((Field) => ({ Field })));
      const since = /FROM Lead WHERE Lead_Scored_At__c > (\S+)$/i.exec(soql);
      if (since) {
        return result(this.options.leads.scoredAfter(Date.parse(since[1])).map((Id) => ({ Id })));
      }
      throw new Error(`bulk server: unexpected query ${soql}`);
    }
    if (/\/sobjects\/Lead\/describe$/.test(u.pathname)) return { name: 'Lead', fields: this.options.describe };
    // Describe answers for the user who asks: createable says whether they may insert the object and each field.
    if (/\/sobjects\/Lead_Score_History__c\/describe$/.test(u.pathname)) {
      const createable = this.historyCreatable;
      return {
        name: 'Lead_Score_History__c',
        createable,
        fields: HISTORY_COLUMNS.map((name) => ({ name, createable })),
      };
    }
    throw new Error(`bulk server: unexpected ${method} ${url}`);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const u = new URL(req.url ?? '/', 'http://x');
      const p = u.pathname.replace(/^\/services\/data\/v\d+\.\d+/, '');
      const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        res.writeHead(status, {
          'content-type': typeof body === 'string' ? 'text/csv' : 'application/json',
          ...headers,
        });
        res.end(text);
      };
      const error = (status: number, errorCode: string, message: string): void =>
        send(status, [{ errorCode, message }]);
      if (req.headers.authorization?.startsWith('Bearer ') !== true)
        return error(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
      if (!p.startsWith('/jobs/')) {
        const body = this.rest(req.method ?? 'GET', req.url ?? '/');
        return send(200, body);
      }
      const m = /^\/jobs\/(query|ingest)(?:\/([^/]+))?(?:\/([^/]+))?\/?$/.exec(p);
      if (!m) return error(404, 'NOT_FOUND', 'The requested resource does not exist');
      const [, kind, id, sub] = m;
      if (!id && req.method === 'POST') {
        const body = JSON.parse(await readBody(req)) as { query?: string; object?: string; operation?: string };
        if (kind === 'query') return send(200, this.createQuery(body.query ?? ''));
        const supported = `${body.object}/${body.operation}`;
        if (supported !== 'Lead/update' && supported !== 'Lead_Score_History__c/insert')
          return error(400, 'INVALIDENTITY', `bulk server: ${supported} is not an ingest job this server runs`);
        return send(200, this.createIngest(body.object!, body.operation!));
      }
      const job = id ? this.jobs.get(id) : undefined;
      if (!job || job.kind !== kind) return error(404, 'NOT_FOUND', `Job ${id} does not exist`);
      if (!sub && req.method === 'GET') return send(200, this.info(job));
      if (kind === 'query' && sub === 'results') return this.results(job, u, send, error);
      if (kind === 'ingest' && sub === 'batches' && req.method === 'PUT') {
        if (job.state !== 'Open' || job.uploaded)
          return error(400, 'INVALIDJOBSTATE', 'Data can only be uploaded to an Open job, once');
        const text = await readBody(req);
        const bytes = Buffer.byteLength(text);
        const limit = this.options.uploadLimitBytes ?? 150 * 1024 * 1024;
        if (Math.ceil(bytes / 3) * 4 > limit)
          return error(400, 'InvalidBatch', `Upload exceeds the ${limit}-byte limit (base64)`);
        (job.object === 'Lead' ? this.uploads : this.historyUploads).push(bytes);
        const rows = parse(text, { relax_quotes: false }) as string[][];
        job.header = rows[0];
        job.unprocessed = rows.slice(1);
        job.uploaded = true;
        res.writeHead(201).end();
        return;
      }
      if (kind === 'ingest' && !sub && req.method === 'PATCH') {
        const body = JSON.parse(await readBody(req)) as { state?: string };
        if (body.state !== 'UploadComplete' || !job.uploaded)
          return error(400, 'INVALIDJOBSTATE', 'Upload data, then set UploadComplete');
        job.state = 'UploadComplete';
        this.process(job);
        return send(200, { id: job.id, object: job.object, operation: job.operation, state: 'UploadComplete' });
      }
      if (
        kind === 'ingest' &&
        (sub === 'successfulResults' || sub === 'failedResults' || sub === 'unprocessedrecords')
      ) {
        if (sub === 'successfulResults')
          return send(200, stringify([['sf__Id', 'sf__Created', ...job.header!], ...job.success!]));
        if (sub === 'failedResults')
          return send(200, stringify([['sf__Id', 'sf__Error', ...job.header!], ...job.failed!]));
        return send(200, stringify([job.header!, ...job.unprocessed!]));
      }
      return error(405, 'METHOD_NOT_ALLOWED', `${req.method} ${p}`);
    } catch (err) {
      res
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify([{ errorCode: 'UNKNOWN_EXCEPTION', message: (err as Error).message }]));
    }
  }

  private info(job: Job): unknown {
    job.polls++;
    // The first poll after the job is queued sees it running, as a real job is seen.
    let state = job.state;
    if (job.state === 'UploadComplete') {
      state = 'InProgress';
      job.state = job.kind === 'ingest' && job.errorMessage ? 'Failed' : 'JobComplete';
    }
    return {
      id: job.id,
      state,
      numberRecordsProcessed: job.kind === 'query' ? job.ids?.length : job.processed,
      numberRecordsFailed: job.failed?.length ?? 0,
      ...(job.errorMessage && state === 'Failed' ? { errorMessage: job.errorMessage } : {}),
    };
  }

  private createQuery(soql: string): unknown {
    const m = /^SELECT (.+) FROM Lead WHERE IsConverted = false$/.exec(soql);
    if (!m) throw new Error(`bulk server: unsupported bulk query ${soql}`);
    const columns = m[1].split(',').map((c) => c.trim());
    const job: Job = {
      id: this.nextId('750'),
      kind: 'query',
      state: 'UploadComplete',
      polls: 0,
      columns,
      processed: 0,
    };
    // The job reads when it runs: here, at once, so later changes are not in its results.
    job.ids = [...this.options.leads.ids()];
    this.jobs.set(job.id, job);
    return {
      id: job.id,
      operation: 'query',
      object: 'Lead',
      state: 'UploadComplete',
      contentType: 'CSV',
      lineEnding: 'LF',
      columnDelimiter: 'COMMA',
    };
  }

  private results(
    job: Job,
    u: URL,
    send: (s: number, b: unknown, h?: Record<string, string>) => void,
    error: (s: number, c: string, m: string) => void,
  ): void {
    if (job.state !== 'JobComplete') return error(400, 'INVALIDJOBSTATE', 'The job is not complete');
    const max = Number(u.searchParams.get('maxRecords') ?? 1_000_000);
    const locator = u.searchParams.get('locator');
    const offset = locator ? Number(Buffer.from(locator, 'base64url').toString()) : 0;
    if (this.failResultsPage !== undefined && Math.round(offset / max) === this.failResultsPage) {
      this.failResultsPage = undefined;
      return error(500, 'UNKNOWN_EXCEPTION', 'An unexpected error occurred');
    }
    const ids = job.ids!.slice(offset, offset + max);
    const rows = ids.map((id) => {
      const lead = this.options.leads.get(id)!;
      return job.columns!.map((c) => lead[c] ?? '');
    });
    const end = offset + ids.length;
    const next = end < job.ids!.length ? Buffer.from(String(end)).toString('base64url') : 'null';
    send(200, stringify([job.columns!, ...rows]), {
      'Sforce-Locator': next,
      'Sforce-NumberOfRecords': String(ids.length),
    });
  }

  private createIngest(object: string, operation: string): unknown {
    const job: Job = {
      id: this.nextId('750'),
      kind: 'ingest',
      object,
      operation,
      state: 'Open',
      polls: 0,
      processed: 0,
      success: [],
      failed: [],
      unprocessed: [],
    };
    this.jobs.set(job.id, job);
    return {
      id: job.id,
      operation,
      object,
      state: 'Open',
      contentUrl: `services/data/v62.0/jobs/ingest/${job.id}/batches`,
    };
  }

  private process(job: Job): void {
    if (job.object === 'Lead_Score_History__c') return this.insertHistory(job);
    this.leadJobCount++;
    this.beforeIngest?.();
    const header = job.header!;
    const rows = job.unprocessed!;
    const stopAt = this.failIngestJob?.n === this.leadJobCount ? this.failIngestJob.after : rows.length;
    job.unprocessed = rows.slice(stopAt);
    for (const row of rows.slice(0, stopAt)) {
      job.processed++;
      const id = row[header.indexOf('Id')];
      const refusal =
        this.refuse.get(id) ?? (this.options.leads.get(id) ? undefined : 'ENTITY_IS_DELETED:entity is deleted:--');
      if (refusal) {
        job.failed!.push([id, refusal, ...row]);
        continue;
      }
      const fields: LeadRow = {};
      header.forEach((h, i) => {
        if (h !== 'Id' && row[i] !== '') fields[h] = row[i] === '#N/A' ? '' : row[i];
      });
      // Not Bulk API but the package's own lead trigger, which the org runs on every update
      // (LeadTriggerHandler.keepNewerScores): an older score time never replaces a newer one; the
      // record still counts as a success.
      const storedAt = Date.parse(this.options.leads.get(id)!.Lead_Scored_At__c ?? '');
      const incomingAt = Date.parse(fields.Lead_Scored_At__c ?? '');
      if (incomingAt < storedAt) for (const f of SCORE_FIELDS) delete fields[f];
      this.options.leads.update(id, fields);
      this.writes.set(id, (this.writes.get(id) ?? 0) + 1);
      job.success!.push([id, 'false', ...row]);
    }
    if (stopAt < rows.length) job.errorMessage = this.failIngestJob!.message;
  }

  private insertHistory(job: Job): void {
    const header = job.header!;
    for (const row of job.unprocessed!.splice(0)) {
      job.processed++;
      const record: LeadRow = Object.fromEntries(header.map((h, i) => [h, row[i]]));
      const refusal = this.refuseHistory.get(record.Lead__c);
      if (refusal) {
        job.failed!.push(['', refusal, ...row]);
        continue;
      }
      record.Id = this.nextId('a01');
      this.historyInserted++;
      if (this.options.keepHistory !== false) this.history.push(record);
      job.success!.push([record.Id, 'true', ...row]);
    }
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
