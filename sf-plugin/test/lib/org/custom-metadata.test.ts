/**
 * The config record the CLI deploys carries the rollback thresholds the org's weekly job alarms on
 * (Scoring_Model_Config__mdt.Rollback_*__c): a manifest's gates.rollback when given, the lead
 * checklist's values (1.5x, 2 weeks, AUC 0.59, 5%) otherwise, field by field.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configRecord, defaultConfig, rollbackThresholds } from '../../../src/lib/org/custom-metadata.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const CONFIG_FIELDS = path.join(REPO, 'force-app', 'main', 'default', 'objects', 'Scoring_Model_Config__mdt', 'fields');

/** The <values> of a rendered record: field -> value text (xsi:nil -> null). */
function values(xml: string): Map<string, string | null> {
  const found = new Map<string, string | null>();
  for (const m of xml.matchAll(/<values>\s*<field>([^<]+)<\/field>\s*(?:<value xsi:nil="true"\/>|<value[^>]*>([^<]*)<\/value>)/g))
    found.set(m[1], m[2] ?? null);
  return found;
}

const ROLLBACK_FIELDS = [
  'Rollback_Consecutive_Weeks__c',
  'Rollback_Min_Auc__c',
  'Rollback_Min_Top_Decile_Conversion__c',
  'Rollback_Min_Top_Decile_Lift__c',
];

describe('config record rollback thresholds', () => {
  const config = { ...defaultConfig('lead-scoring'), championVersion: '4.1.0', enabled: true };

  it("writes the checklist's criteria when no thresholds are given", () => {
    const written = values(configRecord(config).xml);
    expect(written.get('Rollback_Min_Top_Decile_Lift__c')).toBe('1.5');
    expect(written.get('Rollback_Consecutive_Weeks__c')).toBe('2');
    expect(written.get('Rollback_Min_Auc__c')).toBe('0.59');
    expect(written.get('Rollback_Min_Top_Decile_Conversion__c')).toBe('0.05');
    expect(written.get('Champion_Version__c')).toBe('4.1.0');
  });

  it("writes a manifest's gates.rollback, the checklist's value filling each absent one", async () => {
    const manifest = JSON.parse(await fs.readFile(path.join(REPO, 'models', 'lead-scoring', '4.1.0', 'manifest.json'), 'utf8')) as {
      gates: { rollback: Record<string, number> };
    };
    expect(manifest.gates.rollback).toEqual({ min_top_decile_lift: 1.5, consecutive_weeks: 2, min_auc: 0.59, min_top_decile_conversion: 0.05 });
    const stricter = { min_top_decile_lift: 1.8, consecutive_weeks: 3 };
    const written = values(configRecord(config, rollbackThresholds(stricter)).xml);
    expect(written.get('Rollback_Min_Top_Decile_Lift__c')).toBe('1.8');
    expect(written.get('Rollback_Consecutive_Weeks__c')).toBe('3');
    expect(written.get('Rollback_Min_Auc__c')).toBe('0.59');
    expect(written.get('Rollback_Min_Top_Decile_Conversion__c')).toBe('0.05');
    expect(rollbackThresholds(manifest.gates.rollback)).toEqual(rollbackThresholds(undefined));
  });

  it('writes only fields that force-app defines on Scoring_Model_Config__mdt', async () => {
    const defined = new Set((await fs.readdir(CONFIG_FIELDS)).map((f) => f.replace('.field-meta.xml', '')));
    const written = [...values(configRecord(config).xml).keys()];
    expect(written).toEqual(expect.arrayContaining(ROLLBACK_FIELDS));
    expect(written.filter((f) => !defined.has(f))).toEqual([]);
  });
});
