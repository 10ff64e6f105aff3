/**
 * The bulk path against what Apex and the service do: the inputs it builds from Bulk CSV cells
 * equal the request Apex builds (force-app's request fixture), the fields it writes are exactly
 * LeadScoreWriter's (none a mapped input, so the trigger does not queue scoring again), and the
 * scores and reasons it writes equal the real service's for the same leads.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Progress } from '@salesforce/sf-plugins-core';
import Score from '../../src/commands/scoring/score.js';
import { toInputValue } from '../../src/lib/bulk/input-values.js';
import { SCORE_FIELDS, HISTORY_COLUMNS } from '../../src/lib/bulk/score-fields.js';
import type { BulkScoreResult } from '../../src/lib/bulk/bulk-score.js';
import { LEAD_FIELDS } from '../helpers/fake-org.js';
import { REPO_ROOT } from '../helpers/models.js';
import { startRealService, type RealService } from '../helpers/real-service.js';
import { bulkWorld } from './bulk-world.js';

const CLASSES = path.join(REPO_ROOT, 'force-app', 'main', 'default', 'classes');
const FIXTURE = path.join(
  REPO_ROOT,
  'force-app',
  'main',
  'default',
  'staticresources',
  'ScoringServiceScoreRequest.json',
);
const INSTALL_MAPPINGS = path.join(REPO_ROOT, 'force-app', 'install', 'customMetadata');

/** force-app's shipped mapping records: input name -> field path. */
async function shippedMappings(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of (await fs.readdir(INSTALL_MAPPINGS)).filter((n) => n.startsWith('Scoring_Field_Mapping.'))) {
    const xml = await fs.readFile(path.join(INSTALL_MAPPINGS, f), 'utf8');
    const value = (field: string): string =>
      new RegExp(`<field>${field}</field>\\s*<value[^>]*>([^<]*)</value>`).exec(xml)![1];
    out.set(value('Input_Name__c'), value('Field_Path__c'));
  }
  return out;
}

describe('the bulk path builds inputs as Apex does', () => {
  it("turns Bulk CSV cells into the request fixture Apex builds, with force-app's mappings and field types", async () => {
    const fixture = JSON.parse(await fs.readFile(FIXTURE, 'utf8')) as {
      records: Array<{ inputs: Record<string, unknown> }>;
    };
    const mappings = await shippedMappings();
    const typeOf = new Map(LEAD_FIELDS.map((f) => [f.name.toLowerCase(), f.type]));
    for (const record of fixture.records) {
      const built: Record<string, unknown> = {};
      for (const [input, value] of Object.entries(record.inputs)) {
        // The org's CSV cell for the value: text, empty for null.
        const cellText = value === null ? '' : String(value);
        const field = mappings.get(input)!;
        built[input] = toInputValue(cellText, typeOf.get(field.toLowerCase())!, field);
      }
      expect(built).toEqual(record.inputs);
    }
  });

  it("converts as ScoringClientTest's cases say: missing, blank text, booleans, dates, datetimes", () => {
    expect(toInputValue('', 'string', 'LeadSource')).toBeNull();
    expect(toInputValue('   ', 'picklist', 'LeadSource')).toBeNull();
    expect(toInputValue(' Web', 'picklist', 'LeadSource')).toBe(' Web');
    expect(toInputValue('true', 'boolean', 'Has_Phone__c')).toBe(true);
    expect(toInputValue('false', 'boolean', 'Has_Phone__c')).toBe(false);
    expect(toInputValue('2026-11-01', 'date', 'LastActivityDate')).toBe('2026-11-01');
    expect(toInputValue('2026-06-01T09:30:00.000+0000', 'datetime', 'CreatedDate')).toBe('2026-06-01T09:30:00.000Z');
    expect(toInputValue('-12.5', 'percent', 'Firm_Headcount_Change_Pct__c')).toBe(-12.5);
    expect(() => toInputValue('many', 'double', 'Prior_Firms__c')).toThrow(/Prior_Firms__c.*double/);
  });
});

describe('the bulk write fits the trigger rule', () => {
  it("writes exactly the fields LeadScoreWriter.toLead sets, and none is a shipped mapping's field", async () => {
    const writer = await fs.readFile(path.join(CLASSES, 'LeadScoreWriter.cls'), 'utf8');
    const toLead = /private static Lead toLead\([\s\S]*?\n {4}}\n/.exec(writer)![0];
    const set = [...toLead.matchAll(/\b(Lead_[A-Za-z_]+__c)\s*=/g)].map((m) => m[1]);
    expect([...SCORE_FIELDS].sort()).toEqual([...new Set(set)].sort());
    // The history row: exactly the fields LeadScoreWriter.toHistory sets.
    const toHistory = /private static Lead_Score_History__c toHistory\([\s\S]*?\n {4}}\n/.exec(writer)![0];
    const historySet = [...toHistory.matchAll(/\b([A-Za-z_]+__c)\s*=/g)].map((m) => m[1]);
    expect([...HISTORY_COLUMNS]).toEqual(historySet);
    // The list the lead trigger keeps together when an older score is saved over a newer one: the same fields.
    const kept = /SCORE_FIELDS = new List<Schema\.SObjectField>\{([\s\S]*?)\};/.exec(writer)![1];
    expect([...kept.matchAll(/Lead\.(Lead_[A-Za-z_]+__c)/g)].map((m) => m[1])).toEqual([...SCORE_FIELDS]);
    expect(await fs.readFile(path.join(CLASSES, 'LeadTriggerHandler.cls'), 'utf8')).toMatch(
      /BEFORE_UPDATE\) \{\s*keepNewerScores\(this\.newLeads, this\.oldLeads\);\s*\}\s*if \(isBypassed\(\)\)/,
    );
    // LeadTriggerHandler queues scoring on update only when a mapped input field changed.
    const handler = await fs.readFile(path.join(CLASSES, 'LeadTriggerHandler.cls'), 'utf8');
    expect(handler).toMatch(/markPending\(this\.leadsWithChangedInputs\(config\)\)/);
    const mapped = new Set([...(await shippedMappings()).values()].map((f) => f.toLowerCase()));
    expect(SCORE_FIELDS.filter((f) => mapped.has(f.toLowerCase()))).toEqual([]);
  });
});

describe('scores and reasons written by the bulk path equal the service', () => {
  const w = bulkWorld(40);
  let service: RealService;
  beforeAll(async () => {
    const { buildModelsDir } = await import('../helpers/models.js');
    service = await startRealService(await buildModelsDir());
  }, 120_000);
  afterAll(async () => service?.stop());

  it('writes the same score fields in-process as through --service-url', async () => {
    for (const m of ['start', 'update', 'finish'] as const) w.$$.SANDBOX.stub(Progress.prototype, m);
    const base = [
      '--target-org',
      w.testOrg.username,
      '--models-dir',
      w.modelsDir,
      '--name',
      'lead-scoring',
      '--state-dir',
      w.stateDir,
      '--page-size',
      '15',
    ];
    const compared = [
      'Lead_Score__c',
      'Lead_Score_Scaled__c',
      'Lead_Score_Decile__c',
      'Lead_Score_Tier__c',
      'Lead_Score_Reasons__c',
      'Lead_Score_Top_Reason__c',
      'Lead_Score_Model_Version__c',
    ];
    const snapshot = (): Record<string, string>[] =>
      w.golden.map((g) => Object.fromEntries(compared.map((f) => [f, w.leads.get(g.id)![f]])));

    await Score.run(base);
    const inProcess = snapshot();
    for (const g of w.golden) for (const f of compared) w.leads.get(g.id)![f] = '';
    process.env.SCORING_API_KEY = service.apiKey;
    try {
      const viaService = (await Score.run([...base, '--service-url', service.url])) as BulkScoreResult;
      expect(viaService.written).toBe(40);
    } finally {
      delete process.env.SCORING_API_KEY;
    }
    expect(snapshot()).toEqual(inProcess);
    expect(inProcess.every((r) => r.Lead_Score__c !== '' && r.Lead_Score_Reasons__c.includes('"reasons"'))).toBe(true);
  }, 120_000);
});
