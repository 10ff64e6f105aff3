/**
 * The Salesforce project passes every check that can run without an org: see
 * support/apex-checks.ts for what each tool covers and why.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  REPO_ROOT,
  apexFiles,
  convertToMetadataFormat,
  javaAvailable,
  runApexLs,
  runPmd,
  syntaxErrors,
  unknownCustomNames,
  type ApexLsResult,
  type PmdViolation,
} from './support/apex-checks';

// apex-ls and PMD start a JVM each; on a busy 2-core machine they take tens of seconds.
jest.setTimeout(240_000);

describe('Salesforce project offline validation', () => {
  // One apex-ls run and one PMD run, shared by the assertions below; started together.
  let apexLs: Promise<ApexLsResult>;
  let pmd: Promise<{ violations: PmdViolation[]; ruleCount: number }>;

  beforeAll(() => {
    if (!javaAvailable()) throw new Error('No JDK on PATH: apex-ls and PMD need Java 11+ (.ci/run installs one).');
    apexLs = runApexLs(REPO_ROOT);
    pmd = runPmd(REPO_ROOT);
  });

  it('has Apex classes and a trigger for every layer of the scoring path', () => {
    const names = apexFiles(REPO_ROOT).map((file) => path.basename(file));
    for (const expected of [
      'LeadTrigger.trigger',
      'LeadTriggerHandler.cls',
      'LeadScoringJob.cls',
      'LeadScoringRetryFinalizer.cls',
      'LeadRescoreBatch.cls',
      'LeadRescoreSchedule.cls',
      'LeadScoringSelector.cls',
      'ScoringClient.cls',
      'ScoringResponseParser.cls',
      'LeadScoreWriter.cls',
      'LeadScoreController.cls',
      'LeadScoreValidationResource.cls',
      'DemandForecastClient.cls',
      'DemandForecastAction.cls',
      'LeadScorePerformanceBatch.cls',
      'LeadScoreRollbackAlarm.cls',
    ]) {
      expect(names).toContain(expected);
    }
  });

  it('parses every .cls and .trigger without a syntax error', () => {
    const files = apexFiles(REPO_ROOT);
    expect(files.length).toBeGreaterThan(10);
    const problems = files
      .flatMap(syntaxErrors)
      .map((p) => `${path.relative(REPO_ROOT, p.file)}:${p.line} ${p.message}`);
    expect(problems).toEqual([]);
  });

  it('uses only custom objects, fields and relationships that the project defines', () => {
    const problems = unknownCustomNames(REPO_ROOT).map(
      (p) => `${path.relative(REPO_ROOT, p.file)}:${p.line} ${p.message}`,
    );
    expect(problems).toEqual([]);
  });

  it('has no apex-ls semantic issues (unknown types, fields of custom objects, bad assignments)', async () => {
    const result = await apexLs;
    expect(result.issues).toEqual([]);
    expect(result.exitCode).toBe(0);
  });

  it('has no PMD security or best-practice finding of severity 1 or 2', async () => {
    const { violations, ruleCount } = await pmd;
    expect(ruleCount).toBeGreaterThan(20);
    const serious = violations
      .filter((v) => v.severity <= 2)
      .map((v) => `${v.severity} ${v.rule} ${v.file}:${v.line} ${v.message}`);
    expect(serious).toEqual([]);
  });

  it('converts the whole force-app to Metadata API format with every metadata type the package needs', async () => {
    const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdapi-'));
    try {
      const { packageXml, components } = await convertToMetadataFormat(REPO_ROOT, outputDir);
      expect(components).toBeGreaterThan(50);
      for (const type of [
        'ApexClass',
        'ApexTrigger',
        'CustomField',
        'CustomObject',
        'CustomMetadata',
        'CustomLabel',
        'CustomPermission',
        'CustomTab',
        'ExternalCredential',
        'LightningComponentBundle',
        'ListView',
        'NamedCredential',
        'PermissionSet',
        'PermissionSetGroup',
        'PlatformEventSubscriberConfig',
        'Dashboard',
        'Report',
        'ReportType',
        'StaticResource',
      ]) {
        expect(packageXml).toContain(`<name>${type}</name>`);
      }
      expect(packageXml).toContain('<version>67.0</version>');
      for (const member of [
        'Lead.Lead_Score__c',
        'Scoring_Model_Config.Lead_Scoring',
        'Scoring_Service',
        'Scoring_Service_Key',
        'LeadTrigger',
        'Lead_Scoring_Request__e',
        'Lead_Scoring_Request_Subscriber',
        'Lead_Scoring_Reps',
        'Lead_Scoring_Breaker__c',
        'Lead_Score_Performance__c',
        'Lead_Scoring_Alarm__e',
        // A folder is a member of its type with a trailing slash (Report, Dashboard).
        'Lead_Scoring_Monitoring/',
        'Lead_Scoring_Monitoring/Weekly_Trend',
        'Lead_Scoring_Monitoring/Lead_Scoring_Monitoring',
      ]) {
        expect(packageXml).toContain(`<members>${member}</members>`);
      }
    } finally {
      fs.rmSync(outputDir, { recursive: true, force: true });
    }
  });
});
