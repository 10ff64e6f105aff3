/**
 * What differs between the two warehouse dialects the feature SQL is compiled to: quoting,
 * literals, types, dates and the scoring-date parameter. Everything else is shared SQL.
 */
export type WarehouseTarget = 'bigquery' | 'duckdb';

export interface Dialect {
  readonly target: WarehouseTarget;
  readonly double: string;
  readonly text: string;
  readonly int64: string;
  readonly bool: string;
  /** A column or alias name. */
  ident(name: string): string;
  /** A table name, qualified with the dataset for BigQuery. */
  table(name: string): string;
  str(value: string): string;
  /** The NaN the model reads as missing. */
  readonly nan: string;
  /** The calendar day in the first ten characters of a text date, NULL when it is not one. */
  dateOf(textExpr: string): string;
  /** Days from `dateExpr` to the scoring date parameter. */
  daysToScoringDate(dateExpr: string): string;
  /** How the scoring date is set for a run, as a reader of the SQL types it. */
  readonly scoringDateHelp: string;
}

/**
 * A double literal that parses back to exactly `x`: integers as written, others in exponent
 * form with the shortest round-trip digits (DuckDB reads `0.5` as a DECIMAL, `5e-1` as a DOUBLE).
 */
export function doubleLiteral(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`cannot write ${x} as a SQL literal`);
  if (Number.isInteger(x) && Math.abs(x) < 2 ** 53) return Object.is(x, -0) ? '0' : String(x);
  return x.toExponential();
}

export function bigQueryDialect(dataset: string): Dialect {
  return {
    target: 'bigquery',
    double: 'FLOAT64',
    text: 'STRING',
    int64: 'INT64',
    bool: 'BOOL',
    ident: (name) => `\`${name.replace(/[`\\]/g, '\\$&')}\``,
    table: (name) => `\`${dataset}.${name}\``,
    // GoogleSQL string literals take backslash escapes.
    str: (value) => `'${value.replace(/[\\']/g, '\\$&').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`,
    nan: "CAST('NaN' AS FLOAT64)",
    dateOf: (t) => `SAFE.PARSE_DATE('%Y-%m-%d', SUBSTR(${t}, 1, 10))`,
    daysToScoringDate: (d) => `DATE_DIFF(@scoring_date, ${d}, DAY)`,
    scoringDateHelp: "bq query --use_legacy_sql=false --parameter=scoring_date:DATE:2026-12-01 < features.sql",
  };
}

export function duckDbDialect(schema?: string): Dialect {
  const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
  return {
    target: 'duckdb',
    double: 'DOUBLE',
    text: 'VARCHAR',
    int64: 'BIGINT',
    bool: 'BOOLEAN',
    ident,
    table: (name) => (schema ? `${ident(schema)}.${ident(name)}` : ident(name)),
    str: (value) => `'${value.replace(/'/g, "''")}'`,
    nan: "CAST('NaN' AS DOUBLE)",
    dateOf: (t) => `TRY_CAST(SUBSTR(${t}, 1, 10) AS DATE)`,
    daysToScoringDate: (d) => `date_diff('day', ${d}, CAST(getvariable('scoring_date') AS DATE))`,
    scoringDateHelp: "SET VARIABLE scoring_date = DATE '2026-12-01';",
  };
}
