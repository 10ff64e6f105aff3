/**
 * `mapping generate`: the Salesforce source a model's inputs need in an org that does not have
 * them yet. For every input whose field is missing: a CustomField file (type from the input's
 * type, label from its label, help text and description from its description); for every custom
 * field the mapping reads: read access in the integration permission set, which `mapping deploy`
 * checks; and, when inputs name no field in the manifest, the --mapping file `mapping deploy`
 * takes. So `sf project deploy start` then `sf scoring mapping deploy` is the whole path.
 *
 * What exists is asked of the org (describe) with --target-org, else read from the project source.
 * Everything is decided before anything is written, and no existing file is overwritten.
 */
import { existsSync, promises as fs, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Messages, type Connection } from '@salesforce/core';
import { scoringError } from './errors.js';
import { loadPackage, type Manifest } from './library.js';
import { inputTypes, mappingFor } from './package/mapping.js';
import { developerName, escapeXml, titleWord, type FieldMapping } from './org/custom-metadata.js';
import { checkFields } from './org/field-check.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.mapping.generate');

type InputSpec = Manifest['inputs'][number];

/** Metadata API limits of a CustomField (Setup enforces the same ones). */
const LABEL_MAX = 40;
const HELP_MAX = 510;
const DESCRIPTION_MAX = 1000;
/** Numbers: 18 digits in all, 6 after the point, so counts, amounts and rates all fit; edit before deploying if you know the range. */
const NUMBER_PRECISION = 18;
const NUMBER_SCALE = 6;

export type FieldStatus =
  /** The field file was written (or, with --dry-run, would be). */
  | 'generated'
  /** The org (or, without an org, the project source) has the field. */
  | 'exists'
  /** The project source has the field but the org does not: deploy it. */
  | 'in-source'
  /** The field exists with a type the input cannot be read from. */
  | 'mistyped'
  /** Not a custom field of the object (a standard field or a relationship path): it cannot be generated. */
  | 'not-creatable';

export type GeneratedField = {
  input: string;
  inputType: string;
  field: string;
  /** The CustomField type written, for generated fields. */
  fieldType: string | null;
  status: FieldStatus;
  note?: string;
};

export type MappingGenerateRequest = {
  modelsDir: string;
  model: string;
  version: string;
  object: string;
  /** The package directory the source goes to (force-app). */
  outDir: string;
  permissionSet: string;
  conn?: Connection;
  dryRun: boolean;
};

export type MappingGeneration = {
  compared: 'org' | 'source';
  fields: GeneratedField[];
  /** Files written (or to be written, with --dry-run), relative to the working directory's project. */
  files: string[];
  /** Object.Field entries given read in the permission set. */
  grants: string[];
  permissionSetFile: string;
  /** The --mapping file for `mapping deploy`, when some input's field is not in the manifest. */
  mappingFile: string | null;
};

/** tenure_at_firm_months -> Tenure_At_Firm_Months__c: the name force-app uses for the sample model's inputs. */
export function fieldNameFor(input: string): string {
  return `${developerName(input.split('_').map(titleWord).join('_'))}__c`;
}

/** Every file under a folder, node_modules and dot folders left out. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name.startsWith('.')) return [];
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

/** Every file under a folder whose path ends with the given parts, compared case-insensitively. */
function findUnder(dir: string, ...tail: string[]): string[] {
  const want = `/${tail.join('/').toLowerCase()}`;
  return filesUnder(dir).filter((file) => file.split(path.sep).join('/').toLowerCase().endsWith(want));
}

/** The folder holding the object's field files: the one the project has, else main/default's. */
function fieldsDir(outDir: string, object: string): string {
  return findDirUnder(outDir, ['objects', object, 'fields']) ?? path.join(outDir, 'main', 'default', 'objects', object, 'fields');
}

/** The first folder under dir whose path ends with the given parts (case-insensitive). */
function findDirUnder(dir: string, tail: string[]): string | undefined {
  const want = `/${tail.join('/').toLowerCase()}`;
  const walk = (d: string): string | undefined => {
    for (const name of readdirSync(d)) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const sub = path.join(d, name);
      if (!statSync(sub).isDirectory()) continue;
      if (sub.split(path.sep).join('/').toLowerCase().endsWith(want)) return sub;
      const deeper = walk(sub);
      if (deeper) return deeper;
    }
    return undefined;
  };
  return walk(dir);
}

/** The categories a string input is known to take: `allowed`, else those of its onehot or ordinal feature. */
function categoriesOf(manifest: Manifest, input: InputSpec): string[] | undefined {
  if (input.allowed?.length) return input.allowed;
  for (const f of manifest.features) {
    if ((f.kind === 'onehot' || f.kind === 'ordinal') && f.input === input.name) return f.categories;
  }
  return undefined;
}

function customFieldType(manifest: Manifest, input: InputSpec): string {
  switch (input.type) {
    case 'number':
      return 'Number';
    case 'boolean':
      return 'Checkbox';
    case 'date':
      return 'Date';
    default:
      return categoriesOf(manifest, input) ? 'Picklist' : 'Text';
  }
}

const element = (name: string, value: string | number | boolean): string => `    <${name}>${escapeXml(String(value))}</${name}>\n`;

/** The CustomField source file of one input, as force-app writes the sample model's. */
export function customFieldXml(manifest: Manifest, input: InputSpec, fieldName: string): string {
  const type = customFieldType(manifest, input);
  const description = (input.description ?? messages.getMessage('field.description', [input.name, manifest.name, manifest.version])).slice(0, DESCRIPTION_MAX);
  let body = element('fullName', fieldName) + element('description', description);
  if (input.description) body += element('inlineHelpText', input.description.slice(0, HELP_MAX));
  body += element('label', input.label.slice(0, LABEL_MAX));
  if (type === 'Checkbox') {
    // A checkbox is never empty: an unset one reads false, which the model sees as false, not missing.
    body += element('defaultValue', false) + element('trackTrending', false) + element('type', type);
  } else if (type === 'Number') {
    body += element('precision', NUMBER_PRECISION) + element('required', false) + element('scale', NUMBER_SCALE);
    body += element('trackTrending', false) + element('type', type) + element('unique', false);
  } else if (type === 'Text') {
    body += element('length', 255) + element('required', false) + element('trackTrending', false) + element('type', type) + element('unique', false);
  } else if (type === 'Picklist') {
    body += element('required', false) + element('trackTrending', false) + element('type', type);
    const values = categoriesOf(manifest, input)!
      .map((v) => `            <value>\n                <fullName>${escapeXml(v)}</fullName>\n                <default>false</default>\n                <label>${escapeXml(v)}</label>\n            </value>\n`)
      .join('');
    // Restricted only when the model refuses other values (strict); otherwise they score as unknown.
    body += `    <valueSet>\n        <restricted>${input.strict}</restricted>\n        <valueSetDefinition>\n            <sorted>false</sorted>\n${values}        </valueSetDefinition>\n    </valueSet>\n`;
  } else {
    body += element('required', false) + element('trackTrending', false) + element('type', type);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">\n${body}</CustomField>\n`;
}

const FIELD_PERMISSIONS = /<fieldPermissions>([\s\S]*?)<\/fieldPermissions>/g;

/**
 * The permission set source with read granted on each field: a grant without read is switched to
 * read, a missing one is added in name order among the others (as sf project retrieve writes them).
 * Returns the new text and the fields that changed.
 */
export function grantRead(xml: string, fields: string[]): { xml: string; granted: string[] } {
  let text = xml;
  const granted: string[] = [];
  const lineStart = (at: number): number => text.lastIndexOf('\n', at - 1) + 1;
  for (const field of [...fields].sort()) {
    const blocks = [...text.matchAll(FIELD_PERMISSIONS)];
    const own = blocks.find((b) => new RegExp(`<field>${escapeRegExp(field)}</field>`, 'i').test(b[1]));
    if (own?.[1].includes('<readable>true</readable>')) continue;
    granted.push(field);
    if (own) {
      const fixed = own[0].replace(/<readable>false<\/readable>/, '<readable>true</readable>');
      text = text.slice(0, own.index) + fixed + text.slice(own.index + own[0].length);
      continue;
    }
    const block = `    <fieldPermissions>\n        <editable>false</editable>\n        <field>${escapeXml(field)}</field>\n        <readable>true</readable>\n    </fieldPermissions>\n`;
    const fieldOf = (b: RegExpMatchArray): string => (/<field>([^<]*)<\/field>/.exec(b[1])?.[1] ?? '').toLowerCase();
    const before = blocks.find((b) => fieldOf(b) > field.toLowerCase());
    const last = blocks[blocks.length - 1];
    // No grants yet: before the first element whose name sorts after fieldPermissions, else before the end.
    const nextElement = [...text.matchAll(/^ {4}<([a-zA-Z]+)>/gm)].find((m) => m[1] > 'fieldPermissions');
    let at: number;
    if (before) at = lineStart(before.index);
    else if (last) at = text.indexOf('\n', last.index + last[0].length) + 1;
    else if (nextElement) at = nextElement.index;
    else at = lineStart(text.lastIndexOf('</PermissionSet>'));
    text = text.slice(0, at) + block + text.slice(at);
  }
  return { xml: text, granted };
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const isCustomField = (field: string): boolean => !field.includes('.') && /__c$/i.test(field);

export async function generateMapping(request: MappingGenerateRequest): Promise<MappingGeneration> {
  const { model, version, object, outDir, permissionSet } = request;
  if (!existsSync(outDir)) {
    throw scoringError('OutDirMissingError', messages.getMessage('error.outMissing', [outDir]), messages.getMessages('error.outMissing.actions'));
  }
  const manifest = (await loadPackage(request.modelsDir, model, version)).manifest;

  // Inputs without a field in the manifest get the name force-app's convention gives them.
  const generatedNames = Object.fromEntries(manifest.inputs.filter((i) => !i.field).map((i) => [i.name, fieldNameFor(i.name)]));
  const mappings: FieldMapping[] = mappingFor([manifest], object, generatedNames);
  const byInput = new Map(manifest.inputs.map((i) => [i.name, i]));
  // One walk of the project: the object's field files it has, by lower-cased field name.
  const fieldFilesInSource = new Set(
    filesUnder(outDir)
      .filter((f) => f.endsWith('.field-meta.xml'))
      .filter((f) => path.basename(path.dirname(path.dirname(f))).toLowerCase() === object.toLowerCase() && path.basename(path.dirname(f)) === 'fields')
      .map((f) => path.basename(f, '.field-meta.xml').toLowerCase()),
  );
  const inSource = (field: string): boolean => fieldFilesInSource.has(field.toLowerCase());

  const fields: GeneratedField[] = [];
  if (request.conn) {
    const { checks } = await checkFields(request.conn, object, mappings, inputTypes([manifest]));
    for (const c of checks) {
      const base = { input: c.input, inputType: c.inputType, field: c.field, fieldType: null };
      if (c.ok) fields.push({ ...base, status: 'exists' });
      else if (!/ does not exist$/.test(c.problem ?? '')) fields.push({ ...base, status: c.fieldType ? 'mistyped' : 'not-creatable', note: c.problem });
      else if (!isCustomField(c.field)) fields.push({ ...base, status: 'not-creatable', note: messages.getMessage('note.notCustom', [object, c.field]) });
      else if (inSource(c.field)) fields.push({ ...base, status: 'in-source', note: messages.getMessage('note.inSource', [outDir]) });
      else fields.push({ ...base, fieldType: customFieldType(manifest, byInput.get(c.input)!), status: 'generated' });
    }
  } else {
    for (const m of mappings) {
      const input = byInput.get(m.input)!;
      const base = { input: m.input, inputType: input.type, field: m.field, fieldType: null };
      if (!isCustomField(m.field)) fields.push({ ...base, status: 'exists', note: messages.getMessage('note.standard', [object]) });
      else if (inSource(m.field)) fields.push({ ...base, status: 'exists' });
      else fields.push({ ...base, fieldType: customFieldType(manifest, input), status: 'generated' });
    }
  }

  // Read access for every custom field the mapping reads on the object: what mapping deploy checks.
  const permissionSetFiles = findUnder(outDir, 'permissionsets', `${permissionSet}.permissionset-meta.xml`);
  if (permissionSetFiles.length === 0) {
    throw scoringError(
      'PermissionSetNotInSourceError',
      messages.getMessage('error.permissionSetMissing', [permissionSet, outDir]),
      messages.getMessages('error.permissionSetMissing.actions', [permissionSet, outDir, permissionSet]),
    );
  }
  const permissionSetFile = permissionSetFiles[0];
  const readable = fields.filter((f) => isCustomField(f.field) && f.status !== 'mistyped').map((f) => `${object}.${f.field}`);
  const { xml: permissionSetXml, granted } = grantRead(await fs.readFile(permissionSetFile, 'utf8'), readable);

  const folder = fieldsDir(outDir, object);
  const fieldFiles = fields
    .filter((f) => f.status === 'generated')
    .map((f) => ({ file: path.join(folder, `${f.field}.field-meta.xml`), xml: customFieldXml(manifest, byInput.get(f.input)!, f.field) }));

  // The --mapping file mapping deploy needs for the inputs the manifest names no field for.
  let mappingFile: string | null = null;
  let mappingJson: string | undefined;
  if (Object.keys(generatedNames).length) {
    mappingFile = path.join(path.dirname(path.resolve(outDir)), 'scoring-mappings', `${model}-${version}.${object}.json`);
    mappingJson = `${JSON.stringify(Object.fromEntries(Object.keys(generatedNames).sort().map((k) => [k, generatedNames[k]])), null, 2)}\n`;
    if (existsSync(mappingFile) && (await fs.readFile(mappingFile, 'utf8')) !== mappingJson) {
      throw scoringError('MappingFileExistsError', messages.getMessage('error.mappingFileExists', [mappingFile]), messages.getMessages('error.mappingFileExists.actions'));
    }
  }

  const files = [...fieldFiles.map((f) => f.file), ...(granted.length ? [permissionSetFile] : []), ...(mappingFile ? [mappingFile] : [])];
  if (!request.dryRun) {
    if (fieldFiles.length) await fs.mkdir(folder, { recursive: true });
    // "wx": a field file that appeared since the check is refused, never overwritten.
    for (const f of fieldFiles) await fs.writeFile(f.file, f.xml, { flag: 'wx' });
    if (granted.length) await fs.writeFile(permissionSetFile, permissionSetXml);
    if (mappingFile && mappingJson) {
      await fs.mkdir(path.dirname(mappingFile), { recursive: true });
      await fs.writeFile(mappingFile, mappingJson);
    }
  }
  return { compared: request.conn ? 'org' : 'source', fields, files, grants: granted, permissionSetFile, mappingFile };
}
