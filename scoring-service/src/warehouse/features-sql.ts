/**
 * The manifest's feature pipeline compiled to one SQL query over a leads table, in BigQuery's
 * or DuckDB's dialect. features/pipeline.ts is the source of truth; each block below states the
 * rule of its kind there, in SQL:
 * - inputs are read once (CTE `lead_inputs`): numbers as doubles, booleans as 1/0 and as the text
 *   'true'/'false', strings with '' as missing, dates as the calendar day of their first ten
 *   characters; number inputs read as text (categories, tokens, keys) through String(x) (a UDF);
 * - number: the value, missing -> NaN; onehot: 1 in the category's column, else the unknown
 *   bucket, all zeros when missing; ordinal: the category's position, -1 unknown, NaN missing;
 *   bucket: the number of edges <= value; cross: the product of its terms, NaN when one is missing;
 *   days_since: days to the @scoring_date parameter; hash: FeatureHasher over `a=<a>|b=<b>`
 *   tokens with the library's Murmur3 as a UDF, signed; lookup: LEFT JOINs on the snapshot table,
 *   one per key in order, the first key found wins, else the global defaults.
 * Every model column comes out as a double, missing as NaN (what the ONNX model reads as missing).
 */
import type { FeatureSpec, InputSpec, Manifest, SnapshotTable } from '../manifest/schema';
import { compilePipeline } from '../features/pipeline';
import { type Dialect, doubleLiteral } from './dialect';
import { snapshotTableName, sqlColumnNames } from './names';
import { HASH_UDF, NUMBER_TEXT_UDF } from './udf';

export interface FeatureSqlOptions {
  /** The table (or view) of leads: one row per lead, one column per input, named as the input. */
  leadsTable: string;
  /** Its lead id column; it comes out as `lead_id`. */
  idColumn: string;
}

export interface FeatureSql {
  /** One SELECT (WITH ...) returning lead_id and the model's columns in model order. */
  query: string;
  /** The SQL names of the model columns, in model order (the per-column ONNX inputs). */
  columns: string[];
  /** The pipeline's column names, in the same order. */
  modelColumns: string[];
  /** Whether the query calls the hash / number-text UDFs. */
  usesHash: boolean;
  usesNumberText: boolean;
  /** Snapshot tables the lookups join. */
  snapshotTables: { table: string; sqlTable: string }[];
}

export const LEAD_ID = 'lead_id';

type Package = {
  name: string;
  version: string;
  manifest: Pick<Manifest, 'inputs' | 'features'>;
  snapshots: Record<string, SnapshotTable>;
};

export function compileFeatureSql(pkg: Package, dialect: Dialect, options: FeatureSqlOptions): FeatureSql {
  const inputs = pkg.manifest.inputs as InputSpec[];
  const features = pkg.manifest.features as FeatureSpec[];
  // Compiling the pipeline checks the schema (unknown inputs, duplicate columns, missing snapshot tables).
  const pipeline = compilePipeline({ inputs, features }, pkg.snapshots);
  const modelColumns = [...pipeline.columns];
  const columns = sqlColumnNames(modelColumns);
  const q = dialect.ident;
  const lit = doubleLiteral;
  const byName = new Map(inputs.map((input, i) => [input.name, i]));

  // Which inputs are read as text, as the pipeline marks them (needsText).
  const asText = new Set<string>();
  for (const f of features) {
    if (f.kind === 'onehot' || f.kind === 'ordinal') asText.add(f.input);
    else if (f.kind === 'cross') f.terms.forEach((t) => t.equals !== undefined && asText.add(t.input));
    else if (f.kind === 'hash') f.tokens.forEach((parts) => parts.forEach((p) => asText.add(p)));
    else if (f.kind === 'lookup') f.keys.forEach((k) => asText.add(k));
  }
  let usesNumberText = false;

  // Per input: n_<input> its number (NULL when missing), t_<input> its text (NULL when missing), d_<input> its day.
  const num = (name: string) => q(`n_${name}`);
  const txt = (name: string) => q(`t_${name}`);
  const day = (name: string) => q(`d_${name}`);
  const present = (name: string) => {
    const input = inputs[byName.get(name) as number];
    return input.type === 'number' || input.type === 'boolean' ? `${num(name)} IS NOT NULL` : `${txt(name)} IS NOT NULL`;
  };

  const raw: string[] = [`CAST(${q(options.idColumn)} AS ${dialect.text}) AS ${q(LEAD_ID)}`];
  const typed: string[] = [q(LEAD_ID)];
  inputs.forEach((input) => {
    const col = q(input.name);
    const k = input.name;
    switch (input.type) {
      case 'number':
        raw.push(`CAST(${col} AS ${dialect.double}) AS ${q(`n_${k}`)}`);
        typed.push(q(`n_${k}`));
        if (asText.has(input.name)) {
          usesNumberText = true;
          typed.push(`${NUMBER_TEXT_UDF}(${q(`n_${k}`)}) AS ${q(`t_${k}`)}`);
        }
        break;
      case 'boolean':
        raw.push(`CAST(${col} AS ${dialect.bool}) AS ${q(`b_${k}`)}`);
        typed.push(`CASE WHEN ${q(`b_${k}`)} THEN 1 WHEN NOT ${q(`b_${k}`)} THEN 0 END AS ${q(`n_${k}`)}`);
        typed.push(`CASE WHEN ${q(`b_${k}`)} THEN 'true' WHEN NOT ${q(`b_${k}`)} THEN 'false' END AS ${q(`t_${k}`)}`);
        break;
      case 'string':
        raw.push(`NULLIF(CAST(${col} AS ${dialect.text}), '') AS ${q(`t_${k}`)}`);
        typed.push(q(`t_${k}`));
        break;
      case 'date':
        raw.push(`NULLIF(CAST(${col} AS ${dialect.text}), '') AS ${q(`t_${k}`)}`);
        typed.push(q(`t_${k}`), `${dialect.dateOf(q(`t_${k}`))} AS ${q(`d_${k}`)}`);
        break;
    }
  });

  const hashed: string[] = [];
  const select: string[] = [`${q(LEAD_ID)}`];
  const joins: string[] = [];
  const snapshotTables: FeatureSql['snapshotTables'] = [];
  let at = 0;
  const out = (expr: string) => {
    select.push(`COALESCE(CAST(${expr} AS ${dialect.double}), ${dialect.nan}) AS ${q(columns[at])}`);
    at++;
  };
  const countAtOrBelow = (value: string, edges: readonly number[]) =>
    edges.length === 0 ? '0' : edges.map((e) => `(CASE WHEN ${value} >= ${lit(e)} THEN 1 ELSE 0 END)`).join(' + ');

  features.forEach((f, b) => {
    switch (f.kind) {
      case 'number':
        out(num(f.input));
        break;
      case 'onehot': {
        const t = txt(f.input);
        for (const c of f.categories) out(`CASE WHEN ${t} = ${dialect.str(c)} THEN 1 ELSE 0 END`);
        if (f.unknown ?? true) {
          const list = f.categories.map((c) => dialect.str(c)).join(', ');
          out(`CASE WHEN ${t} IS NULL THEN 0 WHEN ${t} IN (${list}) THEN 0 ELSE 1 END`);
        }
        break;
      }
      case 'ordinal': {
        // As the pipeline's Map: a repeated category keeps its last position.
        const position = new Map<string, number>();
        f.categories.forEach((c, k) => position.set(c, k));
        const t = txt(f.input);
        const whens = [...position].map(([c, k]) => `WHEN ${t} = ${dialect.str(c)} THEN ${k}`).join(' ');
        out(`CASE WHEN ${t} IS NULL THEN NULL ${whens} ELSE -1 END`);
        break;
      }
      case 'bucket': {
        const n = num(f.input);
        out(`CASE WHEN ${n} IS NULL THEN NULL ELSE ${countAtOrBelow(n, f.edges)} END`);
        break;
      }
      case 'cross': {
        const missing = f.terms.map((t) => `NOT (${present(t.input)})`).join(' OR ');
        const factors = f.terms.map((t) =>
          t.equals !== undefined
            ? `(CASE WHEN ${txt(t.input)} = ${dialect.str(t.equals)} THEN 1 ELSE 0 END)`
            : t.edges !== undefined
              ? `(${countAtOrBelow(num(t.input), t.edges)})`
              : `${num(t.input)}`,
        );
        out(`CASE WHEN ${missing} THEN NULL ELSE ${factors.join(' * ')} END`);
        break;
      }
      case 'days_since':
        out(dialect.daysToScoringDate(day(f.input)));
        break;
      case 'hash': {
        const n = f.nFeatures;
        const alternateSign = f.alternateSign ?? true;
        const hs = f.tokens.map((parts, k) => {
          const pieces = parts.map((p, i) => `${dialect.str(`${i > 0 ? '|' : ''}${p}=`)} || ${txt(p)}`);
          const h = q(`h_${b}_${k}`);
          hashed.push(`CAST(${HASH_UDF}(${pieces.join(' || ')}) AS ${dialect.int64}) AS ${h}`);
          return h;
        });
        for (let j = 0; j < n; j++) {
          const terms = hs.map((h) => {
            const value = alternateSign ? `(CASE WHEN ${h} < 0 THEN -1 ELSE 1 END)` : '1';
            return `(CASE WHEN MOD(ABS(${h}), ${n}) = ${j} THEN ${value} ELSE 0 END)`;
          });
          out(terms.length ? terms.join(' + ') : '0');
        }
        break;
      }
      case 'lookup': {
        const table = pkg.snapshots[f.table];
        const sqlTable = snapshotTableName(pkg.name, pkg.version, f.table);
        if (!snapshotTables.some((s) => s.table === f.table)) snapshotTables.push({ table: f.table, sqlTable });
        const aliases = f.keys.map((key, k) => {
          const alias = q(`lk_${b}_${k}`);
          joins.push(
            `LEFT JOIN ${dialect.table(sqlTable)} AS ${alias} ON ${alias}.${q('key_name')} = ${dialect.str(key)} AND ${alias}.${q('key_value')} = ${txt(key)}`,
          );
          return alias;
        });
        f.columns.forEach((c) => {
          const d = table.defaults[table.columns.indexOf(c)];
          const whens = aliases.map((a) => `WHEN ${a}.${q('key_value')} IS NOT NULL THEN ${a}.${q(c)}`).join(' ');
          // As the pipeline reads a snapshot row (Float64Array.from): null is 0, an absent value NaN.
          out(`CASE ${whens} ELSE ${d === undefined ? 'NULL' : lit(Number(d))} END`);
        });
        break;
      }
    }
  });

  const usesHash = hashed.length > 0;
  const ctes = [
    `lead_inputs AS (\n  SELECT\n    ${raw.join(',\n    ')}\n  FROM ${dialect.table(options.leadsTable)}\n)`,
    `lead_values AS (\n  SELECT\n    ${typed.join(',\n    ')}\n  FROM lead_inputs\n)`,
  ];
  let last = 'lead_values';
  if (usesHash) {
    ctes.push(`lead_hashes AS (\n  SELECT\n    lead_values.*,\n    ${hashed.join(',\n    ')}\n  FROM lead_values\n)`);
    last = 'lead_hashes';
  }
  const query = [
    `WITH ${ctes.join(',\n')}`,
    `SELECT\n  ${select.join(',\n  ')}\nFROM ${last}${joins.length ? `\n${joins.join('\n')}` : ''}`,
  ].join('\n');
  return { query, columns, modelColumns, usesHash, usesNumberText, snapshotTables };
}
