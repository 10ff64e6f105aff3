/**
 * Helpers for the Apex <-> scoring service contract check: the stored callout mocks, the
 * request fixture Apex builds, the field mappings, and a JSON difference that names paths.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './apex-checks';

export const STATIC_RESOURCES = path.join(REPO_ROOT, 'force-app', 'main', 'default', 'staticresources');
/** The config and mapping records installed once; after install the CLI owns them (docs/salesforce.md). */
export const CUSTOM_METADATA = path.join(REPO_ROOT, 'force-app', 'install', 'customMetadata');

export interface ScoreRequestFixture {
  version: string;
  shadow?: string[];
  explain?: { top: number };
  asOf?: string;
  records: { id: string; inputs: Record<string, unknown> }[];
}

export function readStaticJson<T>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(STATIC_RESOURCES, `${name}.json`), 'utf8')) as T;
}

export function writeStaticJson(name: string, value: unknown): void {
  fs.writeFileSync(path.join(STATIC_RESOURCES, `${name}.json`), `${JSON.stringify(value, null, 2)}\n`);
}

/** The request Apex builds for the five sample leads (see ScoringClient and ScoringClientTest). */
export const requestFixture = (): ScoreRequestFixture =>
  readStaticJson<ScoreRequestFixture>('ScoringServiceScoreRequest');

/** Field mapping records of a model, read from the custom metadata files: input name -> field path. */
export function fieldMappings(modelName: string): Map<string, string> {
  const mappings = new Map<string, string>();
  const valueOf = (xml: string, field: string): string | undefined =>
    new RegExp(`<field>${field}</field>\\s*<value[^>]*>([^<]*)</value>`).exec(xml)?.[1];
  for (const file of fs.readdirSync(CUSTOM_METADATA).filter((f) => f.startsWith('Scoring_Field_Mapping.'))) {
    const xml = fs.readFileSync(path.join(CUSTOM_METADATA, file), 'utf8');
    const input = valueOf(xml, 'Input_Name__c');
    const fieldPath = valueOf(xml, 'Field_Path__c');
    if (valueOf(xml, 'Model_Name__c') === modelName && input && fieldPath) mappings.set(input, fieldPath);
  }
  return mappings;
}

/** Paths where two JSON values differ (numbers within 1e-12), ignoring keys named in `ignore` anywhere. */
export function jsonDifferences(
  expected: unknown,
  actual: unknown,
  ignore: ReadonlySet<string> = new Set(),
  at = '$',
): string[] {
  if (typeof expected === 'number' && typeof actual === 'number') {
    return Math.abs(expected - actual) <= 1e-12 ? [] : [`${at}: ${expected} != ${actual}`];
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const diffs = expected.length === actual.length ? [] : [`${at}: length ${expected.length} != ${actual.length}`];
    for (let i = 0; i < Math.min(expected.length, actual.length); i++)
      diffs.push(...jsonDifferences(expected[i], actual[i], ignore, `${at}[${i}]`));
    return diffs;
  }
  if (
    expected &&
    actual &&
    typeof expected === 'object' &&
    typeof actual === 'object' &&
    !Array.isArray(expected) &&
    !Array.isArray(actual)
  ) {
    const a = expected as Record<string, unknown>;
    const b = actual as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !ignore.has(k)).sort();
    return keys.flatMap((k) =>
      k in a && k in b
        ? jsonDifferences(a[k], b[k], ignore, `${at}.${k}`)
        : [`${at}.${k}: ${k in a ? 'missing from the service answer' : 'not in the stored mock'}`],
    );
  }
  return Object.is(expected, actual) ? [] : [`${at}: ${JSON.stringify(expected)} != ${JSON.stringify(actual)}`];
}
