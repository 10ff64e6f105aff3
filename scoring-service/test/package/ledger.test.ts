import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LedgerEntry } from '../../src/manifest/schema';
import { PackageError } from '../../src/package/errors';
import {
  appendLedger,
  findEntries,
  latestPassingSandboxValidation,
  missingSignoffs,
  readLedger,
  signoffRoles,
} from '../../src/package/ledger';

const SHA = 'a'.repeat(64);
const OTHER_SHA = 'c'.repeat(64);
const sandbox = { id: '00D000000000001', isSandbox: true };
const production = { id: '00D000000000002', isSandbox: false };

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ledger-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const base = { model: 'lead-scoring', version: '4.1.0', actor: 'alice@example.com' } as const;

describe('ledger', () => {
  it('reads a missing ledger as an empty history', async () => {
    expect(await readLedger(dir)).toEqual([]);
  });

  it('appends one validated JSON line per entry and reads them back in order', async () => {
    const first = await appendLedger(dir, { ...base, action: 'import', result: 'ok', sha256: SHA });
    expect(first.ts).toMatch(/^\d{4}-\d\d-\d\dT/);
    await appendLedger(dir, { ...base, action: 'validate', result: 'pass', ts: '2026-11-25T12:00:00Z' });
    const text = await fs.readFile(path.join(dir, 'ledger.jsonl'), 'utf8');
    expect(text.split('\n')).toHaveLength(3);
    expect(text.endsWith('\n')).toBe(true);
    expect((await readLedger(dir)).map((e) => e.action)).toEqual(['import', 'validate']);
  });

  it('refuses an invalid entry without writing anything', async () => {
    await expect(appendLedger(dir, { ...base, action: 'launch' as never, result: 'ok' })).rejects.toThrow(/action/);
    await expect(appendLedger(dir, { ...base, version: 'v4', action: 'import', result: 'ok' })).rejects.toThrow(
      /version/,
    );
    await expect(fs.access(path.join(dir, 'ledger.jsonl'))).rejects.toThrow();
  });

  it('names the line number of every broken line', async () => {
    const good = JSON.stringify({ ...base, ts: '2026-11-25T12:00:00Z', action: 'import', result: 'ok' });
    const badResult = JSON.stringify({ ...base, ts: '2026-11-25T12:00:00Z', action: 'import', result: 'maybe' });
    await fs.writeFile(path.join(dir, 'ledger.jsonl'), `${good}\n{"truncated": \n${badResult}\n`);
    let err: PackageError | undefined;
    try {
      await readLedger(dir);
    } catch (e) {
      err = e as PackageError;
    }
    expect(err?.code).toBe('ledger-invalid');
    expect(err?.message).toContain('ledger.jsonl line 2 is not valid JSON');
    expect(err?.message).toMatch(/ledger\.jsonl line 3 .*result/);
  });

  it('starts a new line after a line a crashed writer left unfinished', async () => {
    await fs.writeFile(path.join(dir, 'ledger.jsonl'), '{"partial": tru');
    await appendLedger(dir, { ...base, action: 'import', result: 'ok' });
    const lines = (await fs.readFile(path.join(dir, 'ledger.jsonl'), 'utf8')).split('\n');
    expect(lines[0]).toBe('{"partial": tru');
    expect(JSON.parse(lines[1]).action).toBe('import');
  });

  it('finds the latest passing sandbox validation of the same artifact and mapping only', () => {
    const entries: LedgerEntry[] = [
      {
        ...base,
        ts: '2026-11-20T10:00:00Z',
        action: 'org-validate',
        result: 'pass',
        sha256: SHA,
        mappingSignature: 'm1',
        org: sandbox,
      },
      {
        ...base,
        ts: '2026-11-21T10:00:00Z',
        action: 'org-validate',
        result: 'pass',
        sha256: SHA,
        mappingSignature: 'm1',
        org: sandbox,
      },
      {
        ...base,
        ts: '2026-11-22T10:00:00Z',
        action: 'org-validate',
        result: 'fail',
        sha256: SHA,
        mappingSignature: 'm1',
        org: sandbox,
      },
      {
        ...base,
        ts: '2026-11-23T10:00:00Z',
        action: 'org-validate',
        result: 'pass',
        sha256: SHA,
        mappingSignature: 'm1',
        org: production,
      },
      {
        ...base,
        ts: '2026-11-24T10:00:00Z',
        action: 'org-validate',
        result: 'pass',
        sha256: OTHER_SHA,
        mappingSignature: 'm1',
        org: sandbox,
      },
    ];
    expect(
      latestPassingSandboxValidation(entries, { model: 'lead-scoring', sha256: SHA, mappingSignature: 'm1' })?.ts,
    ).toBe('2026-11-21T10:00:00Z');
    expect(
      latestPassingSandboxValidation(entries, { model: 'lead-scoring', sha256: SHA, mappingSignature: 'm2' }),
    ).toBeUndefined();
    expect(
      latestPassingSandboxValidation(entries, {
        model: 'lead-scoring',
        sha256: 'd'.repeat(64),
        mappingSignature: 'm1',
      }),
    ).toBeUndefined();
    expect(findEntries(entries, { since: '2026-11-22T00:00:00Z', result: ['pass', 'fail'] })).toHaveLength(3);
  });

  it('tracks sign-offs per role, a failing sign-off withdrawing an earlier pass', () => {
    const at = (ts: string) => `2026-11-25T${ts}:00Z`;
    const entries: LedgerEntry[] = [
      { ...base, ts: at('10:00'), action: 'signoff', role: 'data-science', result: 'pass' },
      { ...base, ts: at('10:01'), action: 'signoff', role: 'engineering', result: 'pass' },
      { ...base, ts: at('10:02'), action: 'signoff', role: 'engineering', result: 'fail', reason: 'latency' },
      { ...base, version: '4.0.0', ts: at('10:03'), action: 'signoff', role: 'business', result: 'pass' },
    ];
    expect([...signoffRoles(entries, 'lead-scoring', '4.1.0')]).toEqual(['data-science']);
    expect(missingSignoffs(entries, 'lead-scoring', '4.1.0', ['data-science', 'engineering', 'business'])).toEqual([
      'engineering',
      'business',
    ]);
  });
});
