import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { describeIssues, zodIssues } from '../manifest/issues';
import { PackageError, type PackageErrorCode } from './errors';

/** sha256 of a buffer as lowercase hex, as manifests and the registry record it. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Writes a file so readers see either the old or the new content, never half of it:
 * write a temp file next to it, flush it, then rename over the target.
 */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/** Reads and parses a JSON file; a missing file or bad JSON becomes a PackageError naming the file. */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw fileReadError(file, err);
  }
  return parseJsonText(text, file);
}

/** Parses a file's bytes as JSON; bad JSON becomes a PackageError naming the file. */
export function parseJsonBytes(bytes: Uint8Array, file: string): unknown {
  return parseJsonText(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), file);
}

function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new PackageError('json-invalid', `${file} is not valid JSON: ${(err as Error).message}`, { file });
  }
}

export function fileReadError(file: string, err: unknown): PackageError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new PackageError('file-missing', `${file} is missing`, { file });
  return new PackageError('file-unreadable', `${file} cannot be read (${code ?? (err as Error).message})`, { file });
}

/** Validates parsed JSON against a schema; a mismatch is a PackageError naming the file and every failing field path. */
export function parseWithSchema<S extends z.ZodType>(
  schema: S,
  json: unknown,
  code: PackageErrorCode,
  file: string,
): z.output<S> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error, { schema, data: json });
    throw new PackageError(code, `${file} is invalid: ${describeIssues(issues)}`, { file, issues });
  }
  return parsed.data;
}
