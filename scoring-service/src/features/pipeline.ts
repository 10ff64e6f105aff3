/**
 * The feature pipeline: compiled once per model version from the manifest's inputs and
 * feature blocks, then run per request to turn records of raw inputs into the model's
 * float32 rows. Every kind follows its comment in src/manifest/schema.ts; docs/model-package.md
 * states the input rules (missing = absent, null or ""; no type coercion).
 */
import type { FeatureSpec, InputSpec, Manifest, SnapshotTable } from '../manifest/schema';
import { asOfEpochDay, parseEpochDay } from './dates';
import { FeatureSchemaError, InputValidationError, type InputProblem } from './errors';
import { hashIndex, Murmur3 } from './hasher';

/** Where one feature block sits among the model's columns (SHAP values fold back through this). */
export interface FeatureBlock {
  kind: FeatureSpec['kind'];
  /** Inputs the block reads, in the order the manifest names them. */
  inputs: string[];
  /** Display name: the input's label for one-input blocks, else the block's name (or lookup table). */
  name: string;
  start: number;
  width: number;
}

export interface ScoringRecord {
  id: string;
  inputs: Record<string, unknown>;
}

export interface TransformOptions {
  /** Reference day for days_since: "YYYY-MM-DD", an ISO datetime or a Date; default today (UTC). */
  asOf?: string | Date;
  /**
   * Names that are not inputs of this model but are accepted and ignored, e.g. inputs of
   * another version scored in the same request (shadow). Anything else unknown is refused.
   */
  ignoreInputs?: ReadonlySet<string>;
}

export interface FeaturePipeline {
  /** Column names in model order. */
  readonly columns: readonly string[];
  readonly blocks: readonly FeatureBlock[];
  readonly inputs: readonly InputSpec[];
  /** Records -> row-major float32 [records x columns]. Throws InputValidationError listing every problem. */
  transform(records: readonly ScoringRecord[], options?: TransformOptions): Float32Array;
  /** The same checks as transform, without building rows. */
  validate(records: readonly ScoringRecord[], options?: Pick<TransformOptions, 'ignoreInputs'>): InputProblem[];
}

type ManifestFeatures = Pick<Manifest, 'inputs' | 'features'> | { inputs: InputSpec[]; features: FeatureSpec[] };

/** Writes one block of one row: `out[offset ..]`, reading the row's parsed inputs. */
type BlockWriter = (out: Float32Array, offset: number, asOfDay: number) => void;

const MAX_PROBLEMS = 100;

function bisectRight(edges: readonly number[], value: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (value < edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isFinite(value) ? 'a number' : 'a non-finite number';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** Compiles the manifest's feature schema. Throws FeatureSchemaError listing every problem. */
export function compilePipeline(
  manifest: ManifestFeatures,
  snapshots: Record<string, SnapshotTable> = {},
): FeaturePipeline {
  const inputs = manifest.inputs as InputSpec[];
  const features = manifest.features as FeatureSpec[];
  const schemaProblems: { path: string; message: string }[] = [];
  const fail = (path: string, message: string) => schemaProblems.push({ path, message });

  const inputIndex = new Map<string, number>();
  inputs.forEach((input, i) => {
    if (inputIndex.has(input.name)) fail(`inputs[${i}].name`, `duplicate input ${input.name}`);
    inputIndex.set(input.name, i);
  });
  const nInputs = inputs.length;

  // Per-row scratch, reused across rows: the input's number (NaN when missing; booleans 1/0,
  // dates as epoch days) and its text form for categories, tokens and keys (null when missing).
  const num = new Float64Array(nInputs);
  const str: (string | null)[] = new Array(nInputs).fill(null);

  const useInput = (path: string, name: string, types: InputSpec['type'][], what: string): number => {
    const i = inputIndex.get(name);
    if (i === undefined) {
      fail(path, `unknown input ${name}`);
      return -1;
    }
    if (!types.includes(inputs[i].type))
      fail(path, `${what} needs a ${types.join(' or ')} input; ${name} is a ${inputs[i].type}`);
    return i;
  };

  const columns: string[] = [];
  const blocks: FeatureBlock[] = [];
  const writers: BlockWriter[] = [];
  const categoriesByInput = new Map<number, Set<string>>();
  const noteCategories = (i: number, categories: string[]) => {
    if (i < 0) return;
    const set = categoriesByInput.get(i) ?? new Set<string>();
    categories.forEach((c) => set.add(c));
    categoriesByInput.set(i, set);
  };
  const labelOf = (i: number, fallback: string) => (i >= 0 ? inputs[i].label : fallback);

  features.forEach((f, b) => {
    const path = `features[${b}]`;
    const start = columns.length;
    switch (f.kind) {
      case 'number': {
        const i = useInput(`${path}.input`, f.input, ['number', 'boolean'], 'a number block');
        columns.push(f.name ?? f.input);
        writers.push((out, o) => {
          out[o] = num[i];
        });
        blocks.push({ kind: f.kind, inputs: [f.input], name: labelOf(i, f.input), start, width: 1 });
        break;
      }
      case 'onehot': {
        const i = useInput(`${path}.input`, f.input, ['string', 'boolean', 'number'], 'a onehot block');
        noteCategories(i, f.categories);
        const position = new Map<string, number>();
        f.categories.forEach((c, k) => {
          if (position.has(c)) fail(`${path}.categories[${k}]`, `duplicate category ${c}`);
          position.set(c, k);
        });
        const unknown = f.unknown ?? true;
        const unknownAt = unknown ? f.categories.length : -1;
        columns.push(...f.categories.map((c) => `${f.input}=${c}`));
        if (unknown) columns.push(`${f.input}=__unknown__`);
        writers.push((out, o) => {
          const s = str[i];
          if (s === null) return; // missing: all zeros
          const k = position.get(s) ?? unknownAt;
          if (k >= 0) out[o + k] = 1;
        });
        blocks.push({
          kind: f.kind,
          inputs: [f.input],
          name: labelOf(i, f.input),
          start,
          width: f.categories.length + (unknown ? 1 : 0),
        });
        break;
      }
      case 'ordinal': {
        const i = useInput(`${path}.input`, f.input, ['string', 'boolean', 'number'], 'an ordinal block');
        noteCategories(i, f.categories);
        const position = new Map<string, number>();
        f.categories.forEach((c, k) => position.set(c, k));
        columns.push(f.name ?? f.input);
        writers.push((out, o) => {
          const s = str[i];
          out[o] = s === null ? NaN : (position.get(s) ?? -1);
        });
        blocks.push({ kind: f.kind, inputs: [f.input], name: labelOf(i, f.input), start, width: 1 });
        break;
      }
      case 'bucket': {
        const i = useInput(`${path}.input`, f.input, ['number'], 'a bucket block');
        const edges = [...f.edges];
        if (edges.some((e, k) => k > 0 && e < edges[k - 1])) fail(`${path}.edges`, 'edges must be ascending');
        columns.push(f.name ?? f.input);
        writers.push((out, o) => {
          const v = num[i];
          out[o] = Number.isNaN(v) ? NaN : bisectRight(edges, v);
        });
        blocks.push({ kind: f.kind, inputs: [f.input], name: labelOf(i, f.input), start, width: 1 });
        break;
      }
      case 'cross': {
        const terms = f.terms.map((t, k) => {
          const tp = `${path}.terms[${k}]`;
          if (t.equals !== undefined && t.edges !== undefined)
            fail(tp, 'a term takes either equals or edges, not both');
          const i =
            t.equals !== undefined
              ? useInput(`${tp}.input`, t.input, ['string', 'boolean', 'number'], 'an equals term')
              : t.edges !== undefined
                ? useInput(`${tp}.input`, t.input, ['number'], 'an edges term')
                : useInput(`${tp}.input`, t.input, ['number', 'boolean'], 'a numeric term');
          return { i, equals: t.equals, edges: t.edges ? [...t.edges] : undefined };
        });
        columns.push(f.name);
        writers.push((out, o) => {
          let product = 1;
          for (const t of terms) {
            const v = num[t.i];
            const s = str[t.i];
            if (s === null) {
              product = NaN;
              break;
            }
            if (t.equals !== undefined) product *= s === t.equals ? 1 : 0;
            else if (t.edges !== undefined) product *= bisectRight(t.edges, v);
            else product *= v;
          }
          out[o] = product;
        });
        blocks.push({ kind: f.kind, inputs: f.terms.map((t) => t.input), name: f.name, start, width: 1 });
        break;
      }
      case 'hash': {
        const n = f.nFeatures;
        const alternateSign = f.alternateSign ?? true;
        const tokenSpecs = f.tokens.map((parts, k) =>
          parts.map((p, q) => ({
            i: useInput(`${path}.tokens[${k}][${q}]`, p, ['string', 'boolean', 'number', 'date'], 'a hash token'),
            prefix: `${p}=`,
          })),
        );
        const murmur = new Murmur3();
        for (let k = 0; k < n; k++) columns.push(`${f.name}[${k}]`);
        writers.push((out, o) => {
          // Each token `a=<a>|b=<b>` is hashed piece by piece, without building the string.
          for (const parts of tokenSpecs) {
            let missing = false;
            for (let q = 0; q < parts.length; q++) {
              if (str[parts[q].i] === null) {
                missing = true;
                break;
              }
            }
            if (missing) continue;
            murmur.reset();
            for (let q = 0; q < parts.length; q++) {
              if (q > 0) murmur.update('|');
              murmur.update(parts[q].prefix).update(str[parts[q].i] as string);
            }
            const h = murmur.digest();
            out[o + hashIndex(h, n)] += alternateSign && h < 0 ? -1 : 1;
          }
        });
        const used = [...new Set(f.tokens.flat())];
        blocks.push({ kind: f.kind, inputs: used, name: f.name, start, width: n });
        break;
      }
      case 'lookup': {
        const keys = f.keys.map((k, q) =>
          useInput(`${path}.keys[${q}]`, k, ['string', 'number', 'boolean'], 'a lookup key'),
        );
        const table = Object.prototype.hasOwnProperty.call(snapshots, f.table) ? snapshots[f.table] : undefined;
        const width = f.columns.length;
        let defaults: Float64Array = new Float64Array(width).fill(NaN);
        const indexes: Map<string, Float64Array>[] = f.keys.map(() => new Map());
        if (!table) {
          fail(`${path}.table`, `snapshot table ${f.table} is not in the package (snapshots/${f.table}.json)`);
        } else {
          const at = f.columns.map((c) => table.columns.indexOf(c));
          at.forEach((a, q) => {
            if (a < 0) fail(`${path}.columns[${q}]`, `column ${f.columns[q]} is not in snapshots/${f.table}.json`);
          });
          const pick = (row: number[], where: string): Float64Array => {
            if (row.length !== table.columns.length)
              fail(where, `row has ${row.length} values for ${table.columns.length} columns`);
            return Float64Array.from(at, (a) => (a < 0 ? NaN : row[a]));
          };
          defaults = pick(table.defaults, `snapshots/${f.table}.json defaults`);
          f.keys.forEach((key, q) => {
            const rows = table.index[key];
            if (!rows) return;
            for (const [value, row] of Object.entries(rows))
              indexes[q].set(value, pick(row, `snapshots/${f.table}.json index.${key}["${value}"]`));
          });
        }
        columns.push(...f.columns);
        writers.push((out, o) => {
          let row = defaults;
          for (let q = 0; q < keys.length; q++) {
            const s = str[keys[q]];
            if (s === null) continue;
            const found = indexes[q].get(s);
            if (found) {
              row = found;
              break;
            }
          }
          for (let c = 0; c < width; c++) out[o + c] = row[c];
        });
        blocks.push({ kind: f.kind, inputs: [...f.keys], name: f.table, start, width });
        break;
      }
      case 'days_since': {
        const i = useInput(`${path}.input`, f.input, ['date'], 'a days_since block');
        columns.push(f.name ?? f.input);
        writers.push((out, o, asOfDay) => {
          out[o] = asOfDay - num[i]; // NaN stays NaN
        });
        blocks.push({ kind: f.kind, inputs: [f.input], name: labelOf(i, f.input), start, width: 1 });
        break;
      }
    }
  });

  const seen = new Set<string>();
  columns.forEach((c, k) => {
    if (seen.has(c)) fail(`columns[${k}]`, `duplicate column name ${c}`);
    seen.add(c);
  });

  // Strict string inputs: `allowed`, or else every category the blocks list for that input.
  const strictSets: (Set<string> | null)[] = inputs.map((input, i) => {
    if (!input.strict) return null;
    const set = input.allowed ? new Set(input.allowed) : categoriesByInput.get(i);
    if (!set)
      fail(`inputs[${i}].strict`, `${input.name} is strict but has no allowed values and no onehot/ordinal categories`);
    return set ?? new Set();
  });
  if (schemaProblems.length) throw new FeatureSchemaError(schemaProblems);

  const nCols = columns.length;
  const types = inputs.map((input) => input.type);
  const names = inputs.map((input) => input.name);
  const hasOwn = Object.prototype.hasOwnProperty;

  // Numbers are turned into text only for inputs some block reads as text (categories, tokens, keys).
  const needsText = new Uint8Array(nInputs);
  for (const f of features) {
    const mark = (name: string) => {
      const i = inputIndex.get(name);
      if (i !== undefined) needsText[i] = 1;
    };
    if (f.kind === 'onehot' || f.kind === 'ordinal') mark(f.input);
    else if (f.kind === 'cross') f.terms.forEach((t) => t.equals !== undefined && mark(t.input));
    else if (f.kind === 'hash') f.tokens.forEach((parts) => parts.forEach(mark));
    else if (f.kind === 'lookup') f.keys.forEach(mark);
  }

  function note(problems: InputProblem[], recordId: string, input: string, problem: string): false {
    if (problems.length <= MAX_PROBLEMS) problems.push({ recordId, input, problem });
    return false;
  }

  const requiredInputs = inputs.flatMap((input, i) => (input.required ? [i] : []));
  /** Per input of the current record: 0 missing, 1 present, 2 refused. */
  const state = new Uint8Array(nInputs);

  /**
   * Reads one record into num/str in one pass over its keys; returns false after noting
   * its problems (in the record's key order, then missing required inputs). str[i] is null
   * exactly when input i is missing or refused; a present number input that no block reads
   * as text gets '' so that crosses still see it as present.
   */
  function parseRecord(
    record: ScoringRecord,
    problems: InputProblem[],
    ignore: ReadonlySet<string> | undefined,
  ): boolean {
    const values = record.inputs;
    if (values === null || typeof values !== 'object' || Array.isArray(values)) {
      return note(
        problems,
        String(record.id),
        'inputs',
        `must be an object of input values, got ${describeType(values)}`,
      );
    }
    num.fill(NaN);
    str.fill(null);
    state.fill(0);
    let ok = true;
    for (const key in values) {
      if (!hasOwn.call(values, key)) continue;
      const i = inputIndex.get(key);
      if (i === undefined) {
        // A caller's key can be anything: keep problem lists small.
        const shown = key.length > 100 ? `${key.slice(0, 100)}…` : key;
        if (!ignore?.has(key)) ok = note(problems, String(record.id), shown, 'is not an input of this model');
        continue;
      }
      const v = values[key];
      if (v === undefined || v === null || v === '') continue;
      let problem: string | undefined;
      switch (types[i]) {
        case 'number':
          if (typeof v !== 'number' || !Number.isFinite(v)) problem = `must be a number, got ${describeType(v)}`;
          else {
            num[i] = v;
            str[i] = needsText[i] ? String(v) : '';
          }
          break;
        case 'boolean':
          if (typeof v !== 'boolean') problem = `must be true or false, got ${describeType(v)}`;
          else {
            num[i] = v ? 1 : 0;
            str[i] = v ? 'true' : 'false';
          }
          break;
        case 'string': {
          const strict = strictSets[i];
          if (typeof v !== 'string') problem = `must be a string, got ${describeType(v)}`;
          else if (strict && !strict.has(v)) problem = `is not one of the allowed values (${[...strict].join(', ')})`;
          else str[i] = v;
          break;
        }
        case 'date': {
          const day = typeof v === 'string' ? parseEpochDay(v) : undefined;
          if (day === undefined) {
            problem = `must be a date such as 2026-11-25 or an ISO datetime, got ${typeof v === 'string' ? 'a string that is not one' : describeType(v)}`;
          } else {
            num[i] = day;
            str[i] = v as string;
          }
          break;
        }
      }
      if (problem === undefined) state[i] = 1;
      else {
        state[i] = 2;
        ok = note(problems, String(record.id), key, problem);
      }
    }
    for (const i of requiredInputs) {
      if (state[i] === 0) ok = note(problems, String(record.id), names[i], 'is required but missing');
    }
    return ok;
  }

  function raise(problems: InputProblem[]): never {
    const truncated = problems.length > MAX_PROBLEMS;
    throw new InputValidationError(problems.slice(0, MAX_PROBLEMS), truncated);
  }

  return {
    columns,
    blocks,
    inputs,
    transform(records, options = {}) {
      const asOfDay = asOfEpochDay(options.asOf);
      const out = new Float32Array(records.length * nCols);
      const problems: InputProblem[] = [];
      for (let r = 0; r < records.length; r++) {
        if (!parseRecord(records[r], problems, options.ignoreInputs)) continue;
        const rowStart = r * nCols;
        for (let b = 0; b < writers.length; b++) writers[b](out, rowStart + blocks[b].start, asOfDay);
      }
      if (problems.length) raise(problems);
      return out;
    },
    validate(records, options = {}) {
      const problems: InputProblem[] = [];
      for (const record of records) parseRecord(record, problems, options.ignoreInputs);
      return problems.slice(0, MAX_PROBLEMS);
    },
  };
}
