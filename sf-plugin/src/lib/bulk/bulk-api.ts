/**
 * Bulk API 2.0 over fetch, paging query results by hand. jsforce's bulk2.query() reads every page
 * into memory before it returns (its HTTP layer buffers each body), so a whole org cannot go
 * through it; salesforcecli/plugin-data's bulkUtils.ts bypasses jsforce for the same reason.
 * Here each results page is a stream the caller parses, and each ingest upload streams from a file.
 *
 * Query: https://developer.salesforce.com/docs/platform/api-asynch/guide/query-get-job-results.md
 *   (Sforce-Locator header, "null" after the last page; maxRecords per page)
 * Ingest: https://developer.salesforce.com/docs/platform/api-asynch/guide/bulk-api-2-0-ingest.html
 *   (create, one upload, UploadComplete, poll, successfulResults/failedResults/unprocessedrecords)
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Connection } from '@salesforce/core';
import { Messages } from '@salesforce/core';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.score');

export type JobState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

export type JobInfo = {
  id: string;
  state: JobState;
  numberRecordsProcessed?: number;
  numberRecordsFailed?: number;
  errorMessage?: string;
};

/** What a bulk client needs of a connection: where the org is and a token (refreshed on 401). */
export type BulkAuth = Pick<Connection, 'instanceUrl' | 'accessToken' | 'version'> & { refreshAuth?: () => Promise<unknown> };

export type BulkOptions = { pollIntervalMs?: number; pollTimeoutMs?: number };

const TERMINAL: ReadonlySet<JobState> = new Set(['JobComplete', 'Failed', 'Aborted']);

export class BulkClient {
  private readonly pollIntervalMs: number;
  private readonly pollTimeoutMs: number;

  public constructor(private readonly auth: BulkAuth, options: BulkOptions = {}) {
    this.pollIntervalMs = options.pollIntervalMs ?? 5000;
    this.pollTimeoutMs = options.pollTimeoutMs ?? 6 * 60 * 60 * 1000;
  }

  public async createQueryJob(soql: string): Promise<JobInfo> {
    return this.json<JobInfo>('POST', '/jobs/query', { operation: 'query', query: soql, contentType: 'CSV', columnDelimiter: 'COMMA', lineEnding: 'LF' });
  }

  public async queryJob(id: string): Promise<JobInfo> {
    return this.json<JobInfo>('GET', `/jobs/query/${id}`);
  }

  public async ingestJob(id: string): Promise<JobInfo> {
    return this.json<JobInfo>('GET', `/jobs/ingest/${id}`);
  }

  /** Polls a job until it reaches JobComplete, Failed or Aborted. */
  public async waitFor(kind: 'query' | 'ingest', id: string, onPoll?: (info: JobInfo) => void): Promise<JobInfo> {
    const deadline = Date.now() + this.pollTimeoutMs;
    // A 10,000-record job is often done within seconds: polls start at 250 ms and double up to the
    // interval, a handful of extra requests per job against the org's daily API limit.
    let wait = Math.min(250, this.pollIntervalMs);
    for (;;) {
      const info = kind === 'query' ? await this.queryJob(id) : await this.ingestJob(id);
      onPoll?.(info);
      if (TERMINAL.has(info.state)) return info;
      if (Date.now() > deadline) {
        throw messages.createError('error.jobTimeout', [kind, id, info.state, Math.round(this.pollTimeoutMs / 60000)]);
      }
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, this.pollIntervalMs);
    }
  }

  /**
   * One page of a query job's results as a CSV stream, and the locator of the next page
   * (undefined after the last: Salesforce sends the string "null").
   */
  public async queryPage(id: string, locator: string | undefined, maxRecords: number): Promise<{ body: Readable; next: string | undefined; records?: number }> {
    const params = new URLSearchParams({ maxRecords: String(maxRecords) });
    if (locator) params.set('locator', locator);
    const res = await this.fetch('GET', `/jobs/query/${id}/results?${params.toString()}`, { accept: 'text/csv' });
    await this.ensureOk(res, `results of query job ${id}`);
    const next = res.headers.get('sforce-locator');
    const count = res.headers.get('sforce-numberofrecords');
    return {
      body: Readable.fromWeb(res.body as never),
      next: !next || next === 'null' ? undefined : next,
      records: count ? Number(count) : undefined,
    };
  }

  /** Creates an ingest job, uploads the file as its one upload (streamed), and marks it UploadComplete. */
  public async ingestFromFile(object: string, operation: 'update' | 'insert', file: string): Promise<JobInfo> {
    const job = await this.json<JobInfo>('POST', '/jobs/ingest', { object, operation, contentType: 'CSV', columnDelimiter: 'COMMA', lineEnding: 'LF' });
    const size = (await stat(file)).size;
    const res = await this.fetch('PUT', `/jobs/ingest/${job.id}/batches`, { 'content-type': 'text/csv', 'content-length': String(size) }, Readable.toWeb(createReadStream(file)) as never);
    await this.ensureOk(res, `upload of ingest job ${job.id}`);
    await res.body?.cancel();
    return this.json<JobInfo>('PATCH', `/jobs/ingest/${job.id}`, { state: 'UploadComplete' });
  }

  /** successfulResults, failedResults or unprocessedrecords of an ingest job, as a CSV stream. */
  public async ingestResults(id: string, which: 'successfulResults' | 'failedResults' | 'unprocessedrecords'): Promise<Readable> {
    const res = await this.fetch('GET', `/jobs/ingest/${id}/${which}/`, { accept: 'text/csv' });
    await this.ensureOk(res, `${which} of ingest job ${id}`);
    return Readable.fromWeb(res.body as never);
  }

  private url(path: string): string {
    return `${this.auth.instanceUrl.replace(/\/+$/, '')}/services/data/v${this.auth.version}${path}`;
  }

  private async fetch(method: string, path: string, headers: Record<string, string>, body?: RequestInit['body']): Promise<Response> {
    const send = (): Promise<Response> =>
      fetch(this.url(path), {
        method,
        headers: { authorization: `Bearer ${this.auth.accessToken ?? ''}`, ...headers },
        body,
        ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
      } as RequestInit);
    let res = await send();
    if (res.status === 401 && this.auth.refreshAuth && !(body instanceof ReadableStream)) {
      await res.body?.cancel();
      await this.auth.refreshAuth();
      res = await send();
    }
    return res;
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.fetch(method, path, { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) }, body ? JSON.stringify(body) : undefined);
    await this.ensureOk(res, `${method} ${path}`);
    return (await res.json()) as T;
  }

  private async ensureOk(res: Response, what: string): Promise<void> {
    if (res.ok) return;
    const text = (await res.text()).slice(0, 500);
    let detail = text;
    try {
      const parsed = JSON.parse(text) as Array<{ errorCode?: string; message?: string }>;
      if (Array.isArray(parsed) && parsed[0]) detail = `${parsed[0].errorCode ?? ''}: ${parsed[0].message ?? ''}`;
    } catch {
      // Not Salesforce's error list: the text says enough.
    }
    throw messages.createError('error.bulkRequest', [res.status, what, detail]);
  }
}
