import { closest, distance } from 'fastest-levenshtein';
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

/** The parts of zod's internal definition this module reads to find the keys an object accepts. */
interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  valueType?: z.ZodType;
  in?: z.ZodType;
}

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
}

/** Unwraps defaults, optionals and pipes down to the schema that checks the value itself. */
function core(schema: z.ZodType): z.ZodType {
  for (let s = schema; ;) {
    const def = defOf(s);
    const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (!inner) return s;
    s = inner;
  }
}

/** The object schema matching `value` among a union's options: the one whose literal discriminator fits. */
function unionOption(options: z.ZodType[], value: unknown): z.ZodType | undefined {
  const objects = options.map(core).filter((o) => defOf(o).type === 'object');
  if (objects.length === 1) return objects[0];
  return objects.find((o) =>
    Object.entries(defOf(o).shape ?? {}).some(([key, field]) => {
      const d = defOf(core(field)) as SchemaDef & { values?: unknown[] };
      return (
        d.type === 'literal' &&
        value !== null &&
        typeof value === 'object' &&
        d.values?.includes((value as Record<string, unknown>)[key])
      );
    }),
  );
}

/** The keys the object schema at `path` (inside `schema`, reading `data` to choose union options) accepts. */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[], data: unknown): string[] | undefined {
  let s: z.ZodType | undefined = core(schema);
  let value = data;
  for (let i = 0; ; i++) {
    let def = defOf(s);
    if (def.type === 'union') {
      s = unionOption(def.options ?? [], value);
      if (!s) return undefined;
      def = defOf(s);
    }
    if (i === path.length) return def.type === 'object' ? Object.keys(def.shape ?? {}) : undefined;
    const part = path[i];
    value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[part] : undefined;
    const next: z.ZodType | undefined =
      def.type === 'object'
        ? def.shape?.[String(part)]
        : def.type === 'array'
          ? def.element
          : def.type === 'record'
            ? def.valueType
            : undefined;
    if (!next) return undefined;
    s = core(next);
  }
}

/**
 * The known key a misspelt one was meant to be, when it is close enough to be a typo: at most a
 * third of its letters changed (`gate` -> `gates`, `max_overfit_gapp` -> `max_overfit_gap`).
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const best = closest(key, [...known]);
  return distance(key, best) <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/** "unknown key; did you mean `gates`?", with the keys this level accepts when nothing is close. */
export function unknownKeyMessage(key: string, known: readonly string[] | undefined): string {
  if (!known) return 'unknown key';
  const suggestion = closestKey(key, known);
  return suggestion
    ? `unknown key; did you mean \`${suggestion}\`?`
    : `unknown key; the keys here are ${known.join(', ')}`;
}

/**
 * zod's issues as field issues. With the schema and the data it parsed, an unrecognised key becomes
 * one issue per key, at the key's own path, naming the closest known key.
 */
export function zodIssues(error: z.ZodError, context?: { schema: z.ZodType; data: unknown }): FieldIssue[] {
  return error.issues.flatMap((issue): FieldIssue[] => {
    if (issue.code === 'unrecognized_keys' && context) {
      const known = knownKeysAt(context.schema, issue.path, context.data);
      return issue.keys.map((key) => ({
        path: formatPath([...issue.path, key]),
        message: unknownKeyMessage(key, known),
      }));
    }
    return [{ path: formatPath(issue.path), message: issue.message }];
  });
}

/** "path: message; path: message", for error messages that must name every failed field. */
export function describeIssues(issues: FieldIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}
