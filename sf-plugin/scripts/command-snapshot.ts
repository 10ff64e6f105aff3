/**
 * command-snapshot.json: every command's flags, flag characters and aliases, committed so a
 * removed or renamed flag (a breaking change for users' scripts) is caught in review.
 * `npm run snapshot -w sf-plugin` rewrites it; test/command-snapshot.test.ts compares.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RESULT_TYPES } from './result-schemas.js';

const PLUGIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SNAPSHOT_FILE = path.join(PLUGIN, 'command-snapshot.json');

type FlagDef = { char?: string; aliases?: string[] };
type CommandClass = { flags?: Record<string, FlagDef>; baseFlags?: Record<string, FlagDef>; aliases?: string[]; enableJsonFlag?: boolean };

export type SnapshotEntry = { alias: string[]; command: string; flagAliases: string[]; flagChars: string[]; flags: string[]; plugin: string };

export function snapshotOf(id: string, cmd: CommandClass): SnapshotEntry {
  const flags: Record<string, FlagDef> = { ...(cmd.baseFlags ?? {}), ...(cmd.flags ?? {}) };
  const names = Object.keys(flags);
  if (cmd.enableJsonFlag && !names.includes('json')) names.push('json');
  return {
    alias: [...(cmd.aliases ?? [])].sort(),
    command: id.replace(/ /g, ':'),
    flagAliases: Object.values(flags).flatMap((f) => f.aliases ?? []).sort(),
    flagChars: Object.values(flags).flatMap((f) => (f.char ? [f.char] : [])).sort(),
    flags: names.sort(),
    plugin: '@lead-scoring/sf-plugin-scoring',
  };
}

export async function currentSnapshot(load: (file: string) => Promise<{ default: CommandClass }>): Promise<SnapshotEntry[]> {
  const entries: SnapshotEntry[] = [];
  for (const [id, [file]] of Object.entries(RESULT_TYPES)) entries.push(snapshotOf(id, (await load(path.join(PLUGIN, file))).default));
  return entries.sort((a, b) => (a.command < b.command ? -1 : 1));
}

export const renderSnapshot = (entries: SnapshotEntry[]): string => `${JSON.stringify(entries, null, 2)}\n`;

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const entries = await currentSnapshot((file) => import(pathToFileURL(file).href) as Promise<{ default: CommandClass }>);
  await fs.writeFile(SNAPSHOT_FILE, renderSnapshot(entries));
  console.log(`wrote ${entries.length} commands to ${SNAPSHOT_FILE}`);
}
