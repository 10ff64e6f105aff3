/**
 * The bench's org: the Bulk API 2.0 test server over N synthetic leads (the golden leads' inputs,
 * cycled, with their own ids), generated on demand so the server's memory does not grow with N.
 * Writes are counted per lead; the first SAMPLE leads' written fields are kept for the parity check.
 * Run by bench-bulk.ts in a child process (IPC): {url} when listening, {writes} on request.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { BulkServer, type LeadRow, type LeadStore } from '../test/bulk/bulk-server.js';
import { DESCRIBE, leadRows, type GoldenLead } from '../test/bulk/leads.js';
import { mappingRows } from '../test/helpers/org-fixtures.js';
import type { Manifest } from '../src/lib/library.js';

const SAMPLE = 200;

class SyntheticLeads implements LeadStore {
  public readonly writes: Uint8Array;
  public readonly sample = new Map<string, LeadRow>();
  public constructor(
    private readonly n: number,
    private readonly templates: LeadRow[],
  ) {
    this.writes = new Uint8Array(n);
  }
  public static id(i: number): string {
    return `00Q${String(i).padStart(12, '0')}AAA`;
  }
  private index(id: string): number {
    return Number(id.slice(3, 15));
  }
  public *ids(): Iterable<string> {
    for (let i = 0; i < this.n; i++) yield SyntheticLeads.id(i);
  }
  public get(id: string): LeadRow | undefined {
    const i = this.index(id);
    if (!(i >= 0 && i < this.n)) return undefined;
    return this.sample.get(id) ?? { ...this.templates[i % this.templates.length], Id: id };
  }
  public update(id: string, fields: LeadRow): void {
    const i = this.index(id);
    this.writes[i]++;
    if (i < SAMPLE) this.sample.set(id, { ...this.get(id)!, ...fields });
  }
  public scoredAfter(): string[] {
    return [];
  }
}

async function main(): Promise<void> {
  const [modelsDir, count] = [process.argv[2], Number(process.argv[3])];
  const manifest = JSON.parse(
    await fs.readFile(path.join(modelsDir, 'lead-scoring', '4.1.0', 'manifest.json'), 'utf8'),
  ) as Manifest;
  const golden = (
    JSON.parse(await fs.readFile(path.join(modelsDir, 'golden', 'lead-scoring-4.1.0.json'), 'utf8')) as {
      rows: GoldenLead[];
    }
  ).rows;
  const leads = new SyntheticLeads(count, leadRows(manifest, golden));
  const server = new BulkServer({
    leads,
    describe: DESCRIBE,
    mappings: mappingRows(manifest),
    config: {
      Model_Name__c: 'lead-scoring',
      Champion_Version__c: '4.1.0',
      Top_K_Reasons__c: 5,
      Batch_Size__c: 200,
      Enabled__c: true,
    },
    grants: DESCRIBE.filter((f) => f.permissionable !== false).map((f) => `Lead.${f.name}`),
    // A million history records would fill this process: they are counted, not kept.
    keepHistory: false,
  });
  const url = await server.start();
  process.send!({ url });
  // The bench's process gone (a crash included): nothing is left listening.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (msg: { op: string }) => {
    if (msg.op === 'writes') {
      let once = 0;
      let other = 0;
      for (const w of leads.writes)
        if (w === 1) once++;
        else other++;
      process.send!({
        once,
        other,
        uploads: server.uploads.length,
        maxUpload: Math.max(0, ...server.uploads, ...server.historyUploads),
        historyInserted: server.historyInserted,
        sample: [...leads.sample.values()],
      });
    }
    if (msg.op === 'stop') void server.close().then(() => process.exit(0));
  });
}

void main();
