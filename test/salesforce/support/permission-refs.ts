/**
 * Every name a permission set or permission set group grants access to must exist: in force-app,
 * or (objects, fields, standard tabs) among the standard objects of SObjectCatalog. A deploy
 * refuses a permission set naming a missing component only when the org lacks it too, so a typo
 * passes in one org and fails in the next; this catches it before either.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { SourceProblem } from './apex-checks';
import { SObjectCatalog } from './sobject-catalog';

const xml = new XMLParser({ parseTagValue: false, isArray: (_name, jpath) => String(jpath).split('.').length === 2 });

type Entry = Record<string, string | undefined>;

/** Component names of one metadata folder, from its file names (`Name.suffix-meta.xml`). */
function componentNames(defaultDir: string, folder: string, suffix: string): Set<string> {
  const dir = path.join(defaultDir, folder);
  if (!fs.existsSync(dir)) return new Set();
  const names = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(`.${suffix}-meta.xml`))
    .map((f) => f.slice(0, -`.${suffix}-meta.xml`.length).toLowerCase());
  return new Set(names);
}

/** `Credential-Principal` names of the External Credentials' named and per-user principals. */
function externalCredentialPrincipals(defaultDir: string): Set<string> {
  const principals = new Set<string>();
  const dir = path.join(defaultDir, 'externalCredentials');
  for (const file of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const credential = file.replace(/\.externalCredential-meta\.xml$/, '');
    const doc = xml.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as {
      ExternalCredential?: { externalCredentialParameters?: Entry[] };
    };
    for (const parameter of doc.ExternalCredential?.externalCredentialParameters ?? []) {
      if (parameter.parameterType === 'NamedPrincipal' || parameter.parameterType === 'PerUserPrincipal')
        principals.add(`${credential}-${parameter.parameterName}`.toLowerCase());
    }
  }
  return principals;
}

/** Record types as `Object.RecordType` from objects/<Object>/recordTypes. */
function recordTypes(defaultDir: string): Set<string> {
  const found = new Set<string>();
  const objectsDir = path.join(defaultDir, 'objects');
  for (const object of fs.existsSync(objectsDir) ? fs.readdirSync(objectsDir) : []) {
    for (const name of componentNames(path.join(objectsDir, object), 'recordTypes', 'recordType'))
      found.add(`${object}.${name}`.toLowerCase());
  }
  return found;
}

export function permissionReferenceProblems(
  projectDir: string,
  catalog = new SObjectCatalog(projectDir),
): SourceProblem[] {
  const defaultDir = path.join(projectDir, 'force-app', 'main', 'default');
  const objectsFolder = 'force-app/main/default/objects';
  const classes = componentNames(defaultDir, 'classes', 'cls');
  const tabs = componentNames(defaultDir, 'tabs', 'tab');
  const customPermissions = componentNames(defaultDir, 'customPermissions', 'customPermission');
  const applications = componentNames(defaultDir, 'applications', 'app');
  const pages = componentNames(defaultDir, 'pages', 'page');
  const flows = componentNames(defaultDir, 'flows', 'flow');
  const permissionSets = componentNames(defaultDir, 'permissionsets', 'permissionset');
  const mutingSets = componentNames(defaultDir, 'mutingpermissionsets', 'mutingpermissionset');
  const principals = externalCredentialPrincipals(defaultDir);
  const types = recordTypes(defaultDir);
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
          `${catalog.resolveFieldPath(object, field[0])} (add it under ${objectsFolder}/${object}/fields or fix the name)`
        );
      },
    ],
    [
      'objectPermissions',
      'object',
      (name) => (objectExists(name) ? undefined : `no such object in ${objectsFolder} or the standard objects`),
    ],
    [
      'classAccesses',
      'apexClass',
      (name) => (classes.has(name.toLowerCase()) ? undefined : 'no such Apex class in force-app/main/default/classes'),
    ],
    [
      'tabSettings',
      'tab',
      (name) => {
        const standard = /^standard-(\w+)$/.exec(name);
        if (standard) return objectExists(standard[1]) ? undefined : `standard tab of unknown object ${standard[1]}`;
        return tabs.has(name.toLowerCase()) ? undefined : 'no such tab in force-app/main/default/tabs';
      },
    ],
    [
      'customMetadataTypeAccesses',
      'name',
      (name) =>
        /__mdt$/i.test(name) && catalog.get(name)?.custom
          ? undefined
          : `no such custom metadata type in ${objectsFolder}`,
    ],
    [
      'customSettingAccesses',
      'name',
      (name) => (catalog.get(name)?.custom ? undefined : `no such custom setting in ${objectsFolder}`),
    ],
    [
      'customPermissions',
      'name',
      (name) =>
        customPermissions.has(name.toLowerCase())
          ? undefined
          : 'no such custom permission in force-app/main/default/customPermissions',
    ],
    [
      'externalCredentialPrincipalAccesses',
      'externalCredentialPrincipal',
      (name) =>
        principals.has(name.toLowerCase())
          ? undefined
          : 'no such Credential-Principal (a NamedPrincipal or PerUserPrincipal parameter of an External Credential in force-app/main/default/externalCredentials)',
    ],
    [
      'applicationVisibilities',
      'application',
      (name) =>
        name.startsWith('standard__') || applications.has(name.toLowerCase())
          ? undefined
          : 'no such app in force-app/main/default/applications',
    ],
    [
      'recordTypeVisibilities',
      'recordType',
      (name) => (types.has(name.toLowerCase()) ? undefined : `no such record type under ${objectsFolder}`),
    ],
    [
      'pageAccesses',
      'apexPage',
      (name) =>
        pages.has(name.toLowerCase()) ? undefined : 'no such Visualforce page in force-app/main/default/pages',
    ],
    [
      'flowAccesses',
      'flow',
      (name) => (flows.has(name.toLowerCase()) ? undefined : 'no such flow in force-app/main/default/flows'),
    ],
  ];

  const report = (file: string, element: string, name: string, why: string): void => {
    problems.push({ file, line: 0, message: `<${element}> grants ${name}: ${why}` });
  };
  const grantsOf = (file: string, root: string): Record<string, unknown> =>
    (xml.parse(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>)[root] ?? {};

  const setsDir = path.join(defaultDir, 'permissionsets');
  const setFiles = fs.existsSync(setsDir)
    ? fs.readdirSync(setsDir).filter((f) => f.endsWith('.permissionset-meta.xml'))
    : [];
  for (const setFile of setFiles) {
    const file = path.join(setsDir, setFile);
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

  const groupsDir = path.join(defaultDir, 'permissionsetgroups');
  for (const groupFile of fs.existsSync(groupsDir) ? fs.readdirSync(groupsDir) : []) {
    const file = path.join(groupsDir, groupFile);
    const grants = grantsOf(file, 'PermissionSetGroup');
    const members: [string, Set<string>, string][] = [
      ['permissionSets', permissionSets, 'permission set in force-app/main/default/permissionsets'],
      ['mutingPermissionSets', mutingSets, 'muting permission set in force-app/main/default/mutingpermissionsets'],
    ];
    for (const [element, known, what] of members) {
      for (const granted of (grants[element] as string[] | undefined) ?? []) {
        if (!known.has(String(granted).toLowerCase())) report(file, element, String(granted), `no such ${what}`);
      }
    }
  }
  return problems;
}
