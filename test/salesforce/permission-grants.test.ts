/**
 * The permission sets grant what the code needs and no more: the integration user reads every
 * mapped Lead field and writes every field LeadScoreWriter writes; Lead_Scoring_User is read-only
 * and never reads the raw reasons; the reps' group holds Lead_Scoring_User. Each rule is also shown
 * to fail on a permission set with one grant removed or one too many.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './support/apex-checks';
import { fieldMappings } from './support/contract';
import { xml } from './support/permission-refs';
import { integrationProblems, type PermissionSet } from './support/permission-grants';

const DEFAULT = path.join(REPO_ROOT, 'force-app', 'main', 'default');

const readText = (...parts: string[]) => fs.readFileSync(path.join(DEFAULT, ...parts), 'utf8');
const permissionSetXml = (name: string) => readText('permissionsets', `${name}.permissionset-meta.xml`);
const parse = (text: string): PermissionSet =>
  (xml.parse(text) as { PermissionSet?: PermissionSet }).PermissionSet ?? {};

/** Standard Lead fields the platform keeps out of field-level security (always readable, never editable). */
const FIELDS_WITHOUT_FLS = new Set(['Id', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp', 'LastActivityDate']);

/** Object.Field names a method of an Apex class assigns in its `new Object(Field = ...)` or `x.Field = ...`. */
function fieldsAssignedIn(apex: string, method: string, object: string): string[] {
  const start = apex.search(new RegExp(`static \\w+ ${method}\\(`));
  if (start < 0) throw new Error(`LeadScoreWriter has no method ${method}: update this test with the writer`);
  const end = apex.indexOf('\n    }\n', start);
  const body = apex.slice(start, end);
  return [...new Set([...body.matchAll(/\b(\w+__c)\s*=(?!=)/g)].map((m) => `${object}.${m[1]}`))].sort();
}

/** What makes a rep permission set more than read-only, or lets it read the raw reasons JSON. */
function repProblems(permissionSet: PermissionSet): string[] {
  const problems: string[] = [];
  for (const grant of permissionSet.fieldPermissions ?? []) {
    if (grant.editable === 'true') problems.push(`${grant.field}: editable`);
    if (/Reasons__c$/.test(grant.field ?? '') && grant.readable === 'true')
      problems.push(`${grant.field}: raw reasons quote input values`);
  }
  for (const grant of permissionSet.objectPermissions ?? []) {
    for (const write of ['allowCreate', 'allowEdit', 'allowDelete', 'modifyAllRecords', 'viewAllRecords']) {
      if (grant[write] === 'true') problems.push(`${grant.object}: ${write}`);
    }
  }
  // Callable by a rep through the REST actions API, it would request scores for any lead past Refresh's
  // edit check and throttle (docs/salesforce.md, Flow actions).
  for (const grant of permissionSet.classAccesses ?? []) {
    if (grant.apexClass === 'LeadScoreRequestAction' && grant.enabled === 'true')
      problems.push("LeadScoreRequestAction: requests scores without Refresh's checks");
  }
  return problems;
}

const writer = readText('classes', 'LeadScoreWriter.cls');
const mustEdit = [
  ...fieldsAssignedIn(writer, 'toLead', 'Lead'),
  ...fieldsAssignedIn(writer, 'toHistory', 'Lead_Score_History__c'),
];
const mustRead = [...new Set(fieldMappings('lead-scoring').values())]
  .filter((field) => !FIELDS_WITHOUT_FLS.has(field))
  .map((field) => `Lead.${field}`)
  .sort();

describe('permission sets against the code', () => {
  it('finds what the writer writes and what the mappings read', () => {
    expect(mustEdit).toEqual(
      expect.arrayContaining([
        'Lead.Lead_Score__c',
        'Lead.Lead_Score_Top_Reason__c',
        'Lead.Lead_Score_Tier_Changed_At__c',
        'Lead_Score_History__c.Reasons__c',
      ]),
    );
    expect(mustRead).toEqual(expect.arrayContaining(['Lead.Industry', 'Lead.LeadSource', 'Lead.Firm_Type__c']));
  });

  it('Lead_Scoring_Integration reads every mapped field and edits every field the writer writes', () => {
    expect(integrationProblems(parse(permissionSetXml('Lead_Scoring_Integration')), mustRead, mustEdit)).toEqual([]);
  });

  it('refuses an integration permission set without edit on the top reason or read on a mapped standard field', () => {
    const broken = permissionSetXml('Lead_Scoring_Integration')
      .replace('<field>Lead.Lead_Score_Top_Reason__c</field>', '<field>Lead.Lead_Score_Top_Reasons__c</field>')
      .replace('<field>Lead.Industry</field>', '<field>Lead.IndustryCode</field>');
    expect(integrationProblems(parse(broken), mustRead, mustEdit)).toEqual([
      'Lead.Industry: no read (a mapped input)',
      'Lead.Lead_Score_Top_Reason__c: no edit (LeadScoreWriter writes it)',
    ]);
  });

  it('Lead_Scoring_User is read-only, never reads the raw reasons, and reads the list-view fields', () => {
    const user = parse(permissionSetXml('Lead_Scoring_User'));
    expect(repProblems(user)).toEqual([]);
    const readable = (user.fieldPermissions ?? []).filter((g) => g.readable === 'true').map((g) => g.field);
    expect(readable).toEqual(
      expect.arrayContaining([
        'Lead.Lead_Score_Tier__c',
        'Lead.Lead_Score_Top_Reason__c',
        'Lead.Lead_Score_Tier_Changed_At__c',
      ]),
    );
  });

  it('refuses a rep permission set that edits leads or reads the reasons JSON', () => {
    const broken = permissionSetXml('Lead_Scoring_User')
      .replace(
        '</PermissionSet>',
        '<fieldPermissions><editable>false</editable><field>Lead.Lead_Score_Reasons__c</field><readable>true</readable></fieldPermissions></PermissionSet>',
      )
      .replace(
        /<allowEdit>false<\/allowEdit>(\s*<allowRead>true<\/allowRead>\s*<modifyAllRecords>false<\/modifyAllRecords>\s*<object>Lead<\/object>)/,
        '<allowEdit>true</allowEdit>$1',
      );
    expect(repProblems(parse(broken))).toEqual([
      'Lead.Lead_Score_Reasons__c: raw reasons quote input values',
      'Lead: allowEdit',
    ]);
    const requesting = permissionSetXml('Lead_Scoring_User').replace(
      '</PermissionSet>',
      '<classAccesses><apexClass>LeadScoreRequestAction</apexClass><enabled>true</enabled></classAccesses></PermissionSet>',
    );
    expect(repProblems(parse(requesting))).toEqual([
      "LeadScoreRequestAction: requests scores without Refresh's checks",
    ]);
  });

  it('the reps group holds Lead_Scoring_User', () => {
    const group = xml.parse(readText('permissionsetgroups', 'Lead_Scoring_Reps.permissionsetgroup-meta.xml')) as {
      PermissionSetGroup: { permissionSets: string[] };
    };
    expect(group.PermissionSetGroup.permissionSets).toContain('Lead_Scoring_User');
  });
});
