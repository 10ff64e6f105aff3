/**
 * The org's scoring config as custom metadata records (Scoring_Model_Config__mdt and
 * Scoring_Field_Mapping__mdt, created by force-app): reading the current records with SOQL
 * and rendering new ones as source-format files for a Metadata API deploy.
 */
import { createHash } from 'node:crypto';
import type { Connection } from '@salesforce/core';

export const CONFIG_TYPE = 'Scoring_Model_Config';
export const MAPPING_TYPE = 'Scoring_Field_Mapping';
export const DEFAULT_NAMED_CREDENTIAL = 'Scoring_Service';

/**
 * The champion manifest's `gates.rollback`, as the org's weekly job reads it from the config record
 * (Scoring_Model_Config__mdt.Rollback_*__c, read by Apex ScoringConfig and LeadScoreRollbackAlarm).
 */
export type RollbackThresholds = {
  minTopDecileLift: number;
  consecutiveWeeks: number;
  minAuc: number;
  minTopDecileConversion: number;
};

/**
 * The lead checklist's rollback criteria: "Top decile lift drops below 1.5x for 2 consecutive weeks",
 * "Test AUC drops below 0.59", "Conversion rate in top decile drops below 5%". Written when a config
 * carries no thresholds of its own; the manifest schema's gates.rollback defaults are the same values.
 */
export const CHECKLIST_ROLLBACK: RollbackThresholds = {
  minTopDecileLift: 1.5,
  consecutiveWeeks: 2,
  minAuc: 0.59,
  minTopDecileConversion: 0.05,
};

/** A manifest's gates.rollback (snake_case, any field may be absent) as the config's thresholds, checklist values filling gaps. */
export function rollbackThresholds(rollback?: {
  min_top_decile_lift?: number;
  consecutive_weeks?: number;
  min_auc?: number;
  min_top_decile_conversion?: number;
}): RollbackThresholds {
  return {
    minTopDecileLift: rollback?.min_top_decile_lift ?? CHECKLIST_ROLLBACK.minTopDecileLift,
    consecutiveWeeks: rollback?.consecutive_weeks ?? CHECKLIST_ROLLBACK.consecutiveWeeks,
    minAuc: rollback?.min_auc ?? CHECKLIST_ROLLBACK.minAuc,
    minTopDecileConversion: rollback?.min_top_decile_conversion ?? CHECKLIST_ROLLBACK.minTopDecileConversion,
  };
}

export type ModelConfig = {
  modelName: string;
  championVersion: string | null;
  challengerVersion: string | null;
  canaryPercent: number;
  namedCredential: string;
  enabled: boolean;
  topKReasons: number;
  batchSize: number;
};

export type FieldMapping = { input: string; field: string };

/** One record as a source-format file: customMetadata/<Type>.<Record>.md-meta.xml. */
export type MetadataRecordFile = { type: string; recordName: string; fileName: string; xml: string };

type Value = string | number | boolean | null;

export const titleWord = (w: string): string => (w ? w[0].toUpperCase() + w.slice(1) : w);

/** A DeveloperName: letters, digits and single underscores, at most 40 characters, starting with a letter. */
export function developerName(raw: string): string {
  let name = raw.replace(/[^A-Za-z0-9]+/g, '_').replace(/_+/g, '_').replace(/^_+|_+$/g, '');
  if (!/^[A-Za-z]/.test(name)) name = `M_${name}`;
  if (name.length <= 40) return name;
  // Keep names unique when they must be shortened.
  const hash = createHash('sha256').update(raw).digest('hex').slice(0, 6);
  return `${name.slice(0, 33).replace(/_+$/, '')}_${hash}`;
}

/** lead-scoring -> Lead_Scoring (the default config record force-app ships). */
export function configRecordName(model: string): string {
  return developerName(model.split('-').map(titleWord).join('_'));
}

/** lead-scoring + firm_aum_musd -> Lead_Scoring_Firm_Aum_Musd (force-app's naming). */
export function mappingRecordName(model: string, input: string): string {
  return developerName(`${configRecordName(model)}_${input.split('_').map(titleWord).join('_')}`);
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function renderValue(field: string, value: Value): string {
  let inner: string;
  if (value === null) inner = '<value xsi:nil="true"/>';
  else if (typeof value === 'boolean') inner = `<value xsi:type="xsd:boolean">${value}</value>`;
  else if (typeof value === 'number') inner = `<value xsi:type="xsd:double">${value}</value>`;
  else inner = `<value xsi:type="xsd:string">${escapeXml(value)}</value>`;
  return `    <values>\n        <field>${field}</field>\n        ${inner}\n    </values>\n`;
}

export function renderRecord(type: string, recordName: string, label: string, values: Record<string, Value>): MetadataRecordFile {
  const body = Object.keys(values)
    .sort()
    .map((field) => renderValue(field, values[field]))
    .join('');
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<CustomMetadata xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">\n' +
    `    <label>${escapeXml(label.slice(0, 40))}</label>\n` +
    '    <protected>false</protected>\n' +
    body +
    '</CustomMetadata>\n';
  return { type, recordName, fileName: `${type}.${recordName}.md-meta.xml`, xml };
}

/**
 * The config record of a model. It always carries the rollback thresholds the org's weekly job
 * alarms on: the given ones (the champion manifest's, through `rollbackThresholds(manifest.gates.rollback)`),
 * else the checklist's, so a record never leaves the alarm without thresholds.
 */
export function configRecord(config: ModelConfig, rollback: RollbackThresholds = CHECKLIST_ROLLBACK): MetadataRecordFile {
  const name = configRecordName(config.modelName);
  return renderRecord(CONFIG_TYPE, name, name.replace(/_/g, ' '), {
    Rollback_Min_Top_Decile_Lift__c: rollback.minTopDecileLift,
    Rollback_Consecutive_Weeks__c: rollback.consecutiveWeeks,
    Rollback_Min_Auc__c: rollback.minAuc,
    Rollback_Min_Top_Decile_Conversion__c: rollback.minTopDecileConversion,
    Model_Name__c: config.modelName,
    Champion_Version__c: config.championVersion,
    Challenger_Version__c: config.challengerVersion,
    Canary_Percent__c: config.canaryPercent,
    Named_Credential__c: config.namedCredential,
    Enabled__c: config.enabled,
    Top_K_Reasons__c: config.topKReasons,
    Batch_Size__c: config.batchSize,
  });
}

export function mappingRecords(model: string, mappings: FieldMapping[]): MetadataRecordFile[] {
  return mappings.map((m) =>
    renderRecord(MAPPING_TYPE, mappingRecordName(model, m.input), `${model} ${m.input}`, {
      Model_Name__c: model,
      Input_Name__c: m.input,
      Field_Path__c: m.field,
    }),
  );
}

/**
 * The config a model gets in an org that has none yet, as force-app/install ships it: scoring off.
 * The CLI never switches scoring on; the admin does, in Setup, once the service answers.
 */
export function defaultConfig(model: string): ModelConfig {
  return {
    modelName: model,
    championVersion: null,
    challengerVersion: null,
    canaryPercent: 0,
    namedCredential: DEFAULT_NAMED_CREDENTIAL,
    enabled: false,
    topKReasons: 5,
    batchSize: 200,
  };
}

/** A SOQL string literal: quoted, with backslashes and quotes escaped. */
export const soqlString = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

type ConfigRow = {
  Model_Name__c: string;
  Champion_Version__c?: string | null;
  Challenger_Version__c?: string | null;
  Canary_Percent__c?: number | null;
  Named_Credential__c?: string | null;
  Enabled__c?: boolean | null;
  Top_K_Reasons__c?: number | null;
  Batch_Size__c?: number | null;
};

/** The model's current config record in the org, or undefined when the org has none. */
export async function readOrgConfig(conn: Connection, model: string): Promise<ModelConfig | undefined> {
  const result = await conn.query<ConfigRow>(
    'SELECT DeveloperName, Model_Name__c, Champion_Version__c, Challenger_Version__c, Canary_Percent__c, Named_Credential__c, ' +
      `Enabled__c, Top_K_Reasons__c, Batch_Size__c FROM ${CONFIG_TYPE}__mdt WHERE Model_Name__c = ${soqlString(model)}`,
  );
  const row = result.records[0];
  if (!row) return undefined;
  const defaults = defaultConfig(model);
  return {
    modelName: model,
    championVersion: row.Champion_Version__c ?? null,
    challengerVersion: row.Challenger_Version__c ?? null,
    canaryPercent: row.Canary_Percent__c ?? 0,
    namedCredential: row.Named_Credential__c ?? defaults.namedCredential,
    enabled: row.Enabled__c ?? defaults.enabled,
    topKReasons: row.Top_K_Reasons__c ?? defaults.topKReasons,
    batchSize: row.Batch_Size__c ?? defaults.batchSize,
  };
}

/** The model's field mapping records in the org, sorted by input. */
export async function readOrgMapping(conn: Connection, model: string): Promise<FieldMapping[]> {
  const result = await conn.query<{ Input_Name__c: string; Field_Path__c: string }>(
    `SELECT Input_Name__c, Field_Path__c FROM ${MAPPING_TYPE}__mdt WHERE Model_Name__c = ${soqlString(model)}`,
  );
  return result.records
    .map((r) => ({ input: r.Input_Name__c, field: r.Field_Path__c }))
    .sort((a, b) => (a.input < b.input ? -1 : a.input > b.input ? 1 : 0));
}
