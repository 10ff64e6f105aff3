/**
 * Names in Apex SOQL and in permission sets resolve against force-app plus the standard objects
 * (support/sobject-catalog.ts), and `WITH SECURITY_ENFORCED` is refused at API 67. Each check passes
 * on the package and refuses a copy of it with one defect injected, naming the file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, copyProject } from './support/apex-checks';
import { permissionReferenceProblems } from './support/permission-refs';
import { SObjectCatalog } from './support/sobject-catalog';
import { queriesIn, securityEnforcedProblems, soqlFieldProblems } from './support/soql-check';

// javap and jar start a JVM each; on a busy machine that is seconds.
jest.setTimeout(120_000);

const DEFAULT = ['force-app', 'main', 'default'];
const CLASS_META = `<?xml version="1.0" encoding="UTF-8"?>
<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>67.0</apiVersion>
    <status>Active</status>
</ApexClass>
`;
const render = (projectDir: string, problems: { file: string; line: number; message: string }[]) =>
  problems.map((p) => `${path.relative(projectDir, p.file)}:${p.line} ${p.message}`);

describe('checks on the package', () => {
  it('resolves every field, relationship and object of the SOQL in Apex', () => {
    expect(render(REPO_ROOT, soqlFieldProblems(REPO_ROOT))).toEqual([]);
  });

  it('finds the static queries and resolves the dynamic ones built from literals', () => {
    const selector = path.join(REPO_ROOT, ...DEFAULT, 'classes', 'LeadScoringSelector.cls');
    const { queries } = queriesIn(selector);
    const source = fs.readFileSync(selector, 'utf8');
    const staticCount = source.match(/\[\s*SELECT\b/g)?.length ?? 0;
    expect(queries.filter((q) => !q.partial && /^SELECT[A-Z]/.test(q.soql))).toHaveLength(staticCount);
    // The rescore locator appends optional clauses to a literal: all of them are checked together.
    expect(queries.map((q) => q.soql)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/FROM Lead WHERE IsConverted = false AND .* ORDER BY CreatedDate DESC$/),
      ]),
    );
  });

  it('uses no WITH SECURITY_ENFORCED', () => {
    expect(render(REPO_ROOT, securityEnforcedProblems(REPO_ROOT))).toEqual([]);
  });

  it('grants only objects, fields, classes and principals that exist', () => {
    expect(render(REPO_ROOT, permissionReferenceProblems(REPO_ROOT))).toEqual([]);
  });

  it('knows standard fields and relationships from the shipped describe data', () => {
    const catalog = new SObjectCatalog(REPO_ROOT);
    expect(catalog.resolveFieldPath('Lead', 'Owner.Name')).toBeUndefined();
    expect(catalog.resolveFieldPath('Lead', 'LeadSource')).toBeUndefined();
    expect(catalog.resolveFieldPath('Lead_Score_History__c', 'Lead__r.Owner.Name')).toBeUndefined();
    expect(catalog.childObject('Lead', 'Lead_Score_History__r')).toBe('Lead_Score_History__c');
    expect(catalog.childObject('Lead', 'Histories')).toBe('LeadHistory');
    expect(catalog.resolveFieldPath('Lead', 'Owner.Nmae')).toMatch(/Name \(standard object\) has no field Nmae/);
    expect(catalog.resolveFieldPath('Lead', 'Industry.Name')).toMatch(/Industry of Lead .* is not a relationship/);
  });
});

describe('checks on a copy with one defect', () => {
  let projectDir: string;
  const classes = () => path.join(projectDir, ...DEFAULT, 'classes');
  const addClass = (name: string, source: string) => {
    fs.writeFileSync(path.join(classes(), `${name}.cls`), source);
    fs.writeFileSync(path.join(classes(), `${name}.cls-meta.xml`), CLASS_META);
  };
  const editFile = (relative: string, edit: (text: string) => string) => {
    const file = path.join(projectDir, ...DEFAULT, relative);
    const before = fs.readFileSync(file, 'utf8');
    const after = edit(before);
    expect(after).not.toBe(before);
    fs.writeFileSync(file, after);
  };

  beforeEach(() => {
    projectDir = fs.mkdtempSync(path.join(os.tmpdir(), 'references-'));
    copyProject(projectDir);
  });
  afterEach(() => fs.rmSync(projectDir, { recursive: true, force: true }));

  it.each([
    [
      'an unknown custom field',
      'SELECT Id, Lead_Score_Typo__c FROM Lead',
      /names Lead_Score_Typo__c: Lead \(standard object\) has no field Lead_Score_Typo__c/,
    ],
    [
      'an unknown standard field',
      'SELECT Id FROM Lead WHERE Industy = null',
      /names Industy: Lead \(standard object\) has no field Industy/,
    ],
    [
      'a bad polymorphic relationship path',
      'SELECT Owner.Titel FROM Lead',
      /names Owner\.Titel: Name \(standard object\) has no field Titel/,
    ],
    [
      'a bad custom relationship path',
      'SELECT Lead__r.Companyy FROM Lead_Score_History__c',
      /names Lead__r\.Companyy: Lead \(standard object\) has no field Companyy/,
    ],
    [
      'a field used as a relationship',
      'SELECT Scored_At__c.Name FROM Lead_Score_History__c',
      /Scored_At__c of Lead_Score_History__c \(force-app\) is not a relationship/,
    ],
    ['an unknown field in ORDER BY', 'SELECT Id FROM Lead_Score_History__c ORDER BY Scored__c DESC', /names Scored__c/],
    [
      'an unknown field in a child subquery',
      'SELECT Id, (SELECT Bogus__c FROM Lead_Score_History__r) FROM Lead',
      /SOQL on Lead_Score_History__c names Bogus__c/,
    ],
    [
      'an unknown child relationship',
      'SELECT Id, (SELECT Id FROM Scores__r) FROM Lead',
      /Lead has no child relationship Scores__r/,
    ],
    [
      'an unknown field in a semi-join',
      'SELECT Id FROM Lead WHERE Id IN (SELECT Leed__c FROM Lead_Score_History__c)',
      /SOQL on Lead_Score_History__c names Leed__c/,
    ],
    ['an unknown object', 'SELECT Id FROM Lead_Score_Histroy__c', /FROM Lead_Score_Histroy__c: no such object/],
  ])('refuses %s in static SOQL', (_name, soql, message) => {
    addClass(
      'InjectedQuery',
      `public with sharing class InjectedQuery {\n    public static List<SObject> run() {\n        return [${soql} WITH USER_MODE];\n    }\n}\n`,
    );
    const problems = render(projectDir, soqlFieldProblems(projectDir));
    expect(problems).toEqual([
      expect.stringMatching(new RegExp(`^force-app/main/default/classes/InjectedQuery\\.cls:3 .*${message.source}`)),
    ]);
  });

  it('refuses an unknown field in dynamic SOQL built from a constant, literals and appends, run in a nested block', () => {
    addClass(
      'InjectedDynamic',
      `public with sharing class InjectedDynamic {
    private static final String BASE = 'SELECT Id FROM Lead';
    public static List<Lead> run(Boolean recent, List<String> fields) {
        String soql = BASE + ' WHERE IsConverted = false';
        if (recent) {
            soql += ' AND Lead_Scored_Att__c > YESTERDAY';
        }
        List<Lead> fromParts = Database.query('SELECT ' + String.join(fields, ',') + ', Lead_Score_Tierr__c FROM Lead');
        if (fields != null) { return Database.queryWithBinds(soql, new Map<String, Object>(), AccessLevel.USER_MODE); }
        return fromParts;
    }
}
`,
    );
    const problems = render(projectDir, soqlFieldProblems(projectDir));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^force-app\/main\/default\/classes\/InjectedDynamic\.cls:9 .*names Lead_Scored_Att__c.*\(dynamic SOQL\)$/,
        ),
        expect.stringMatching(
          /^force-app\/main\/default\/classes\/InjectedDynamic\.cls:8 .*names Lead_Score_Tierr__c.*\(dynamic SOQL, from its literal parts\)/,
        ),
      ]),
    );
    expect(problems).toHaveLength(2);
  });

  it('knows the standard fields of a custom setting and of a platform event the package adds', () => {
    const objects = path.join(projectDir, ...DEFAULT, 'objects');
    const write = (file: string, xml: string) => {
      fs.mkdirSync(path.dirname(path.join(objects, file)), { recursive: true });
      fs.writeFileSync(path.join(objects, file), `<?xml version="1.0" encoding="UTF-8"?>\n${xml}\n`);
    };
    const ns = 'xmlns="http://soap.sforce.com/2006/04/metadata"';
    write(
      'Scoring_Breaker__c/Scoring_Breaker__c.object-meta.xml',
      `<CustomObject ${ns}><customSettingsType>Hierarchy</customSettingsType><label>Scoring Breaker</label><visibility>Protected</visibility></CustomObject>`,
    );
    write(
      'Scoring_Breaker__c/fields/Down_Until__c.field-meta.xml',
      `<CustomField ${ns}><fullName>Down_Until__c</fullName><label>Down Until</label><type>DateTime</type></CustomField>`,
    );
    write(
      'Lead_Score_Request__e/Lead_Score_Request__e.object-meta.xml',
      `<CustomObject ${ns}><eventType>HighVolume</eventType><label>Lead Score Request</label><pluralLabel>Lead Score Requests</pluralLabel><publishBehavior>PublishAfterCommit</publishBehavior></CustomObject>`,
    );
    const catalog = new SObjectCatalog(projectDir);
    expect(catalog.resolveFieldPath('Scoring_Breaker__c', 'SetupOwnerId')).toBeUndefined();
    expect(catalog.resolveFieldPath('Scoring_Breaker__c', 'Down_Until__c')).toBeUndefined();
    expect(catalog.resolveFieldPath('Scoring_Breaker__c', 'OwnerId')).toMatch(
      /Scoring_Breaker__c \(force-app\) has no field OwnerId/,
    );
    expect(catalog.resolveFieldPath('Lead_Score_Request__e', 'ReplayId')).toBeUndefined();
    expect(catalog.resolveFieldPath('Lead_Score_Request__e', 'Name')).toMatch(/has no field Name/);
  });

  it('refuses WITH SECURITY_ENFORCED in static and dynamic SOQL at API 67, pointing to USER_MODE', () => {
    addClass(
      'InjectedSecurityEnforced',
      `public with sharing class InjectedSecurityEnforced {
    public static List<Lead> run() {
        List<Lead> first = [SELECT Id FROM Lead WITH SECURITY_ENFORCED];
        return Database.query('SELECT Id FROM Lead WITH SECURITY_ENFORCED');
    }
}
`,
    );
    const problems = render(projectDir, securityEnforcedProblems(projectDir));
    expect(problems).toEqual([
      expect.stringMatching(
        /^force-app\/main\/default\/classes\/InjectedSecurityEnforced\.cls:3 WITH SECURITY_ENFORCED does not compile at API 67\.0; use WITH USER_MODE/,
      ),
      expect.stringMatching(
        /^force-app\/main\/default\/classes\/InjectedSecurityEnforced\.cls:4 WITH SECURITY_ENFORCED .*USER_MODE/,
      ),
    ]);
  });

  it.each([
    [
      'a field that does not exist',
      '<field>Lead.Lead_Score__c</field>',
      '<field>Lead.Lead_Scor__c</field>',
      /<fieldPermissions > field> grants Lead\.Lead_Scor__c: Lead \(standard object\) has no field Lead_Scor__c/,
    ],
    [
      'a standard field that does not exist',
      '<field>Lead.Lead_Score__c</field>',
      '<field>Lead.IndustryCode</field>',
      /grants Lead\.IndustryCode: Lead \(standard object\) has no field IndustryCode/,
    ],
    [
      'an object that does not exist',
      '<object>Lead_Score_History__c</object>',
      '<object>Lead_Score_Histories__c</object>',
      /<objectPermissions > object> grants Lead_Score_Histories__c: no such object/,
    ],
    [
      'a class that does not exist',
      '<apexClass>LeadScoreController</apexClass>',
      '<apexClass>LeadScoreControler</apexClass>',
      /<classAccesses > apexClass> grants LeadScoreControler: no such Apex class/,
    ],
  ])('refuses a permission set granting %s', (_name, from, to, message) => {
    editFile('permissionsets/Lead_Scoring_User.permissionset-meta.xml', (xml) => xml.replace(from, to));
    expect(render(projectDir, permissionReferenceProblems(projectDir))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^force-app/main/default/permissionsets/Lead_Scoring_User\\.permissionset-meta\\.xml:0 .*${message.source}`,
        ),
      ),
    ]);
  });

  it.each([
    [
      'a custom metadata type',
      '<customMetadataTypeAccesses><enabled>true</enabled><name>Scoring_Modle_Config__mdt</name></customMetadataTypeAccesses>',
      /grants Scoring_Modle_Config__mdt: no such custom metadata type/,
    ],
    [
      'a custom permission',
      '<customPermissions><enabled>true</enabled><name>Bypass_Scoring</name></customPermissions>',
      /grants Bypass_Scoring: no such custom permission/,
    ],
    [
      'a tab',
      '<tabSettings><tab>Lead_Scoring_Logs__c</tab><visibility>Visible</visibility></tabSettings>',
      /grants Lead_Scoring_Logs__c: no such tab/,
    ],
  ])('refuses a permission set granting %s that does not exist', (_name, entry, message) => {
    editFile('permissionsets/Lead_Scoring_Integration.permissionset-meta.xml', (xml) =>
      xml.replace('</PermissionSet>', `${entry}</PermissionSet>`),
    );
    expect(render(projectDir, permissionReferenceProblems(projectDir))).toEqual([
      expect.stringMatching(new RegExp(`Lead_Scoring_Integration\\.permissionset-meta\\.xml:0 .*${message.source}`)),
    ]);
  });

  it('refuses a permission set granting a principal that does not exist', () => {
    // Only the integration user calls out, so only its permission set grants the principal.
    editFile('permissionsets/Lead_Scoring_Integration.permissionset-meta.xml', (xml) =>
      xml.replace('Scoring_Service_Key-Scoring_Integration', 'Scoring_Service_Key-Integration'),
    );
    expect(render(projectDir, permissionReferenceProblems(projectDir))).toEqual([
      expect.stringMatching(
        /Lead_Scoring_Integration\.permissionset-meta\.xml:0 .*grants Scoring_Service_Key-Integration: no such Credential-Principal/,
      ),
    ]);
  });

  it('finds components in any folder of force-app, as a deploy does (force-app/install)', () => {
    // The package keeps the credentials in force-app/install; a field moved there counts too.
    const install = path.join(projectDir, 'force-app', 'install');
    fs.mkdirSync(path.join(install, 'objects', 'Lead', 'fields'), { recursive: true });
    fs.renameSync(
      path.join(projectDir, ...DEFAULT, 'objects', 'Lead', 'fields', 'Lead_Score__c.field-meta.xml'),
      path.join(install, 'objects', 'Lead', 'fields', 'Lead_Score__c.field-meta.xml'),
    );
    expect(render(projectDir, permissionReferenceProblems(projectDir))).toEqual([]);
    expect(render(projectDir, soqlFieldProblems(projectDir))).toEqual([]);
    fs.rmSync(path.join(install, 'externalCredentials'), { recursive: true });
    expect(render(projectDir, permissionReferenceProblems(projectDir))).toEqual([
      expect.stringMatching(/Lead_Scoring_Integration\.permissionset-meta\.xml:0 .*no such Credential-Principal/),
    ]);
  });

  it('refuses a permission set group naming a permission set that does not exist, and accepts one that does', () => {
    const group = 'permissionsetgroups/Lead_Scoring_Reps.permissionsetgroup-meta.xml';
    expect(permissionReferenceProblems(projectDir)).toEqual([]);
    editFile(group, (xml) =>
      xml.replace(
        '<permissionSets>Lead_Scoring_User</permissionSets>',
        '<permissionSets>Lead_Scoring_User</permissionSets><permissionSets>Lead_Scoring_Users</permissionSets>',
      ),
    );
    expect(render(projectDir, permissionReferenceProblems(projectDir))).toEqual([
      expect.stringMatching(
        /permissionsetgroups\/Lead_Scoring_Reps\.permissionsetgroup-meta\.xml:0 <permissionSets> grants Lead_Scoring_Users: no such permission set/,
      ),
    ]);
  });
});
