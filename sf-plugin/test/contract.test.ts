/**
 * The plugin's public contract, as plugin-template-sf guards it: the committed
 * command-snapshot.json (flags and aliases) and schemas/*.json (--json results) must match the code.
 */
import { readFileSync } from 'node:fs';
import { currentSnapshot, renderSnapshot, SNAPSHOT_FILE, type SnapshotEntry } from '../scripts/command-snapshot.js';
import { generateSchemas, renderSchema, schemaFile } from '../scripts/result-schemas.js';

describe('the plugin contract', () => {
  it('keeps every flag and alias of command-snapshot.json (removing one breaks scripts; run `npm run snapshot -w sf-plugin` after adding)', async () => {
    const committed = JSON.parse(readFileSync(SNAPSHOT_FILE, 'utf8')) as SnapshotEntry[];
    const current = await currentSnapshot((file) => import(file));
    const removed = committed.flatMap((c) => {
      const now = current.find((x) => x.command === c.command);
      if (!now) return [`command ${c.command}`];
      return [...c.flags.filter((f) => !now.flags.includes(f)).map((f) => `${c.command} --${f}`), ...c.flagChars.filter((f) => !now.flagChars.includes(f)).map((f) => `${c.command} -${f}`)];
    });
    expect(removed).toEqual([]);
    expect(renderSnapshot(current)).toBe(readFileSync(SNAPSHOT_FILE, 'utf8'));
  });

  it('has a committed JSON schema for every --json result that matches the result type (run `npm run schemas -w sf-plugin` after changing one)', () => {
    const schemas = generateSchemas();
    expect(Object.keys(schemas)).toHaveLength(18);
    for (const [id, schema] of Object.entries(schemas)) {
      expect({ id, schema: readFileSync(schemaFile(id), 'utf8') }).toEqual({ id, schema: renderSchema(schema) });
    }
  }, 120000);
});
