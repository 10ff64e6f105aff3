import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { Progress } from '@salesforce/sf-plugins-core';
import Score from '../../src/commands/scoring/score.js';
import type { BulkScoreResult } from '../../src/lib/bulk/bulk-score.js';
import { readLedgerLines } from '../helpers/models.js';
import { refusal } from '../helpers/refusal.js';
import { bulkWorld } from './bulk-world.js';

/** The org mode of `scoring score` (its result without --from). */
const runBulk = async (argv: string[]): Promise<BulkScoreResult> => (await Score.run(argv)) as BulkScoreResult;

describe('scoring score (Bulk API 2.0 test server)', () => {
  const w = bulkWorld(23);
  const args = (...extra: string[]): string[] => [
    '--target-org',
    w.testOrg.username,
    '--models-dir',
    w.modelsDir,
    '--name',
    'lead-scoring',
    '--state-dir',
    w.stateDir,
    '--page-size',
    '10',
    ...extra,
  ];
  let updates: number[];

  beforeEach(() => {
    updates = [];
    w.$$.SANDBOX.stub(Progress.prototype, 'start');
    w.$$.SANDBOX.stub(Progress.prototype, 'update').callsFake((n: number) => void updates.push(n));
    w.$$.SANDBOX.stub(Progress.prototype, 'finish');
  });

  it('reads every page, writes every lead once with the score fields, and records a ledger entry', async () => {
    const result = await runBulk(args());
    expect(result).toMatchObject({ read: 23, scored: 23, written: 23, failed: 0, keptNewer: 0, complete: true });
    // 23 leads at 10 per page: three query pages, each one Lead update job and one history insert job.
    expect(result.ingestJobs).toHaveLength(6);
    expect(w.server.uploads).toHaveLength(3);
    expect(w.server.historyUploads).toHaveLength(3);
    expect(w.golden.every((g) => w.server.writes.get(g.id) === 1)).toBe(true);
    const lead = w.leads.get(w.golden[0].id)!;
    expect(lead.Lead_Score_Model_Version__c).toBe('4.1.0');
    expect(lead.Lead_Score_Status__c).toBe('Scored');
    expect(Number(lead.Lead_Score_Decile__c)).toBeGreaterThanOrEqual(1);
    expect(lead.Lead_Scored_At__c).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
    expect((JSON.parse(lead.Lead_Score_Reasons__c) as { reasons: unknown[] }).reasons).toHaveLength(5);
    // One history row per lead, holding what the Lead fields got, as LeadScoreWriter.toHistory records it.
    expect(result).toMatchObject({ historyWritten: 23, historyFailed: 0 });
    expect(w.server.history.map((h) => h.Lead__c).sort()).toEqual(w.golden.map((g) => g.id).sort());
    for (const row of w.server.history) {
      const stored = w.leads.get(row.Lead__c)!;
      expect(row).toMatchObject({
        Model_Name__c: 'lead-scoring',
        Model_Version__c: '4.1.0',
        Role__c: 'champion',
        Served__c: 'true',
        Score__c: stored.Lead_Score__c,
        Scaled_Score__c: stored.Lead_Score_Scaled__c,
        Decile__c: stored.Lead_Score_Decile__c,
        Tier__c: stored.Lead_Score_Tier__c,
        Scored_At__c: stored.Lead_Scored_At__c,
        Reasons__c: stored.Lead_Score_Reasons__c,
      });
    }
    // Last progress update is every lead read.
    expect(updates.at(-1)).toBe(23);
    const ledger = (await readLedgerLines(w.modelsDir)).filter((e) => e.action === 'bulk-score');
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({
      version: '4.1.0',
      sha256: w.manifest.sha256,
      result: 'ok',
      details: { read: 23, written: 23, failed: 0, historyWritten: 23, history: true },
    });
  });

  it('writes no history with --no-history', async () => {
    const result = await runBulk(args('--no-history'));
    expect(result).toMatchObject({ written: 23, historyWritten: 0, complete: true });
    expect(w.server.history).toEqual([]);
    expect(w.server.historyUploads).toEqual([]);
  });

  it('refuses before any job when the user cannot create history records, and runs with --no-history', async () => {
    w.server.historyCreatable = false;
    const error = await refusal(runBulk(args()));
    expect(error.message).toMatch(/cannot create Lead_Score_History__c records \(Lead_Score_History__c\)/);
    expect(error.message).toMatch(/--no-history/);
    expect(w.server.jobs.size).toBe(0);
    expect(await runBulk(args('--no-history'))).toMatchObject({ written: 23, historyWritten: 0 });
  });

  it('reports refused history rows in failures.csv and exits 1, the Lead fields written', async () => {
    w.server.refuseHistory.set(w.golden[4].id, 'STORAGE_LIMIT_EXCEEDED:storage limit exceeded:--');
    const result = await runBulk(args());
    expect(result).toMatchObject({ written: 23, failed: 0, historyWritten: 22, historyFailed: 1 });
    expect(process.exitCode).toBe(1);
    const rows = parse(await fs.readFile(result.failuresFile!, 'utf8'), { columns: true }) as Array<{
      sf__Id: string;
      sf__Error: string;
    }>;
    expect(rows).toEqual([
      { sf__Id: w.golden[4].id, sf__Error: 'HISTORY STORAGE_LIMIT_EXCEEDED:storage limit exceeded:--' },
    ]);
  });

  it('resumes a run interrupted after 2 pages and writes every lead exactly once', async () => {
    w.server.failResultsPage = 2;
    const first = await refusal(runBulk(args()));
    expect(first.message).toMatch(/HTTP 500/);
    const writtenBefore = [...w.server.writes.values()].reduce((a, b) => a + b, 0);
    expect(writtenBefore).toBe(20);
    const result = await runBulk(args('--resume'));
    expect(result).toMatchObject({ resumed: true, complete: true, read: 23, written: 23 });
    expect(w.golden.map((g) => w.server.writes.get(g.id))).toEqual(w.golden.map(() => 1));
    // Each lead's history row inserted once too, across the two runs.
    expect(w.server.history.map((h) => h.Lead__c).sort()).toEqual(w.golden.map((g) => g.id).sort());
    // Only the missing page was read again: 2 + 1 results requests after the failed one.
    expect(w.server.uploads).toHaveLength(3);
  });

  it('keeps a score written in real time during the run', async () => {
    const rescored = w.golden[15].id;
    w.server.beforeIngest = () => {
      // A real-time score lands after the bulk read: its inputs were read later than the bulk read.
      const lead = w.leads.get(rescored)!;
      if (!lead.Lead_Score__c)
        Object.assign(lead, { Lead_Score__c: '0.5', Lead_Scored_At__c: new Date(Date.now() + 60_000).toISOString() });
    };
    const result = await runBulk(args());
    expect(result).toMatchObject({ keptNewer: 1, written: 22 });
    expect(w.leads.get(rescored)!.Lead_Score__c).toBe('0.5');
    expect(w.server.writes.has(rescored)).toBe(false);
  });

  it('keeps a real-time score that lands after the check, while Salesforce processes the page', async () => {
    const rescored = w.golden[2].id;
    const realTime = new Date(Date.now() + 60_000).toISOString();
    w.server.beforeIngest = () => {
      // The first page's job is being processed: the command checked this lead before it was rescored.
      const lead = w.leads.get(rescored)!;
      if (!lead.Lead_Score__c) Object.assign(lead, { Lead_Score__c: '0.5', Lead_Scored_At__c: realTime });
    };
    const result = await runBulk(args());
    // Salesforce reports the row a success (the trigger kept the stored score, it did not refuse it).
    expect(result).toMatchObject({ keptNewer: 0, written: 23, failed: 0 });
    expect(w.server.writes.get(rescored)).toBe(1);
    expect(w.leads.get(rescored)).toMatchObject({ Lead_Score__c: '0.5', Lead_Scored_At__c: realTime });
  });

  it('lists record-level failures in failures.csv and exits 1', async () => {
    w.server.refuse.set(w.golden[3].id, 'FIELD_CUSTOM_VALIDATION_EXCEPTION:Region required:--');
    w.server.refuse.set(w.golden[21].id, 'UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--');
    const result = await runBulk(args());
    expect(result).toMatchObject({ written: 21, failed: 2 });
    expect(process.exitCode).toBe(1);
    const rows = parse(await fs.readFile(result.failuresFile!, 'utf8'), { columns: true }) as Array<{
      sf__Id: string;
      sf__Error: string;
    }>;
    expect(rows.map((r) => r.sf__Id).sort()).toEqual([w.golden[3].id, w.golden[21].id].sort());
    expect(rows.find((r) => r.sf__Id === w.golden[3].id)!.sf__Error).toMatch(/^FIELD_CUSTOM_VALIDATION_EXCEPTION/);
  });

  it('reports a job that fails mid-way with what was and was not written, and --resume writes the rest once', async () => {
    w.server.failIngestJob = { n: 2, after: 4, message: 'InvalidBatch : Failed to process query' };
    const result = await runBulk(args());
    // Three pages in flight: pages 1 and 3 are written whole, page 2's job stopped after 4 of its 10 leads.
    expect(result).toMatchObject({ complete: false, read: 23, written: 17, unprocessed: 6, failed: 0 });
    expect(result.stoppedBy).toMatch(/Failed: InvalidBatch/);
    expect(process.exitCode).toBe(1);
    const rows = parse(await fs.readFile(result.failuresFile!, 'utf8'), { columns: true }) as Array<{
      sf__Id: string;
      sf__Error: string;
    }>;
    expect(rows.every((r) => r.sf__Error.startsWith('NOT_PROCESSED'))).toBe(true);
    const notWritten = w.golden.filter((g) => !w.server.writes.has(g.id)).map((g) => g.id);
    expect(rows.map((r) => r.sf__Id).sort()).toEqual(notWritten.sort());
    expect(notWritten).toEqual(w.golden.slice(14, 20).map((g) => g.id));

    process.exitCode = undefined;
    const resumed = await runBulk(args('--resume'));
    expect(resumed).toMatchObject({ complete: true, written: 23, unprocessed: 0 });
    expect(w.golden.map((g) => w.server.writes.get(g.id))).toEqual(w.golden.map(() => 1));
  });

  it('refuses a mapped field the integration user cannot read before any job starts', async () => {
    w.server.options.grants = w.server.options.grants.filter((g) => g !== 'Lead.Mobility_Score__c');
    const err = await refusal(runBulk(args()));
    expect(err.message).toMatch(/mobility_score \(Lead\.Mobility_Score__c\)/);
    expect(err.message).toMatch(/Lead_Scoring_Integration/);
    expect(w.server.jobs.size).toBe(0);
  });

  it('refuses a mapping that maps an input to a score field (the write would queue scoring again)', async () => {
    w.server.options.mappings = w.server.options.mappings.map((m) =>
      m.Input_Name__c === 'mobility_score' ? { ...m, Field_Path__c: 'Lead_Score__c' } : m,
    );
    const err = await refusal(runBulk(args()));
    expect(err.message).toMatch(/mobility_score -> Lead_Score__c/);
    expect(w.server.jobs.size).toBe(0);
  });

  it('--dry-run scores every lead and writes nothing', async () => {
    const result = await runBulk(args('--dry-run'));
    expect(result).toMatchObject({ read: 23, scored: 23, written: 0, dryRun: true });
    expect(w.server.uploads).toHaveLength(0);
    await expect(fs.readdir(w.stateDir)).resolves.toEqual([]);
  });

  it('splits a page over several ingest jobs when the upload limit is reached', async () => {
    // A 10 KB upload limit: a page of 10 leads with reasons takes more than one upload.
    const { bulkScore } = await import('../../src/lib/bulk/bulk-score.js');
    const { inProcessScorer } = await import('../../src/lib/bulk/scorers.js');
    const org = await (await import('@salesforce/core')).Org.create({ aliasOrUsername: w.testOrg.username });
    const result = await bulkScore(
      { progress: new Progress(false) },
      {
        conn: org.getConnection(),
        org: { id: org.getOrgId(), isSandbox: true },
        modelsDir: w.modelsDir,
        model: 'lead-scoring',
        explainTop: 5,
        history: true,
        dryRun: false,
        resume: false,
        stateRoot: w.stateDir,
        pageSize: 10,
        maxUploadBytes: 10_000,
        scorer: (pkg, o) => inProcessScorer(pkg, o),
        pollIntervalMs: 1,
      },
    );
    expect(result.written).toBe(23);
    expect(w.server.uploads.length).toBeGreaterThan(3);
    expect(Math.max(...w.server.uploads)).toBeLessThanOrEqual(10_000);
    expect(path.isAbsolute(result.runDir!)).toBe(true);
  });
});
