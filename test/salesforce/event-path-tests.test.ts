/**
 * Apex tests that run the scoring path through the event trigger hold in any org. The platform resets
 * statics between a test body and the platform-event subscribers `Test.getEventBus().deliver()` runs
 * (Spring '23 release note, see docs/salesforce.md "What the first org run must confirm"), so:
 * - after `deliver()` a test reads records or platform state, never a `ScoringServiceMock`'s counters or
 *   `LeadScoringQueue.held`, which the event trigger and its jobs may have set in statics of their own;
 * - a test that delivers sets its config with `ScoringTestData.useConfig` (static and record), not with
 *   `ScoringConfig.useForTest` alone, which the trigger would not see;
 * - the test config reaches the trigger as a `Lead_Scoring_Test_Config__c` record, which `ScoringConfig` reads
 *   only behind `Test.isRunningTest()`, and which no permission set grants (a production org never uses it).
 * Each rule is also shown to refuse one injected defect.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './support/apex-checks';

const DEFAULT = path.join(REPO_ROOT, 'force-app', 'main', 'default');
const CLASSES = path.join(DEFAULT, 'classes');
const TEST_CONFIG_OBJECT = 'Lead_Scoring_Test_Config__c';
const DELIVER = 'Test.getEventBus().deliver()';
/** What a test must not read after delivery: in-memory state the subscriber may have set in its own statics. */
const MOCK_STATE = ['calls', 'requests', 'sentById', 'lastRequestBody'];

type Method = { name: string; body: string };

const stripComments = (apex: string): string => apex.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');

/** The `static void name()` methods of an Apex test class, each up to the next one (comments stripped). */
function testMethods(apex: string): Method[] {
  const code = stripComments(apex);
  const starts = [...code.matchAll(/\bstatic void (\w+)\(\)/g)];
  return starts.map((match, i) => ({
    name: match[1],
    body: code.slice(match.index, i + 1 < starts.length ? starts[i + 1].index : code.length),
  }));
}

/** Reads of in-memory state after the first `deliver()` of each test method, as `Class.method: what`. */
function staticReadsAfterDelivery(className: string, apex: string): string[] {
  const problems: string[] = [];
  for (const method of testMethods(apex)) {
    const delivered = method.body.indexOf(DELIVER);
    if (delivered < 0) continue;
    const after = method.body.slice(delivered);
    const mocks = [...method.body.matchAll(/ScoringServiceMock\s+(\w+)\s*=/g)].map((m) => m[1]);
    for (const mock of mocks) {
      for (const state of MOCK_STATE) {
        if (new RegExp(`\\b${mock}\\.${state}\\b`).test(after)) {
          problems.push(`${className}.${method.name}: reads ${mock}.${state} after ${DELIVER}`);
        }
      }
    }
    if (/\bLeadScoringQueue\.held\b/.test(after)) {
      problems.push(`${className}.${method.name}: reads LeadScoringQueue.held after ${DELIVER}`);
    }
    // A config set only as a static never reaches the event trigger, which would then read the org's record.
    if (/\bScoringConfig\.useForTest\(/.test(method.body)) {
      problems.push(
        `${className}.${method.name}: sets its config with ScoringConfig.useForTest, which the event trigger does not see; use ScoringTestData.useConfig`,
      );
    }
  }
  return problems;
}

/** Places outside tests that read the test config object other than behind `Test.isRunningTest()`. */
function unguardedTestConfigReads(classes: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [name, apex] of Object.entries(classes)) {
    const isTestClass = /@IsTest\b/i.test(stripComments(apex).split(/\bclass\b/)[0] ?? '');
    if (isTestClass || !apex.includes(TEST_CONFIG_OBJECT)) continue;
    if (name !== 'ScoringConfig') {
      problems.push(`${name}: reads ${TEST_CONFIG_OBJECT}; only ScoringConfig may, behind Test.isRunningTest()`);
      continue;
    }
    const calls = [...apex.matchAll(/^.*\btestConfigRecord\(developerName\).*$/gm)].map((m) => m[0]);
    if (calls.length !== 1 || !calls[0].includes('Test.isRunningTest() ?')) {
      problems.push(
        `ScoringConfig: testConfigRecord must be called once, as "Test.isRunningTest() ? testConfigRecord(developerName)", not ${JSON.stringify(calls)}`,
      );
    }
  }
  return problems;
}

/** Permission sets or groups that grant anything on the test config object. */
function testConfigGrants(files: Record<string, string>): string[] {
  return Object.entries(files)
    .filter(([, xml]) => xml.includes(TEST_CONFIG_OBJECT))
    .map(([file]) => `${file}: grants ${TEST_CONFIG_OBJECT}, which only Apex tests use`);
}

const readClasses = (): Record<string, string> =>
  Object.fromEntries(
    fs
      .readdirSync(CLASSES)
      .filter((file) => file.endsWith('.cls'))
      .map((file) => [file.replace(/\.cls$/, ''), fs.readFileSync(path.join(CLASSES, file), 'utf8')]),
  );

const readPermissionFiles = (): Record<string, string> => {
  const files: Record<string, string> = {};
  for (const folder of ['permissionsets', 'permissionsetgroups']) {
    for (const file of fs.readdirSync(path.join(DEFAULT, folder))) {
      files[`${folder}/${file}`] = fs.readFileSync(path.join(DEFAULT, folder, file), 'utf8');
    }
  }
  return files;
};

describe('Apex tests through the event trigger', () => {
  const classes = readClasses();

  it('read records, not in-memory state, after delivering events', () => {
    const delivering = Object.entries(classes).filter(([, apex]) => apex.includes(DELIVER));
    expect(delivering.map(([name]) => name)).toEqual(
      expect.arrayContaining(['LeadTriggerHandlerTest', 'LeadScoringRequestHandlerTest', 'LeadScoringLoadTest']),
    );
    expect(delivering.flatMap(([name, apex]) => staticReadsAfterDelivery(name, apex))).toEqual([]);
  });

  it('refuses a test that counts the mock after delivery, or reads the held jobs', () => {
    const apex = `@IsTest
private class InjectedTest {
    @IsTest
    static void countsTheMock() {
        ScoringServiceMock mock = ScoringServiceMock.replaying().register();
        Assert.areEqual(0, mock.calls, 'before delivery is fine');
        Test.getEventBus().deliver();
        Assert.areEqual(1, mock.calls, 'after delivery it may be reset');
    }

    @IsTest
    static void readsHeldJobs() {
        Test.getEventBus().deliver();
        Assert.areEqual(1, LeadScoringQueue.held.size(), 'held is a static');
    }

    @IsTest
    static void setsAStaticConfigOnly() {
        ScoringConfig.useForTest('Lead_Scoring', config);
        Test.getEventBus().deliver();
    }

    @IsTest
    static void readsRecords() {
        ScoringServiceMock mock = ScoringServiceMock.replaying().register();
        Test.getEventBus().deliver();
        // mock.calls in a comment is not a read
        Assert.areEqual(1, ScoringTestData.jobsOf('LeadScoringJob'), 'a record');
    }
}`;
    expect(staticReadsAfterDelivery('InjectedTest', apex)).toEqual([
      `InjectedTest.countsTheMock: reads mock.calls after ${DELIVER}`,
      `InjectedTest.readsHeldJobs: reads LeadScoringQueue.held after ${DELIVER}`,
      expect.stringContaining('InjectedTest.setsAStaticConfigOnly: sets its config with ScoringConfig.useForTest'),
    ]);
  });

  it('read the test config record only in ScoringConfig, behind Test.isRunningTest()', () => {
    expect(unguardedTestConfigReads(classes)).toEqual([]);
    const unguarded = classes.ScoringConfig.replace(
      'Test.isRunningTest() ? testConfigRecord(developerName) : null',
      'testConfigRecord(developerName)',
    );
    expect(unguarded).not.toEqual(classes.ScoringConfig);
    expect(unguardedTestConfigReads({ ...classes, ScoringConfig: unguarded })).toEqual([
      expect.stringContaining('ScoringConfig: testConfigRecord must be called once'),
    ]);
    const elsewhere = `public with sharing class LeadScoringJobX {
    void f() { List<${TEST_CONFIG_OBJECT}> rows = [SELECT Id FROM ${TEST_CONFIG_OBJECT} WITH SYSTEM_MODE]; }
}`;
    expect(unguardedTestConfigReads({ LeadScoringJobX: elsewhere })).toEqual([
      expect.stringContaining(`LeadScoringJobX: reads ${TEST_CONFIG_OBJECT}`),
    ]);
  });

  it('leave the test config object out of every permission set', () => {
    const files = readPermissionFiles();
    expect(testConfigGrants(files)).toEqual([]);
    const file = 'permissionsets/Lead_Scoring_Admin.permissionset-meta.xml';
    const granted = files[file].replace(
      '</PermissionSet>',
      `    <objectPermissions>\n        <allowRead>true</allowRead>\n        <object>${TEST_CONFIG_OBJECT}</object>\n    </objectPermissions>\n</PermissionSet>`,
    );
    expect(testConfigGrants({ [file]: granted })).toEqual([
      `${file}: grants ${TEST_CONFIG_OBJECT}, which only Apex tests use`,
    ]);
  });
});
