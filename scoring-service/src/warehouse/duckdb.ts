/**
 * DuckDB as the embedded warehouse: a leads file (CSV or Parquet) -> the package's feature SQL in
 * DuckDB's dialect, run in-process with the hasher as a JavaScript scalar function -> the model
 * scored in-process (ONNX Runtime, and TreeSHAP reasons when asked) -> one row per lead.
 *
 * `scoreFile(pkg, inputsPath, options)` is the entry point (the CLI's `score --from` and
 * `verify` call it). `featuresFromFile` stops after the features (tests compare them with the
 * library's pipeline).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// Loaded on first use: the library's other entry points do not pay for DuckDB's native module.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { LoadedPackage } from '../package/loader';
import { present } from '../manifest/outputs';
import { duckDbDialect } from './dialect';
import { compileFeatureSql, LEAD_ID } from './features-sql';
import { snapshotSql, DEFAULT_ID_COLUMN } from './export';
import { hashText, HASH_UDF, NUMBER_TEXT_UDF } from './udf';

export type WarehouseInputPackage = Pick<LoadedPackage, 'name' | 'version' | 'manifest' | 'snapshots' | 'onnxBytes' | 'background' | 'pipeline'>;

export interface FileOptions {
  /** The lead id column of the file (default "id"). */
  idColumn?: string;
  /** The day days-since features count to, YYYY-MM-DD (default today, UTC). */
  scoringDate?: string;
}

export interface ScoreFileOptions extends FileOptions {
  /** Reasons per lead (TreeSHAP, computed locally); 0 or absent: none. */
  explainTop?: number;
}

export interface FileScore {
  lead_id: string;
  score: number;
  scaled: number;
  decile: number;
  tier: string;
  version: string;
  /** JSON of the explanation, when explainTop > 0. */
  reasons?: string;
}

export class WarehouseInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WarehouseInputError';
  }
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Registers the hash and number-text functions: the library's Murmur3 and String(x). */
type DuckDb = typeof import('@duckdb/node-api');
let duckdb: Promise<DuckDb> | undefined;
/**
 * An optional peer dependency of the library (the service image does not carry DuckDB's 70 MB
 * native module); the sf plugin depends on it.
 */
const loadDuckDb = (): Promise<DuckDb> =>
  (duckdb ??= import('@duckdb/node-api').catch((err: unknown) => {
    duckdb = undefined;
    throw new WarehouseInputError(
      `DuckDB is not installed here (${err instanceof Error ? err.message.split('\n')[0] : String(err)}). Install it next to the scoring library: npm install @duckdb/node-api.`,
    );
  }));

function registerUdfs(conn: DuckDBConnection, { DuckDBScalarFunction, INTEGER, VARCHAR, DOUBLE }: DuckDb): void {
  conn.registerScalarFunction(
    DuckDBScalarFunction.create({
      name: HASH_UDF,
      returnType: INTEGER,
      parameterTypes: [VARCHAR],
      mainFunction: (_info, input, output) => {
        const v = input.getColumnVector(0);
        for (let r = 0; r < input.rowCount; r++) {
          const token = v.getItem(r) as string | null;
          output.setItem(r, token === null ? null : hashText(token));
        }
        output.flush();
      },
    }),
  );
  conn.registerScalarFunction(
    DuckDBScalarFunction.create({
      name: NUMBER_TEXT_UDF,
      returnType: VARCHAR,
      parameterTypes: [DOUBLE],
      mainFunction: (_info, input, output) => {
        const v = input.getColumnVector(0);
        for (let r = 0; r < input.rowCount; r++) {
          const x = v.getItem(r) as number | null;
          output.setItem(r, x === null ? null : String(x));
        }
        output.flush();
      },
    }),
  );
}

/**
 * Registers fh_murmur3 and fh_number_text on a DuckDB connection, for running the exported
 * DuckDB features.sql yourself (scoreFile does this on its own connection).
 */
export async function registerWarehouseFunctions(conn: DuckDBConnection): Promise<void> {
  registerUdfs(conn, await loadDuckDb());
}

function readerFor(file: string): string {
  const ext = path.extname(file).toLowerCase();
  const lit = `'${file.replace(/'/g, "''")}'`;
  if (ext === '.parquet') return `read_parquet(${lit})`;
  if (ext === '.csv') return `read_csv(${lit}, header = true, all_varchar = true)`;
  if (ext === '.json' || ext === '.ndjson' || ext === '.jsonl') return `read_json(${lit}, format = 'newline_delimited')`;
  throw new WarehouseInputError(`${file}: the leads file must be .csv or .parquet (or newline-delimited .json), got "${ext || 'no extension'}".`);
}

interface Session {
  conn: DuckDBConnection;
  close(): void;
}

async function open(pkg: WarehouseInputPackage, inputsPath: string, options: FileOptions): Promise<Session & { idColumn: string }> {
  const scoringDate = options.scoringDate ?? today();
  if (!DATE_ONLY.test(scoringDate)) throw new WarehouseInputError(`The scoring date must be YYYY-MM-DD, got "${scoringDate}".`);
  try {
    await fs.access(inputsPath);
  } catch {
    throw new WarehouseInputError(`${inputsPath}: no such file. Pass the leads file exported from the warehouse.`);
  }
  const db = await loadDuckDb();
  const instance = await db.DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const close = () => {
    conn.closeSync();
    instance.closeSync();
  };
  try {
    registerUdfs(conn, db);
    await conn.run(`CREATE VIEW leads AS SELECT * FROM ${readerFor(path.resolve(inputsPath))}`);
    const described = await conn.runAndReadAll('DESCRIBE leads');
    const have = new Set(described.getRowObjects().map((r) => String(r.column_name)));
    const idColumn = options.idColumn ?? DEFAULT_ID_COLUMN;
    const missing = [idColumn, ...pkg.manifest.inputs.map((i) => i.name)].filter((c) => !have.has(c));
    if (missing.length)
      throw new WarehouseInputError(
        `${inputsPath} lacks the columns ${missing.join(', ')}. The file needs the lead id column (${idColumn}; set it with --id-column) and one column per model input, named as the input (empty when unknown).`,
      );
    await conn.run(`SET VARIABLE scoring_date = DATE '${scoringDate}'`);
    return { conn, close, idColumn };
  } catch (err) {
    close();
    throw err;
  }
}

async function computeFeatures(conn: DuckDBConnection, pkg: WarehouseInputPackage, idColumn: string): Promise<{ ids: string[]; features: Float32Array }> {
  const d = duckDbDialect();
  const sql = compileFeatureSql(pkg, d, { leadsTable: 'leads', idColumn });
  if (sql.snapshotTables.length) await conn.run(snapshotSql(pkg, sql, d));
  const result = await conn.runAndReadAll(sql.query);
  const rows = result.getRows();
  const width = sql.columns.length;
  const features = new Float32Array(rows.length * width);
  const ids: string[] = new Array<string>(rows.length);
  rows.forEach((row, r) => {
    ids[r] = row[0] as string;
    for (let c = 0; c < width; c++) features[r * width + c] = row[c + 1] as number;
  });
  return { ids, features };
}

/** The model's feature rows computed in DuckDB from a leads file, in file order is not promised: ids say which lead. */
export async function featuresFromFile(
  pkg: WarehouseInputPackage,
  inputsPath: string,
  options: FileOptions = {},
): Promise<{ ids: string[]; features: Float32Array; columns: number }> {
  const s = await open(pkg, inputsPath, options);
  try {
    const out = await computeFeatures(s.conn, pkg, s.idColumn);
    return { ...out, columns: pkg.pipeline.columns.length };
  } catch (err) {
    throw asInputError(err, inputsPath);
  } finally {
    s.close();
  }
}

function asInputError(err: unknown, file: string): unknown {
  if (err instanceof WarehouseInputError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/Conversion Error|Could not convert|Invalid Input Error/i.test(message))
    return new WarehouseInputError(`${file}: a value does not have its input's type (${message.split('\n')[0]}). Numbers must be plain numbers, booleans true/false.`);
  return err;
}

/** The raw inputs of each lead, as the library reads them (for reasons). */
async function readInputs(conn: DuckDBConnection, pkg: WarehouseInputPackage, idColumn: string): Promise<Map<string, Record<string, unknown>>> {
  const d = duckDbDialect();
  const cols = pkg.manifest.inputs.map((i) => {
    const t = i.type === 'number' ? 'DOUBLE' : i.type === 'boolean' ? 'BOOLEAN' : 'VARCHAR';
    return `CAST(${d.ident(i.name)} AS ${t})`;
  });
  const rows = (await conn.runAndReadAll(`SELECT CAST(${d.ident(idColumn)} AS VARCHAR), ${cols.join(', ')} FROM leads`)).getRows();
  const byId = new Map<string, Record<string, unknown>>();
  for (const row of rows) {
    const inputs: Record<string, unknown> = {};
    pkg.manifest.inputs.forEach((input, k) => {
      const v = row[k + 1];
      if (v !== null && v !== '') inputs[input.name] = v;
    });
    byId.set(row[0] as string, inputs);
  }
  return byId;
}

/**
 * Scores every lead of a CSV or Parquet file with a model package: features in DuckDB, the
 * model in-process, scaled/decile/tier from the manifest, reasons when explainTop > 0.
 * Rows come back sorted by lead id. Throws WarehouseInputError naming the file's problem.
 */
export async function scoreFile(pkg: WarehouseInputPackage, inputsPath: string, options: ScoreFileOptions = {}): Promise<FileScore[]> {
  const s = await open(pkg, inputsPath, options);
  let ids: string[];
  let features: Float32Array;
  let inputs: Map<string, Record<string, unknown>> | undefined;
  try {
    ({ ids, features } = await computeFeatures(s.conn, pkg, s.idColumn));
    const seen = new Set<string>();
    for (const id of ids) {
      if (id === null || id === undefined) throw new WarehouseInputError(`${inputsPath}: a row has no lead id (${s.idColumn}).`);
      if (seen.has(id)) throw new WarehouseInputError(`${inputsPath}: lead id ${id} appears more than once.`);
      seen.add(id);
    }
    if ((options.explainTop ?? 0) > 0) inputs = await readInputs(s.conn, pkg, s.idColumn);
  } catch (err) {
    throw asInputError(err, inputsPath);
  } finally {
    s.close();
  }
  const n = ids.length;
  const width = pkg.pipeline.columns.length;
  const scores = new Float64Array(n);
  let reasons: (string | undefined)[] = [];
  if (n > 0 && inputs) {
    const { WorkerPool } = await import('../inference/pool');
    const pool = new WorkerPool({ size: 1, ortThreads: 1, splitRows: Math.max(64, n) });
    try {
      const key = `${pkg.name}@${pkg.version}:file`;
      await pool.load({ key, onnxBytes: pkg.onnxBytes, background: pkg.background, manifest: pkg.manifest, explain: { blocks: [...pkg.pipeline.blocks] } });
      const explainInputs = ids.map((id) => (inputs as Map<string, Record<string, unknown>>).get(id) ?? {});
      const out = await pool.run(key, features.slice(), n, width, {
        top: options.explainTop as number,
        asOf: options.scoringDate ?? today(),
        inputs: explainInputs,
        json: true,
      });
      scores.set(out.scores);
      reasons = ids.map((_, i) => {
        const row = out.explanations?.rows[i];
        return row === undefined ? undefined : typeof row === 'string' ? row : JSON.stringify(row);
      });
    } finally {
      await pool.close();
    }
  } else if (n > 0) {
    const { createSession, predictRows } = await import('../inference/session');
    const session = await createSession(pkg.onnxBytes, { threads: 1 });
    try {
      scores.set(await predictRows(session, pkg.manifest.model, features, n));
    } finally {
      await session.release();
    }
  }
  const out: FileScore[] = ids.map((id, i) => ({
    lead_id: id,
    score: scores[i],
    ...present(scores[i], pkg.manifest),
    version: pkg.version,
    ...(inputs ? { reasons: reasons[i] } : {}),
  }));
  return out.sort((a, b) => (a.lead_id < b.lead_id ? -1 : a.lead_id > b.lead_id ? 1 : 0));
}

/** Writes scores as CSV or Parquet (by the extension of `file`), through DuckDB. */
export async function writeScores(rows: readonly FileScore[], file: string): Promise<void> {
  const ext = path.extname(file).toLowerCase();
  if (ext !== '.csv' && ext !== '.parquet') throw new WarehouseInputError(`${file}: the scores file must be .csv or .parquet.`);
  const withReasons = rows.some((r) => r.reasons !== undefined);
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'scores-'));
  const json = path.join(tmp, 'scores.json');
  try {
    await fs.writeFile(json, rows.map((r) => JSON.stringify(r)).join('\n'));
    const { DuckDBInstance } = await loadDuckDb();
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      const cols = `lead_id: 'VARCHAR', score: 'DOUBLE', scaled: 'INTEGER', decile: 'INTEGER', tier: 'VARCHAR', version: 'VARCHAR'${withReasons ? ", reasons: 'VARCHAR'" : ''}`;
      const q = (p: string) => `'${p.replace(/'/g, "''")}'`;
      await conn.run(
        `COPY (SELECT * FROM read_json(${q(json)}, format = 'newline_delimited', columns = {${cols}})) TO ${q(path.resolve(file))} (FORMAT ${ext === '.csv' ? 'csv, HEADER' : 'parquet'})`,
      );
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

export { LEAD_ID };
