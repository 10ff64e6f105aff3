/**
 * A warehouse export read as rows of text cells, whatever its format: CSV (csv-parse, a header row)
 * or Parquet (DuckDB's read_parquet, in-process). A missing value is an empty cell either way, so
 * the callers type every cell by one rule (predict-csv's cellValue) and a file means the same in
 * both formats. Parquet values arrive through DuckDB's JSON conversion (dates as YYYY-MM-DD,
 * 64-bit integers as their digits, doubles as JavaScript numbers, which print back exactly).
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse';
import { Messages } from '@salesforce/core';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.verify');

export type TableFile = { file: string; format: 'csv' | 'parquet'; columns: string[]; rows: Record<string, string>[] };

export function tableFormat(file: string): 'csv' | 'parquet' {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  throw messages.createError('error.fileFormat', [file]);
}

export async function readTableFile(file: string): Promise<TableFile> {
  const format = tableFormat(file);
  return format === 'csv' ? readCsv(file) : readParquet(file);
}

async function readCsv(file: string): Promise<TableFile> {
  let columns: string[] = [];
  const parser = createReadStream(file).pipe(
    parse({
      columns: (header: string[]) => (columns = header),
      skip_empty_lines: true,
      bom: true,
    }),
  );
  const rows: Record<string, string>[] = [];
  try {
    for await (const row of parser as AsyncIterable<Record<string, string>>) rows.push(row);
  } catch (err) {
    // csv-parse names the line and the problem (a quote left open, a row with too many cells).
    throw messages.createError('error.unreadable', [file, (err as Error).message]);
  }
  return { file, format: 'csv', columns, rows };
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

async function readParquet(file: string): Promise<TableFile> {
  // Loaded here only: commands reading CSV never load DuckDB.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll('SELECT * FROM read_parquet($1)', [file]).catch((err: Error) => {
      throw messages.createError('error.unreadable', [file, err.message]);
    });
    const columns = reader.columnNames();
    const rows = reader.getRowObjectsJson().map((raw) => {
      const row: Record<string, string> = {};
      for (const c of columns) row[c] = text(raw[c]);
      return row;
    });
    return { file, format: 'parquet', columns, rows };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
