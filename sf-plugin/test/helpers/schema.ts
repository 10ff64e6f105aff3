/** Checks a command's --json result against its committed schema in sf-plugin/schemas/. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import AjvModule from 'ajv';
import { REPO_ROOT } from './models.js';

type AjvClass = typeof import('ajv').default;
const Ajv = ((AjvModule as unknown as { default?: AjvClass }).default ?? AjvModule) as AjvClass;
const ajv = new Ajv({ allErrors: true, strict: false });

export function expectMatchesSchema(command: string, result: unknown): void {
  const file = path.join(REPO_ROOT, 'sf-plugin', 'schemas', `${command.replace(/ /g, '-')}.json`);
  const validate = ajv.compile(JSON.parse(readFileSync(file, 'utf8')) as object);
  // What --json prints: the result after a JSON round trip.
  const ok = validate(JSON.parse(JSON.stringify(result)));
  if (!ok) throw new Error(`${command} --json result does not match ${path.basename(file)}: ${ajv.errorsText(validate.errors)}`);
}
