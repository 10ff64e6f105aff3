/**
 * The objects and fields SOQL and permission sets may name: the project's own (its CustomObject and
 * CustomField components, wherever they sit in force-app) plus the platform's standard objects.
 *
 * Standard objects come from apex-ls's `sobject-types` jar (bundled in the Code Analyzer PMD engine
 * that the offline checks already run): one Java class per standard SObject of API 65.0, whose
 * public fields are the object's fields, its parent relationships (typed by the parent object;
 * polymorphic ones by the `Name` object, as in SOQL) and its child relationships (arrays). It is the
 * describe data apex-ls itself resolves `Lead.Owner.Name` with, and the only maintained package
 * found that ships it; `javap` (JDK) lists a class's fields without loading it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { apexLsClasspath } from './apex-checks';
import { projectComponents, type ProjectComponent } from './project-components';

export interface FieldInfo {
  /** API name as defined. */
  name: string;
  /** Target object of a parent relationship (`Owner`, `Lead__r`). */
  parent?: string;
  /** Child object of a child relationship (`Histories`, `Lead_Score_Histories__r`). */
  child?: string;
}

export interface SObjectInfo {
  name: string;
  /** Lower-cased member name -> field or relationship. */
  members: Map<string, FieldInfo>;
  custom: boolean;
}

const SOBJECT_PACKAGE = 'com.nawforce.runforce.SObjects.';

function sobjectTypesJar(): string {
  const dir = path.dirname(apexLsClasspath());
  const jar = fs.readdirSync(dir).find((name) => /^sobject-types-.*\.jar$/.test(name));
  if (!jar) throw new Error(`No sobject-types jar in ${dir}: reinstall @salesforce/code-analyzer-pmd-engine`);
  return path.join(dir, jar);
}

let standardNames: Map<string, string> | undefined;

/** Lower-cased name -> API name of every standard object in the jar (SOQL is case-insensitive, class names are not). */
function standardObjectNames(): Map<string, string> {
  if (standardNames) return standardNames;
  const listing = spawnSync('jar', ['tf', sobjectTypesJar()], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (listing.error || listing.status !== 0)
    throw new Error(`jar (JDK) is needed to list the standard objects: ${listing.error?.message ?? listing.stderr}`);
  standardNames = new Map();
  for (const entry of listing.stdout.split('\n')) {
    const name = /^com\/nawforce\/runforce\/SObjects\/(\w+)\.class$/.exec(entry.trim())?.[1];
    if (name) standardNames.set(name.toLowerCase(), name);
  }
  return standardNames;
}

/** Standard objects by name (any case), read with one javap run; names the jar does not have are left out. */
function readFromJar(requested: string[]): Map<string, SObjectInfo> {
  const found = new Map<string, SObjectInfo>();
  for (const [name, fields] of Object.entries(STANDARD_OBJECTS_NOT_IN_JAR)) {
    if (requested.some((r) => r.toLowerCase() === name.toLowerCase()))
      found.set(name.toLowerCase(), {
        name,
        custom: false,
        members: new Map(fields.map((f) => [f.toLowerCase(), { name: f }])),
      });
  }
  const names = [
    ...new Set(requested.map((n) => standardObjectNames().get(n.toLowerCase())).filter((n) => n !== undefined)),
  ];
  if (names.length === 0) return found;
  const result = spawnSync('javap', ['-cp', sobjectTypesJar(), '-public', ...names.map((n) => SOBJECT_PACKAGE + n)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new Error(`javap (JDK) is needed to read standard objects: ${result.error.message}`);
  let current: SObjectInfo | undefined;
  for (const line of result.stdout.split('\n')) {
    const header = /^public class com\.nawforce\.runforce\.SObjects\.(\w+) /.exec(line);
    if (header) {
      current = { name: header[1], members: new Map(), custom: false };
      found.set(header[1].toLowerCase(), current);
      continue;
    }
    const field = /^ {2}public (?!static)([\w.$]+)(\[\])? (\w+);$/.exec(line);
    if (!current || !field) continue;
    const [, type, array, name] = field;
    const info: FieldInfo = { name };
    if (type.startsWith(SOBJECT_PACKAGE)) {
      const target = type.slice(SOBJECT_PACKAGE.length);
      if (array) info.child = target;
      else info.parent = target;
    }
    current.members.set(name.toLowerCase(), info);
  }
  return found;
}

/** Standard objects already read, shared by every catalog of the process (javap starts a JVM). */
const readCache = new Map<string, SObjectInfo | null>();

/** Standard objects by name (any case), each a fresh copy the caller may extend with custom fields. */
function readStandardObjects(requested: string[]): Map<string, SObjectInfo> {
  const wanted = requested.map((n) => n.toLowerCase()).filter((n) => !readCache.has(n));
  const read = readFromJar(wanted);
  for (const name of wanted) readCache.set(name, read.get(name) ?? null);
  const found = new Map<string, SObjectInfo>();
  for (const name of requested.map((n) => n.toLowerCase())) {
    const info = readCache.get(name);
    if (info) found.set(name, { ...info, members: new Map(info.members) });
  }
  return found;
}

/** The audit fields custom objects and custom settings share ("System Fields"). */
const AUDIT_FIELDS = [
  'CreatedDate',
  'CreatedById',
  'CreatedBy',
  'LastModifiedDate',
  'LastModifiedById',
  'LastModifiedBy',
  'SystemModstamp',
  'IsDeleted',
];

/**
 * Fields every custom object, custom metadata type and platform event has without defining them.
 * Custom objects: "Standard Fields" of the Object Reference ("System Fields" and Id/Name/Owner);
 * custom metadata types: "Custom Metadata Type Fields" (DeveloperName, MasterLabel, Label, Language,
 * NamespacePrefix, QualifiedApiName); platform events: "Platform Event Fields" (ReplayId, EventUuid);
 * custom settings (an object with <customSettingsType>): SetupOwnerId instead of an owner (Apex
 * Developer Guide, "Custom Settings Methods").
 */
const BASE_FIELDS: Record<'object' | 'mdt' | 'event' | 'setting', string[]> = {
  object: [
    'Id',
    'Name',
    'OwnerId',
    'Owner',
    ...AUDIT_FIELDS,
    'LastViewedDate',
    'LastReferencedDate',
    'LastActivityDate',
    'RecordTypeId',
    'RecordType',
  ],
  mdt: [
    'Id',
    'DeveloperName',
    'MasterLabel',
    'Label',
    'Language',
    'NamespacePrefix',
    'QualifiedApiName',
    'SystemModstamp',
  ],
  event: ['ReplayId', 'EventUuid', 'CreatedDate', 'CreatedById', 'CreatedBy'],
  setting: ['Id', 'Name', 'SetupOwnerId', 'SetupOwner', ...AUDIT_FIELDS],
};
const BASE_PARENTS: Record<string, string> = {
  setupowner: 'Name',
  owner: 'Name',
  createdby: 'User',
  lastmodifiedby: 'User',
  recordtype: 'RecordType',
};

/**
 * Standard objects the jar leaves out (setup objects apex-ls does not model), with the fields
 * that are named here. UserExternalCredential and ExternalCredential: Object Reference (API 56.0+);
 * Salesforce Help, "Named Credentials": users calling out need Read on User External Credentials.
 */
const STANDARD_OBJECTS_NOT_IN_JAR: Record<string, string[]> = {
  UserExternalCredential: ['Id', 'ExternalCredentialId', 'AuthenticationStatus', 'CreatedDate', 'LastModifiedDate'],
  ExternalCredential: ['Id', 'DeveloperName', 'MasterLabel', 'NamespacePrefix', 'AuthenticationProtocol'],
};

const tagValue = (xml: string, tag: string): string | undefined =>
  new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(xml)?.[1];

export class SObjectCatalog {
  private readonly objects = new Map<string, SObjectInfo>();
  private readonly missing = new Set<string>();

  constructor(projectDir: string, components: ProjectComponent[] = projectComponents(projectDir)) {
    // Objects the project defines or extends: CustomObject components, and the objects its fields belong to.
    const fields = components.filter((c) => c.type === 'CustomField' && c.xml);
    const objectXml = new Map(
      components.filter((c) => c.type === 'CustomObject').map((c) => [c.fullName.toLowerCase(), c.xml] as const),
    );
    const objectNames = new Map<string, string>();
    for (const c of components.filter((c) => c.type === 'CustomObject'))
      objectNames.set(c.fullName.toLowerCase(), c.fullName);
    for (const field of fields) {
      const object = field.fullName.split('.')[0];
      if (!objectNames.has(object.toLowerCase())) objectNames.set(object.toLowerCase(), object);
    }
    const isCustom = (name: string) => /__(c|mdt|e|x|b)$/i.test(name);
    const standard = readStandardObjects([...objectNames.values()].filter((name) => !isCustom(name)));
    const fieldXml = new Map(fields.map((f) => [f.fullName, fs.readFileSync(f.xml!, 'utf8')] as const));
    const childLinks: [string, FieldInfo][] = [];
    for (const [key, objectName] of objectNames) {
      const xmlFile = objectXml.get(key);
      const isSetting = xmlFile !== undefined && /<customSettingsType>/.test(fs.readFileSync(xmlFile, 'utf8'));
      const kind = /__mdt$/i.test(objectName)
        ? 'mdt'
        : /__e$/i.test(objectName)
          ? 'event'
          : isSetting
            ? 'setting'
            : 'object';
      const ownFields = [...fieldXml].filter(([fullName]) => fullName.split('.')[0].toLowerCase() === key);
      const info: SObjectInfo = isCustom(objectName)
        ? { name: objectName, members: new Map(), custom: true }
        : (standard.get(key) ?? { name: objectName, members: new Map(), custom: false });
      if (info.custom) {
        // A detail object has no owner: its master's owner owns it.
        const isDetail = ownFields.some(([, xml]) => /<type>MasterDetail<\/type>/.test(xml));
        for (const base of BASE_FIELDS[kind]) {
          if (isDetail && base.startsWith('Owner')) continue;
          info.members.set(base.toLowerCase(), { name: base, parent: BASE_PARENTS[base.toLowerCase()] });
        }
      }
      for (const [fullName, xml] of ownFields) {
        const fieldName = fullName.split('.')[1];
        info.members.set(fieldName.toLowerCase(), { name: fieldName });
        const target = tagValue(xml, 'referenceTo');
        if (target) {
          const relationship = fieldName.replace(/__c$/i, '__r');
          info.members.set(relationship.toLowerCase(), { name: relationship, parent: target });
          const childName = tagValue(xml, 'relationshipName');
          if (childName) childLinks.push([target, { name: `${childName}__r`, child: objectName }]);
        }
      }
      this.objects.set(key, info);
    }
    for (const [parent, link] of childLinks) this.get(parent)?.members.set(link.name.toLowerCase(), link);
  }

  /** An object by API name (case-insensitive), from force-app or the standard objects; undefined when neither has it. */
  get(name: string): SObjectInfo | undefined {
    const key = name.toLowerCase();
    if (!this.objects.has(key) && !this.missing.has(key) && !/__(c|mdt|e|x|b)$/i.test(key)) {
      const standard = readStandardObjects([name]).get(key);
      if (standard) this.objects.set(key, standard);
      else this.missing.add(key);
    }
    return this.objects.get(key);
  }

  /** Reads several standard objects in one javap run (javap starts a JVM each time). */
  preload(names: Iterable<string>): void {
    const wanted = [...new Set([...names].map((n) => n.toLowerCase()))].filter(
      (n) => !this.objects.has(n) && !this.missing.has(n) && !/__(c|mdt|e|x|b)$/i.test(n),
    );
    const read = readStandardObjects(wanted);
    for (const name of wanted) {
      const info = read.get(name);
      if (info) this.objects.set(name, info);
      else this.missing.add(name);
    }
  }

  /**
   * Resolves a dotted field path from an object: every segment but the last is a parent
   * relationship, the last a field. Returns an explanation of the first segment that fails, or
   * undefined when the path resolves.
   */
  resolveFieldPath(objectName: string, fieldPath: string): string | undefined {
    const segments = fieldPath.split('.');
    let current = this.get(objectName);
    if (!current) return `object ${objectName} is not in force-app nor a standard object`;
    for (let i = 0; i < segments.length; i++) {
      const member = current.members.get(segments[i].toLowerCase());
      const where = `${current.name}${current.custom ? ' (force-app)' : ' (standard object)'}`;
      if (!member || member.child) return `${where} has no field ${segments[i]}`;
      if (i === segments.length - 1)
        return member.parent ? `${segments[i]} is a relationship of ${where}; name a field of it` : undefined;
      if (!member.parent)
        return `${segments[i]} of ${where} is not a relationship, so ${segments.slice(i).join('.')} cannot be followed`;
      const next = this.get(member.parent);
      if (!next) return `${segments[i]} of ${where} points to ${member.parent}, which is not known`;
      current = next;
    }
    return undefined;
  }

  /** The child object of a child relationship name (`Histories` on Lead), or undefined. */
  childObject(objectName: string, relationship: string): string | undefined {
    return this.get(objectName)?.members.get(relationship.toLowerCase())?.child;
  }
}
