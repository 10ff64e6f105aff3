import type { z } from 'zod';

/** One failed check, with a readable path such as `features[3].categories` or `models["lead-scoring"].aliases`. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Formats a zod path so that keys with dots or dashes (versions, model names) stay unambiguous. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && /^[A-Za-z_$][\w$]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out || '(root)';
}

export function zodIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

/** "path: message; path: message", for error messages that must name every failed field. */
export function describeIssues(issues: FieldIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}
