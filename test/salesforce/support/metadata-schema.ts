/**
 * Every `-meta.xml` in force-app checked against the Metadata API's own schema: element names,
 * nesting, repetition, enum values and primitive values.
 *
 * The schema is `@salesforce/types/metadata`, which Salesforce generates from the Metadata API WSDL
 * (the forcedotcom/wsdl repository: its 1.7.1 is generated from metadata.wsdl "API version 66.0";
 * the 1.9.0 installed here is a later release of the same generator). It is the only package
 * that ships both the elements of every type and each enum's values: jsforce's
 * `api/metadata/schema` (generated from the same WSDL) keeps elements but types every enum as a
 * plain string; source-deploy-retrieve's registry knows types and file suffixes, not elements. It is
 * declared at the version source-deploy-retrieve itself depends on, so it moves with the SDR that
 * converts and deploys this source. The file is TypeScript declarations, read here with the
 * TypeScript compiler's parser, so nothing is copied from it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { XMLParser } from 'fast-xml-parser';
import { forceAppFiles, type SourceProblem } from './apex-checks';

export const METADATA_NAMESPACE = 'http://soap.sforce.com/2006/04/metadata';

type Primitive = 'string' | 'number' | 'boolean' | 'any';
export interface PropertyType {
  /** A primitive, or the name of another type of the schema. */
  type: Primitive | string;
  array: boolean;
}
export type SchemaType =
  | { kind: 'object'; bases: string[]; properties: Map<string, PropertyType> }
  | { kind: 'enum'; values: Set<string> }
  | { kind: 'primitive'; primitive: Primitive };

export interface MetadataSchema {
  types: Map<string, SchemaType>;
  /** Where the schema was read from, for messages. */
  source: string;
  /** Element names of an object type, its bases' included. */
  propertiesOf(typeName: string): Map<string, PropertyType>;
}

function metadataDeclarationsFile(): string {
  // The package's "exports" hide package.json; its ./metadata entry sits next to the declarations.
  const entry = require.resolve('@salesforce/types/metadata');
  return path.join(path.dirname(entry), 'metadata.d.ts');
}

function propertyTypeOf(node: ts.TypeNode): PropertyType {
  if (ts.isArrayTypeNode(node)) return { ...propertyTypeOf(node.elementType), array: true };
  if (ts.isTypeReferenceNode(node)) return { type: node.typeName.getText(), array: false };
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { type: 'string', array: false };
    case ts.SyntaxKind.NumberKeyword:
      return { type: 'number', array: false };
    case ts.SyntaxKind.BooleanKeyword:
      return { type: 'boolean', array: false };
    default:
      return { type: 'any', array: false };
  }
}

function propertiesOfLiteral(literal: ts.TypeLiteralNode): Map<string, PropertyType> {
  const properties = new Map<string, PropertyType>();
  for (const member of literal.members) {
    if (ts.isPropertySignature(member) && member.type)
      properties.set(member.name.getText(), propertyTypeOf(member.type));
  }
  return properties;
}

function schemaTypeOf(node: ts.TypeNode): SchemaType {
  if (ts.isTypeLiteralNode(node)) return { kind: 'object', bases: [], properties: propertiesOfLiteral(node) };
  if (ts.isIntersectionTypeNode(node)) {
    const bases: string[] = [];
    let properties = new Map<string, PropertyType>();
    for (const part of node.types) {
      if (ts.isTypeReferenceNode(part)) bases.push(part.typeName.getText());
      else if (ts.isTypeLiteralNode(part)) properties = propertiesOfLiteral(part);
    }
    return { kind: 'object', bases, properties };
  }
  if (ts.isUnionTypeNode(node) && node.types.every((t) => ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal))) {
    return {
      kind: 'enum',
      values: new Set(node.types.map((t) => ((t as ts.LiteralTypeNode).literal as ts.StringLiteral).text)),
    };
  }
  if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal))
    return { kind: 'enum', values: new Set([node.literal.text]) };
  return { kind: 'primitive', primitive: propertyTypeOf(node).type as Primitive };
}

let cached: MetadataSchema | undefined;

/** The Metadata API schema (read once per test process: the declarations are about 860 kB). */
export function metadataSchema(): MetadataSchema {
  if (cached) return cached;
  const file = metadataDeclarationsFile();
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const types = new Map<string, SchemaType>();
  // `type ReportFolder = Folder;`: an alias of another type is that type (resolved once all are read).
  const aliases = new Map<string, string>();
  for (const statement of source.statements) {
    if (!ts.isTypeAliasDeclaration(statement)) continue;
    if (ts.isTypeReferenceNode(statement.type)) aliases.set(statement.name.text, statement.type.typeName.getText());
    else types.set(statement.name.text, schemaTypeOf(statement.type));
  }
  for (const [name, target] of aliases) {
    let resolved = target;
    for (let hops = 0; aliases.has(resolved) && hops < 10; hops++) resolved = aliases.get(resolved)!;
    const type = types.get(resolved);
    if (type) types.set(name, type);
  }
  const propertiesOf = (typeName: string): Map<string, PropertyType> => {
    const type = types.get(typeName);
    if (!type || type.kind !== 'object') return new Map();
    const all = new Map<string, PropertyType>();
    for (const base of type.bases) for (const [name, prop] of propertiesOf(base)) all.set(name, prop);
    for (const [name, prop] of type.properties) all.set(name, prop);
    return all;
  };
  cached = { types, source: `@salesforce/types/metadata (${path.relative(process.cwd(), file)})`, propertiesOf };
  return cached;
}

/**
 * Elements whose WSDL type is a plain string but whose documented content is XML. The js-meta.xml
 * reference defines <targetConfigs> as nested <targetConfig> elements ("XML Configuration File
 * Elements", LWC Developer Guide); the WSDL carries it as an opaque string.
 */
const FREE_FORM_XML = new Set(['LightningComponentBundle.targetConfigs']);

type XmlNode = Record<string, unknown>;
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  commentPropName: '#comment',
});

function elementName(node: XmlNode): string | undefined {
  return Object.keys(node).find((key) => key !== ':@' && key !== '#text' && key !== '#comment');
}
const childrenOf = (node: XmlNode, name: string): XmlNode[] => (node[name] as XmlNode[]) ?? [];
const textOf = (children: XmlNode[]): string => children.map((c) => String(c['#text'] ?? '')).join('');

/** Every `-meta.xml` under a project's force-app (LWC tests and fixtures are not metadata). */
export function metadataFiles(projectDir: string): string[] {
  return forceAppFiles(projectDir, (name) => name.endsWith('-meta.xml'), ['node_modules', '__tests__']);
}

/**
 * The metadata types source-deploy-retrieve expects for a source file name, from its registry
 * (top-level types and their children, such as CustomField and ListView); empty when SDR maps the
 * suffix to nothing (LWC bundles are recognised by folder).
 */
async function expectedTypesBySuffix(): Promise<(file: string) => string[]> {
  const { RegistryAccess } = await import('@salesforce/source-deploy-retrieve');
  const bySuffix = new Map<string, string[]>();
  const add = (suffix: string | undefined, name: string): void => {
    if (suffix) bySuffix.set(suffix, [...(bySuffix.get(suffix) ?? []), name]);
  };
  for (const type of Object.values(new RegistryAccess().getRegistry().types)) {
    add(type.suffix, type.name);
    for (const child of Object.values(type.children?.types ?? {})) add(child.suffix, child.name);
  }
  return (file) => {
    if (file.includes(`${path.sep}lwc${path.sep}`)) return ['LightningComponentBundle'];
    const suffix = /\.([A-Za-z]+)-meta\.xml$/.exec(path.basename(file))?.[1];
    return (suffix && bySuffix.get(suffix)) || [];
  };
}

/** Edit distance (insertions, deletions, substitutions), case-insensitive. */
function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[y.length];
}

/** What to do about an unknown element: the likely intended name when one is close, and every valid one. */
function suggestion(name: string, valid: string[]): string {
  const closest = valid
    .map((candidate) => ({ candidate, distance: editDistance(name, candidate) }))
    .filter(({ distance }) => distance <= Math.max(2, Math.floor(name.length / 4)))
    .sort((a, b) => a.distance - b.distance)[0];
  const all = `use one of: ${[...valid].sort().join(', ')}`;
  return closest ? `did you mean <${closest.candidate}>? Otherwise remove it or ${all}` : `remove it or ${all}`;
}

/** Problems of one metadata document against the schema; `file` is used in messages. */
export function validateMetadataXml(xml: string, file: string, schema = metadataSchema()): SourceProblem[] {
  const problems: SourceProblem[] = [];
  const report = (where: string, message: string): void => {
    problems.push({ file, line: 0, message: `<${where}>: ${message}` });
  };
  let document: XmlNode[];
  try {
    document = parser.parse(xml, true) as XmlNode[];
  } catch (error) {
    return [{ file, line: 0, message: `not well-formed XML: ${(error as Error).message}` }];
  }
  const roots = document.filter((node) => elementName(node));
  if (roots.length !== 1) return [{ file, line: 0, message: `expected one root element, found ${roots.length}` }];
  const root = roots[0];
  const rootName = elementName(root)!;
  const rootType = schema.types.get(rootName);
  if (!rootType || rootType.kind !== 'object' || !schema.propertiesOf(rootName).has('fullName')) {
    return [
      {
        file,
        line: 0,
        message: `<${rootName}> is not a Metadata API type in ${schema.source}; check the root element's spelling`,
      },
    ];
  }
  const namespace = (root[':@'] as Record<string, string> | undefined)?.xmlns;
  if (namespace !== METADATA_NAMESPACE)
    report(rootName, `xmlns must be "${METADATA_NAMESPACE}" (found ${JSON.stringify(namespace ?? null)})`);

  const checkValue = (where: string, type: PropertyType, value: string): void => {
    const declared = schema.types.get(type.type);
    if (declared?.kind === 'enum') {
      if (!declared.values.has(value))
        report(where, `"${value}" is not a value of ${type.type}; use one of: ${[...declared.values].join(', ')}`);
      return;
    }
    const primitive = declared?.kind === 'primitive' ? declared.primitive : type.type;
    if (primitive === 'boolean' && value !== 'true' && value !== 'false')
      report(where, `"${value}" is not a boolean; use true or false`);
    if (primitive === 'number' && !/^-?\d+(\.\d+)?$/.test(value)) report(where, `"${value}" is not a number`);
  };

  const checkElement = (where: string, typeName: string, node: XmlNode, name: string): void => {
    const children = childrenOf(node, name).filter((child) => elementName(child));
    const declared = schema.types.get(typeName);
    if (declared?.kind !== 'object') {
      if (children.length > 0 && !FREE_FORM_XML.has(where.split(' > ').slice(-2).join('.')) && typeName !== 'any') {
        report(
          where,
          `is a ${typeName} value in the schema and cannot contain elements (found <${elementName(children[0])}>)`,
        );
      }
      return;
    }
    const properties = schema.propertiesOf(typeName);
    const seen = new Map<string, number>();
    for (const child of children) {
      const childName = elementName(child)!;
      const childWhere = `${where} > ${childName}`;
      const property = properties.get(childName);
      if (!property) {
        report(
          childWhere,
          `${typeName} has no element <${childName}>; ${suggestion(childName, [...properties.keys()])}`,
        );
        continue;
      }
      seen.set(childName, (seen.get(childName) ?? 0) + 1);
      if (!property.array && seen.get(childName) === 2)
        report(childWhere, `appears more than once but ${typeName}.${childName} is a single value`);
      const childType = schema.types.get(property.type);
      if (childType?.kind === 'object') checkElement(childWhere, property.type, child, childName);
      else {
        checkElement(childWhere, property.type, child, childName);
        if (property.type !== 'any') checkValue(childWhere, property, textOf(childrenOf(child, childName)));
      }
    }
  };
  checkElement(rootName, rootName, root, rootName);
  return problems;
}

/**
 * Checks every `-meta.xml` of a project: the root element is the type source-deploy-retrieve
 * expects for the file's suffix, and the document follows that type's schema.
 */
export async function metadataSchemaProblems(projectDir: string): Promise<SourceProblem[]> {
  const schema = metadataSchema();
  const expectedTypes = await expectedTypesBySuffix();
  const problems: SourceProblem[] = [];
  for (const file of metadataFiles(projectDir)) {
    const xml = fs.readFileSync(file, 'utf8');
    const found = validateMetadataXml(xml, file, schema);
    const expected = expectedTypes(file);
    const rootName = /<([A-Za-z]+)[\s>]/.exec(xml.replace(/<\?xml[^>]*\?>/, '').replace(/<!--[\s\S]*?-->/g, ''))?.[1];
    if (expected.length > 0 && rootName && !expected.includes(rootName)) {
      found.unshift({
        file,
        line: 0,
        message: `<${rootName}> in a file whose suffix source-deploy-retrieve maps to ${expected.join(' or ')}; rename the file or use <${expected[0]}>`,
      });
    }
    problems.push(...found);
  }
  return problems;
}
