/**
 * Every name a permission set or permission set group grants access to must exist: in force-app,
 * or (objects, fields, standard tabs) among the standard objects of SObjectCatalog. A deploy
 * refuses a permission set naming a missing component only when the org lacks it too, so a typo
 * passes in one org and fails in the next; this catches it before either.
 */
import * as fs from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import type { SourceProblem } from './apex-checks';
import { fullNamesOf, projectComponents, type ProjectComponent } from './project-components';
import { SObjectCatalog } from './sobject-catalog';

/** Parses a metadata file with every child of the root element as an array (one grant or many), texts as strings. */
export const xml = new XMLParser({
  parseTagValue: false,
  isArray: (_name, jpath) => String(jpath).split('.').length === 2,
});

type Entry = Record<string, string | undefined>;

/** `Credential-Principal` names of the External Credentials' named and per-user principals. */
function externalCredentialPrincipals(components: ProjectComponent[]): Set<string> {
  const principals = new Set<string>();
  for (const credential of components.filter((c) => c.type === 'ExternalCredential' && c.xml)) {
    const doc = xml.parse(fs.readFileSync(credential.xml!, 'utf8')) as {
      ExternalCredential?: { externalCredentialParameters?: Entry[] };
    };
    for (const parameter of doc.ExternalCredential?.externalCredentialParameters ?? []) {
      if (parameter.parameterType === 'NamedPrincipal' || parameter.parameterType === 'PerUserPrincipal')
        principals.add(`${credential.fullName}-${parameter.parameterName}`.toLowerCase());
    }
  }
  return principals;
}

export function permissionReferenceProblems(
  projectDir: string,
  components: ProjectComponent[] = projectComponents(projectDir),
  catalog = new SObjectCatalog(projectDir, components),
): SourceProblem[] {
  const names = (type: string) => fullNamesOf(components, type);
  const classes = names('ApexClass');
  const tabs = names('CustomTab');
  const customPermissions = names('CustomPermission');
  const applications = names('CustomApplication');
  const pages = names('ApexPage');
  const flows = names('Flow');
  const permissionSets = names('PermissionSet');
  const mutingSets = names('MutingPermissionSet');
  const types = names('RecordType');
  const principals = externalCredentialPrincipals(components);
  const problems: SourceProblem[] = [];

  const objectExists = (name: string): boolean => catalog.get(name) !== undefined;
  /** Each check: the entry's element, the name element inside it, and why a name fails (undefined when it exists). */
  const checks: [string, string, (name: string) => string | undefined][] = [
    [
      'fieldPermissions',
      'field',
      (name) => {
        const [object, ...field] = name.split('.');
        if (field.length !== 1) return 'is not Object.Field';
        return (
          catalog.resolveFieldPath(object, field[0]) &&
          `${catalog.resolveFieldPath(object, field[0])} (fix the name, or add force-app/main/default/objects/${object}/fields/${field[0]}.field-meta.xml)`
        );
      },
    ],
    [
      'objectPermissions',
      'object',
      (name) => (objectExists(name) ? undefined : 'no such object in force-app or the standard objects'),
    ],
    [
      'classAccesses',
      'apexClass',
      (name) => (classes.has(name.toLowerCase()) ? undefined : 'no such Apex class in a classes folder of force-app'),
    ],
    [
      'tabSettings',
      'tab',
      (name) => {
        const standard = /^standard-(\w+)$/.exec(name);
        if (standard) return objectExists(standard[1]) ? undefined : `standard tab of unknown object ${standard[1]}`;
        return tabs.has(name.toLowerCase()) ? undefined : 'no such tab in a tabs folder of force-app';
      },
    ],
    [
      'customMetadataTypeAccesses',
      'name',
      (name) =>
        /__mdt$/i.test(name) && catalog.get(name)?.custom
          ? undefined
          : 'no such custom metadata type (an objects/<Name>__mdt folder) in force-app',
    ],
    [
      'customSettingAccesses',
      'name',
      (name) => (catalog.get(name)?.custom ? undefined : 'no such custom setting in force-app'),
    ],
    [
      'customPermissions',
      'name',
      (name) =>
        customPermissions.has(name.toLowerCase())
          ? undefined
          : 'no such custom permission in a customPermissions folder of force-app',
    ],
    [
      'externalCredentialPrincipalAccesses',
      'externalCredentialPrincipal',
      (name) =>
        principals.has(name.toLowerCase())
          ? undefined
          : 'no such Credential-Principal (a NamedPrincipal or PerUserPrincipal parameter of an External Credential in an externalCredentials folder of force-app)',
    ],
    [
      'applicationVisibilities',
      'application',
      (name) =>
        name.startsWith('standard__') || applications.has(name.toLowerCase())
          ? undefined
          : 'no such app in an applications folder of force-app',
    ],
    [
      'recordTypeVisibilities',
      'recordType',
      (name) =>
        types.has(name.toLowerCase()) ? undefined : 'no such record type (objects/<Object>/recordTypes) in force-app',
    ],
    [
      'pageAccesses',
      'apexPage',
      (name) => (pages.has(name.toLowerCase()) ? undefined : 'no such Visualforce page in a pages folder of force-app'),
    ],
    [
      'flowAccesses',
      'flow',
      (name) => (flows.has(name.toLowerCase()) ? undefined : 'no such flow in a flows folder of force-app'),
    ],
  ];

  const report = (file: string, element: string, name: string, why: string): void => {
    problems.push({ file, line: 0, message: `<${element}> grants ${name}: ${why}` });
  };
  const grantsOf = (file: string, root: string): Record<string, unknown> =>
    (xml.parse(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>)[root] ?? {};

  const filesOf = (type: string) => components.filter((c) => c.type === type && c.xml).map((c) => c.xml!);
  for (const file of filesOf('PermissionSet')) {
    const grants = grantsOf(file, 'PermissionSet');
    for (const [element, nameElement, why] of checks) {
      for (const entry of (grants[element] as Entry[] | undefined) ?? []) {
        const granted = entry[nameElement];
        if (!granted) {
          report(file, element, '(nothing)', `has no <${nameElement}>; name what it grants`);
          continue;
        }
        const problem = why(granted);
        if (problem) report(file, `${element} > ${nameElement}`, granted, problem);
      }
    }
  }

  for (const file of filesOf('PermissionSetGroup')) {
    const grants = grantsOf(file, 'PermissionSetGroup');
    const members: [string, Set<string>, string][] = [
      ['permissionSets', permissionSets, 'permission set in a permissionsets folder of force-app'],
      ['mutingPermissionSets', mutingSets, 'muting permission set in a mutingpermissionsets folder of force-app'],
    ];
    for (const [element, known, what] of members) {
      for (const granted of (grants[element] as string[] | undefined) ?? []) {
        if (!known.has(String(granted).toLowerCase())) report(file, element, String(granted), `no such ${what}`);
      }
    }
  }
  return problems;
}
