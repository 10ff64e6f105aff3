/**
 * `--actuals FILE` for count models: the rows' inputs, the quantity actually ordered (actual_qty)
 * and the ordering cycle (cycle), optionally which version served the row (version) and the day
 * the row was predicted for (as_of), from CSV or Parquet (read as text cells by warehouse/table-file). Cells are
 * typed by the manifests' inputs as `sf scoring predict` types them (cellValue). A row whose
 * actual_qty is empty belongs to a cycle that is still open: its quantity is not known yet.
 */
import { Messages } from '@salesforce/core';
import type { DemandRow, Manifest } from '../library.js';
import { cellValue } from '../bulk/predict-csv.js';
import { readTableFile } from '../warehouse/table-file.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.actuals');

export const ACTUAL_COLUMN = 'actual_qty';
export const CYCLE_COLUMN = 'cycle';
export const VERSION_COLUMN = 'version';
export const AS_OF_COLUMN = 'as_of';
const EXTRA_COLUMNS = [ACTUAL_COLUMN, CYCLE_COLUMN, VERSION_COLUMN, AS_OF_COLUMN];

export type ActualRow = {
  /** Line in the file (CSV: the header is line 1; Parquet: row number + 1). */
  line: number;
  inputs: DemandRow;
  /** null while the row's cycle is open. */
  actual: number | null;
  cycle: string;
  version: string | null;
  asOf: string | null;
};

/** Reads and checks the whole file; `manifests` are the versions it is scored with (their inputs, united). */
export async function readActuals(file: string, model: string, manifests: Manifest[]): Promise<ActualRow[]> {
  const types = new Map<string, string>();
  for (const m of manifests) for (const input of m.inputs) if (!types.has(input.name)) types.set(input.name, input.type);
  const out: ActualRow[] = [];
  const table = await readTableFile(file);
  const missing = [ACTUAL_COLUMN, CYCLE_COLUMN].filter((c) => !table.columns.includes(c));
  if (missing.length) throw messages.createError('error.missingColumns', [file, missing.join(', ')]);
  const unknown = table.columns.filter((c) => !types.has(c) && c !== 'product_id' && !EXTRA_COLUMNS.includes(c));
  if (unknown.length) throw messages.createError('error.unknownColumns', [file, model, [...types.keys()].join(', '), unknown.join(', ')]);
  for (const raw of table.rows) {
    const line = out.length + 2;
    const inputs: DemandRow = {};
    for (const [column, cell] of Object.entries(raw)) {
      if (EXTRA_COLUMNS.includes(column)) continue;
      const value = column === 'product_id' && !types.has(column) ? cell : cellValue(cell, types.get(column) ?? 'string', column, line);
      if (value !== null) inputs[column] = value;
    }
    const actualCell = raw[ACTUAL_COLUMN].trim();
    const actual = actualCell === '' ? null : Number(actualCell);
    if (actual !== null && !(Number.isFinite(actual) && actual >= 0)) throw messages.createError('error.badActual', [line, file, actualCell]);
    const cycle = raw[CYCLE_COLUMN].trim();
    if (!cycle) throw messages.createError('error.noCycle', [line, file]);
    const asOf = raw[AS_OF_COLUMN]?.trim() || null;
    if (asOf !== null && Number.isNaN(Date.parse(asOf))) throw messages.createError('error.badAsOf', [line, file, asOf]);
    out.push({ line, inputs, actual, cycle, version: raw[VERSION_COLUMN]?.trim() || null, asOf });
  }
  if (out.length === 0) throw messages.createError('error.empty', [file]);
  return out;
}
