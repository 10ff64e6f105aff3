/**
 * Every -meta.xml follows the Metadata API schema (support/metadata-schema.ts), and a copy of the
 * project with one defect injected is refused with a message naming the file and the element.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, copyProject } from './support/apex-checks';
import { metadataFiles, metadataSchema, metadataSchemaProblems } from './support/metadata-schema';

const NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"';
/** A file of the project by its path inside force-app (main/default/... or install/...). */
const at = (projectDir: string, file: string) => path.join(projectDir, 'force-app', file);

/** Files of a type the package does not ship (yet), valid as written, so their defects can be tested too. */
const NEW_TYPES: Record<string, string> = {
  'main/default/applications/Lead_Scoring.app-meta.xml': `<CustomApplication ${NS}>
    <formFactors>Large</formFactors>
    <label>Lead Scoring</label>
    <navType>Standard</navType>
    <tabs>Lead_Scoring_Log__c</tabs>
    <uiType>Lightning</uiType>
</CustomApplication>`,
};

/** One defect per case: the file, how to change it, and what the message must say. */
const DEFECTS: { name: string; file: string; edit: (xml: string) => string; expect: RegExp }[] = [
  {
    name: 'an unknown element in a CustomField',
    file: 'main/default/objects/Lead/fields/Lead_Score__c.field-meta.xml',
    edit: (xml) => xml.replace('<label>', '<lable>Score</lable><label>'),
    expect: /<CustomField > lable>: CustomField has no element <lable>; did you mean <label>\?/,
  },
  {
    name: 'an unknown <type> of a CustomField',
    file: 'main/default/objects/Lead/fields/Lead_Score__c.field-meta.xml',
    edit: (xml) => xml.replace(/<type>[^<]*<\/type>/, '<type>Decimal</type>'),
    expect: /<CustomField > type>: "Decimal" is not a value of FieldType; use one of: .*Number/,
  },
  {
    name: 'an unknown <visibility> of a custom metadata type',
    file: 'main/default/objects/Scoring_Model_Config__mdt/Scoring_Model_Config__mdt.object-meta.xml',
    edit: (xml) => xml.replace(/<visibility>[^<]*<\/visibility>/, '<visibility>Private</visibility>'),
    expect: /<CustomObject > visibility>: "Private" is not a value of SetupObjectVisibility/,
  },
  {
    name: 'an unknown <fieldManageability> of a custom metadata field',
    file: 'main/default/objects/Scoring_Model_Config__mdt/fields/Enabled__c.field-meta.xml',
    edit: (xml) =>
      xml.replace(
        /<fieldManageability>[^<]*<\/fieldManageability>/,
        '<fieldManageability>Subscriber</fieldManageability>',
      ),
    expect: /<CustomField > fieldManageability>: "Subscriber" is not a value of FieldManageability/,
  },
  {
    name: 'an unknown <deploymentStatus> of a custom object',
    file: 'main/default/objects/Lead_Scoring_Log__c/Lead_Scoring_Log__c.object-meta.xml',
    edit: (xml) =>
      xml.replace(/<deploymentStatus>[^<]*<\/deploymentStatus>/, '<deploymentStatus>Released</deploymentStatus>'),
    expect: /<CustomObject > deploymentStatus>: "Released" is not a value of DeploymentStatus/,
  },
  {
    name: 'an element nested under the wrong parent in a PermissionSet',
    file: 'main/default/permissionsets/Lead_Scoring_User.permissionset-meta.xml',
    edit: (xml) => xml.replace('<classAccesses>', '<field>Lead.Lead_Score__c</field><classAccesses>'),
    expect:
      /<PermissionSet > field>: PermissionSet has no element <field>; remove it or use one of: .*fieldPermissions/,
  },
  {
    name: 'a non-boolean value in a PermissionSet entry',
    file: 'main/default/permissionsets/Lead_Scoring_User.permissionset-meta.xml',
    edit: (xml) => xml.replace('<readable>true</readable>', '<readable>yes</readable>'),
    expect: /<PermissionSet > fieldPermissions > readable>: "yes" is not a boolean/,
  },
  {
    name: 'a single-valued element repeated in an ApexClass meta file',
    file: 'main/default/classes/LeadScoringJob.cls-meta.xml',
    edit: (xml) => xml.replace('<status>Active</status>', '<status>Active</status><status>Active</status>'),
    expect: /<ApexClass > status>: appears more than once/,
  },
  {
    name: 'an unknown <status> of an ApexTrigger',
    file: 'main/default/triggers/LeadTrigger.trigger-meta.xml',
    edit: (xml) => xml.replace(/<status>[^<]*<\/status>/, '<status>Enabled</status>'),
    expect: /<ApexTrigger > status>: "Enabled" is not a value of ApexCodeUnitStatus/,
  },
  {
    name: 'an unknown <cacheControl> of a StaticResource',
    file: 'main/default/staticresources/ScoringServiceProblem422.resource-meta.xml',
    edit: (xml) => xml.replace(/<cacheControl>[^<]*<\/cacheControl>/, '<cacheControl>Shared</cacheControl>'),
    expect: /<StaticResource > cacheControl>: "Shared" is not a value of StaticResourceCacheControl/,
  },
  {
    name: 'an unknown element in a CustomMetadata record value',
    file: 'install/customMetadata/Scoring_Model_Config.Lead_Scoring.md-meta.xml',
    edit: (xml) => xml.replace('<field>', '<name>x</name><field>'),
    expect: /<CustomMetadata > values > name>: CustomMetadataValue has no element <name>/,
  },
  {
    name: 'an unknown <authenticationProtocol> of an ExternalCredential',
    file: 'install/externalCredentials/Scoring_Service_Key.externalCredential-meta.xml',
    edit: (xml) =>
      xml.replace(
        /<authenticationProtocol>[^<]*<\/authenticationProtocol>/,
        '<authenticationProtocol>ApiKey</authenticationProtocol>',
      ),
    expect: /<ExternalCredential > authenticationProtocol>: "ApiKey" is not a value of AuthenticationProtocol/,
  },
  {
    name: 'an unknown element in a NamedCredential parameter',
    file: 'install/namedCredentials/Scoring_Service.namedCredential-meta.xml',
    edit: (xml) => xml.replace('<parameterType>', '<parameterKind>Url</parameterKind><parameterType>'),
    expect: /<NamedCredential > namedCredentialParameters > parameterKind>: NamedCredentialParameter has no element/,
  },
  {
    name: 'a misspelt root element',
    file: 'main/default/customPermissions/Bypass_Lead_Scoring.customPermission-meta.xml',
    edit: (xml) => xml.replace(/CustomPermission\b/g, 'CustomPermision'),
    expect: /<CustomPermision> in a file whose suffix source-deploy-retrieve maps to CustomPermission/,
  },
  {
    name: 'the wrong namespace',
    file: 'main/default/classes/LeadScoringJob.cls-meta.xml',
    edit: (xml) => xml.replace('http://soap.sforce.com/2006/04/metadata', 'http://soap.sforce.com/2006/04/metadat'),
    expect: /<ApexClass>: xmlns must be "http:\/\/soap\.sforce\.com\/2006\/04\/metadata"/,
  },
  {
    name: 'an unknown <publishBehavior> of a platform event',
    file: 'main/default/objects/Lead_Scoring_Request__e/Lead_Scoring_Request__e.object-meta.xml',
    edit: (xml) => xml.replace('PublishAfterCommit', 'AfterCommit'),
    expect: /<CustomObject > publishBehavior>: "AfterCommit" is not a value of PlatformEventPublishBehavior/,
  },
  {
    name: 'a non-numeric <batchSize> of a PlatformEventSubscriberConfig',
    file: 'install/platformEventSubscriberConfigs/Lead_Scoring_Request_Subscriber.platformEventSubscriberConfig-meta.xml',
    edit: (xml) => xml.replace('<batchSize>50', '<batchSize>all'),
    expect: /<PlatformEventSubscriberConfig > batchSize>: "all" is not a number/,
  },
  {
    name: 'an unknown element in a PermissionSetGroup',
    file: 'main/default/permissionsetgroups/Lead_Scoring_Reps.permissionsetgroup-meta.xml',
    edit: (xml) => xml.replace('<permissionSets>', '<permissionSet>Lead_Scoring_User</permissionSet><permissionSets>'),
    expect:
      /<PermissionSetGroup > permissionSet>: PermissionSetGroup has no element <permissionSet>; did you mean <permissionSets>\?/,
  },
  {
    name: 'an unknown element in a custom label',
    file: 'main/default/labels/CustomLabels.labels-meta.xml',
    edit: (xml) => xml.replace('<value>', '<text>Refresh</text><value>'),
    expect: /<CustomLabels > labels > text>: CustomLabel has no element <text>/,
  },
  {
    name: 'an unknown <filterScope> of a ListView',
    file: 'main/default/objects/Lead_Scoring_Log__c/listViews/All.listView-meta.xml',
    edit: (xml) => xml.replace('Everything', 'All'),
    expect: /<ListView > filterScope>: "All" is not a value of FilterScope/,
  },
  {
    name: 'a non-boolean <customObject> of a CustomTab',
    file: 'main/default/tabs/Lead_Scoring_Log__c.tab-meta.xml',
    edit: (xml) => xml.replace('<customObject>true', '<customObject>Lead_Scoring_Log__c'),
    expect: /<CustomTab > customObject>: "Lead_Scoring_Log__c" is not a boolean/,
  },
  {
    name: 'an unknown <category> of a ReportType',
    file: 'main/default/reportTypes/Leads_With_Lead_Score_History.reportType-meta.xml',
    edit: (xml) => xml.replace('<category>leads', '<category>Leads'),
    expect: /<ReportType > category>: "Leads" is not a value of ReportTypeCategory/,
  },
  {
    name: 'a column outside a section of a ReportType',
    file: 'main/default/reportTypes/Leads_With_Lead_Score_History.reportType-meta.xml',
    edit: (xml) => xml.replace('<sections>', '<columns><field>Tier__c</field></columns><sections>'),
    expect: /<ReportType > columns>: ReportType has no element <columns>/,
  },
  {
    name: 'an unknown <format> of a Report',
    file: 'main/default/reports/Lead_Scoring_Monitoring/Weekly_Trend.report-meta.xml',
    edit: (xml) => xml.replace('<format>Summary</format>', '<format>Grouped</format>'),
    expect: /<Report > format>: "Grouped" is not a value of ReportFormat/,
  },
  {
    name: 'an unknown <dateGranularity> of a Report grouping',
    file: 'main/default/reports/Lead_Scoring_Monitoring/Weekly_Trend.report-meta.xml',
    edit: (xml) => xml.replace('<dateGranularity>Week</dateGranularity>', '<dateGranularity>IsoWeek</dateGranularity>'),
    expect: /<Report > groupingsDown > dateGranularity>: "IsoWeek" is not a value of UserDateGranularity/,
  },
  {
    name: 'an unknown <componentType> of a Dashboard component',
    file: 'main/default/dashboards/Lead_Scoring_Monitoring/Lead_Scoring_Monitoring.dashboard-meta.xml',
    edit: (xml) => xml.replace('<componentType>Table</componentType>', '<componentType>Grid</componentType>'),
    expect: /<Dashboard > rightSection > components > componentType>: "Grid" is not a value of DashboardComponentType/,
  },
  {
    name: 'an unknown <accessType> of a ReportFolder (an alias of Folder in the schema)',
    file: 'main/default/reports/Lead_Scoring_Monitoring.reportFolder-meta.xml',
    edit: (xml) => xml.replace('<accessType>Public</accessType>', '<accessType>Everyone</accessType>'),
    expect: /<ReportFolder > accessType>: "Everyone" is not a value of FolderAccessTypes/,
  },
  {
    name: 'an unknown <formFactors> of a CustomApplication',
    file: 'main/default/applications/Lead_Scoring.app-meta.xml',
    edit: (xml) => xml.replace('<formFactors>Large', '<formFactors>Desktop'),
    expect: /<CustomApplication > formFactors>: "Desktop" is not a value of FormFactor/,
  },
  {
    name: 'an unknown target container in a Lightning component',
    file: 'main/default/lwc/leadScore/leadScore.js-meta.xml',
    edit: (xml) => xml.replace('<targets>', '<target>lightning__RecordPage</target><targets>'),
    expect: /<LightningComponentBundle > target>: LightningComponentBundle has no element <target>/,
  },
];

describe('Metadata API schema check', () => {
  it('knows the schema of every metadata type the package uses or is gaining', () => {
    const schema = metadataSchema();
    for (const type of [
      'CustomObject',
      'CustomField',
      'CustomMetadata',
      'PermissionSet',
      'PermissionSetGroup',
      'ExternalCredential',
      'NamedCredential',
      'StaticResource',
      'ApexClass',
      'ApexTrigger',
      'LightningComponentBundle',
      'CustomLabels',
      'ReportType',
      'CustomTab',
      'ListView',
      'PlatformEventSubscriberConfig',
      'CustomApplication',
      'CustomPermission',
      'Report',
      'ReportFolder',
      'Dashboard',
      'DashboardFolder',
    ]) {
      expect(schema.propertiesOf(type).has('fullName')).toBe(true);
    }
  });

  it('passes every -meta.xml of the package', async () => {
    const files = metadataFiles(REPO_ROOT);
    expect(files.length).toBeGreaterThan(100);
    const problems = (await metadataSchemaProblems(REPO_ROOT)).map(
      (p) => `${path.relative(REPO_ROOT, p.file)}: ${p.message}`,
    );
    expect(problems).toEqual([]);
  });

  describe('on a copy with one defect', () => {
    let projectDir: string;
    beforeEach(() => {
      projectDir = fs.mkdtempSync(path.join(os.tmpdir(), 'meta-schema-'));
      copyProject(projectDir);
      fs.cpSync(at(REPO_ROOT, 'main/default/lwc/leadScore'), at(projectDir, 'main/default/lwc/leadScore'), {
        recursive: true,
        filter: (source) => !source.includes('__tests__'),
      });
      for (const [file, xml] of Object.entries(NEW_TYPES)) {
        fs.mkdirSync(path.dirname(at(projectDir, file)), { recursive: true });
        fs.writeFileSync(at(projectDir, file), `<?xml version="1.0" encoding="UTF-8"?>\n${xml}\n`);
      }
    });
    afterEach(() => fs.rmSync(projectDir, { recursive: true, force: true }));

    it('passes the copy with a type the package does not ship written as documented', async () => {
      expect((await metadataSchemaProblems(projectDir)).map((p) => p.message)).toEqual([]);
    });

    it.each(DEFECTS)('refuses $name', async ({ file, edit, expect: message }) => {
      const target = at(projectDir, file);
      const before = fs.readFileSync(target, 'utf8');
      const after = edit(before);
      expect(after).not.toBe(before); // the defect really was injected
      fs.writeFileSync(target, after);
      const problems = await metadataSchemaProblems(projectDir);
      expect(problems.map((p) => path.relative(projectDir, p.file))).toContain(path.join('force-app', file));
      expect(problems.map((p) => p.message)).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
    });
  });
});
