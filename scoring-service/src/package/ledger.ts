/**
 * models/ledger.jsonl: the append-only history of imports, validations, deploys,
 * sign-offs, promotions and rollbacks. One JSON object per line; never rewritten.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ledgerEntrySchema, type LedgerEntry } from '../manifest/schema';
import { describeIssues, zodIssues } from '../manifest/issues';
import { PackageError } from './errors';
import { fileReadError } from './files';

export const LEDGER_FILE = 'ledger.jsonl';

export function ledgerPath(modelsDir: string): string {
  return path.join(modelsDir, LEDGER_FILE);
}

function validate(entry: unknown, where: string, file: string): LedgerEntry {
  const parsed = ledgerEntrySchema.safeParse(entry);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error);
    throw new PackageError('ledger-invalid', `${where} is not a valid ledger entry: ${describeIssues(issues)}`, {
      file,
      issues,
    });
  }
  return parsed.data;
}

/**
 * Appends one validated entry as a single line (one write with O_APPEND, so concurrent
 * appenders do not interleave). `ts` defaults to now. Returns the entry as written.
 */
export async function appendLedger(
  modelsDir: string,
  entry: Omit<LedgerEntry, 'ts'> & { ts?: string },
): Promise<LedgerEntry> {
  const file = ledgerPath(modelsDir);
  const valid = validate({ ...entry, ts: entry.ts ?? new Date().toISOString() }, 'the new entry', file);
  await fs.mkdir(modelsDir, { recursive: true });
  // If a previous writer died mid-line, start on a fresh line so this entry stays readable.
  let prefix = '';
  try {
    const handle = await fs.open(file, 'r');
    try {
      const { size } = await handle.stat();
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) prefix = '\n';
      }
    } finally {
      await handle.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fileReadError(file, err);
  }
  await fs.appendFile(file, `${prefix}${JSON.stringify(valid)}\n`, { encoding: 'utf8', flag: 'a' });
  return valid;
}

/** Parses ledger text; every bad line is reported with its line number. Blank lines are skipped. */
export function parseLedger(text: string, file = LEDGER_FILE): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  const problems: string[] = [];
  const issues: { path: string; message: string }[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file} line ${i + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (err) {
      problems.push(`${where} is not valid JSON (${(err as Error).message})`);
      issues.push({ path: `line ${i + 1}`, message: 'not valid JSON' });
      return;
    }
    try {
      entries.push(validate(json, where, file));
    } catch (err) {
      problems.push((err as Error).message);
      for (const issue of (err as PackageError).issues ?? [])
        issues.push({ path: `line ${i + 1}: ${issue.path}`, message: issue.message });
    }
  });
  if (problems.length) throw new PackageError('ledger-invalid', problems.join('; '), { file, issues });
  return entries;
}

/** Reads every entry, oldest first. A missing ledger is an empty history. */
export async function readLedger(modelsDir: string): Promise<LedgerEntry[]> {
  const file = ledgerPath(modelsDir);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw fileReadError(file, err);
  }
  return parseLedger(text, file);
}

export interface LedgerFilter {
  action?: LedgerEntry['action'] | LedgerEntry['action'][];
  model?: string;
  version?: string;
  sha256?: string;
  mappingSignature?: string;
  result?: LedgerEntry['result'] | LedgerEntry['result'][];
  role?: string;
  orgId?: string;
  /** true: sandbox orgs only; false: production orgs only. */
  sandbox?: boolean;
  /** Entries at or after this instant (ISO string or Date). */
  since?: string | Date;
}

function oneOf<T>(want: T | T[] | undefined, value: T): boolean {
  if (want === undefined) return true;
  return Array.isArray(want) ? want.includes(value) : want === value;
}

export function matchesFilter(entry: LedgerEntry, filter: LedgerFilter): boolean {
  if (!oneOf(filter.action, entry.action) || !oneOf(filter.result, entry.result)) return false;
  if (filter.model !== undefined && entry.model !== filter.model) return false;
  if (filter.version !== undefined && entry.version !== filter.version) return false;
  if (filter.sha256 !== undefined && entry.sha256 !== filter.sha256) return false;
  if (filter.mappingSignature !== undefined && entry.mappingSignature !== filter.mappingSignature) return false;
  if (filter.role !== undefined && entry.role !== filter.role) return false;
  if (filter.orgId !== undefined && entry.org?.id !== filter.orgId) return false;
  if (filter.sandbox !== undefined && entry.org?.isSandbox !== filter.sandbox) return false;
  if (filter.since !== undefined && Date.parse(entry.ts) < new Date(filter.since).getTime()) return false;
  return true;
}

/** Entries matching the filter, oldest first. */
export function findEntries(entries: LedgerEntry[], filter: LedgerFilter): LedgerEntry[] {
  return entries.filter((e) => matchesFilter(e, filter));
}

/** The most recent matching entry (by ts, then by position), or undefined. */
export function latestEntry(entries: LedgerEntry[], filter: LedgerFilter): LedgerEntry | undefined {
  let best: LedgerEntry | undefined;
  for (const e of entries) {
    if (matchesFilter(e, filter) && (best === undefined || Date.parse(e.ts) >= Date.parse(best.ts))) best = e;
  }
  return best;
}

/**
 * The production gate's evidence: the latest passing `org-validate` in a sandbox of this
 * exact artifact (sha256) and field mapping (mapping signature), or undefined.
 */
export function latestPassingSandboxValidation(
  entries: LedgerEntry[],
  artifact: { model: string; sha256: string; mappingSignature: string },
): LedgerEntry | undefined {
  return latestEntry(entries, { action: 'org-validate', result: 'pass', sandbox: true, ...artifact });
}

/**
 * The production gate's warehouse evidence (gates.require_warehouse_verify): the latest passing
 * `warehouse-verify` of this exact version and artifact (sha256), or undefined.
 */
export function latestPassingWarehouseVerify(
  entries: LedgerEntry[],
  artifact: { model: string; version: string; sha256: string },
): LedgerEntry | undefined {
  return latestEntry(entries, { action: 'warehouse-verify', result: 'pass', ...artifact });
}

/**
 * The orgs that have ever been sent this version: any ledger entry naming an org (deploy, promote,
 * rollback, org-validate, mapping-deploy, whatever its result, since a failed deploy may have
 * reached the org). One such entry makes the version immutable.
 */
export function orgsThatReceived(
  entries: LedgerEntry[],
  model: string,
  version: string,
): { orgId: string; username?: string; isSandbox: boolean; action: string; ts: string }[] {
  const seen = new Map<string, { orgId: string; username?: string; isSandbox: boolean; action: string; ts: string }>();
  for (const e of findEntries(entries, { model, version })) {
    if (e.org && !seen.has(e.org.id))
      seen.set(e.org.id, {
        orgId: e.org.id,
        username: e.org.username,
        isSandbox: e.org.isSandbox,
        action: e.action,
        ts: e.ts,
      });
  }
  return [...seen.values()];
}

/**
 * Sign-off roles recorded for a version (optionally of one sha256). A `fail` sign-off
 * after a `pass` of the same role withdraws it.
 */
export function signoffRoles(entries: LedgerEntry[], model: string, version: string, sha256?: string): Set<string> {
  const roles = new Set<string>();
  for (const e of entries) {
    if (!matchesFilter(e, { action: 'signoff', model, version, sha256 }) || !e.role) continue;
    if (e.result === 'fail') roles.delete(e.role);
    else roles.add(e.role);
  }
  return roles;
}

/** Roles the gates require that have not signed off yet. */
export function missingSignoffs(
  entries: LedgerEntry[],
  model: string,
  version: string,
  required: readonly string[],
  sha256?: string,
): string[] {
  const have = signoffRoles(entries, model, version, sha256);
  return required.filter((r) => !have.has(r));
}
