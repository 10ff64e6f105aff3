/**
 * `sf scoring predict`: a CSV of product/group rows streamed through the demand model, a chunk at a
 * time, expected quantities summed per product as POST /predict sums them (the library's
 * demandRecords and DemandTotals: one implementation), written as product_id, expected_qty,
 * confidence_score. Cells are typed by the manifest's inputs; an empty cell is a missing value.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import { Messages } from '@salesforce/core';
import { DemandTotals, demandRecords, loadPackage, readRegistry, resolveVersion, type DemandRow } from '../library.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.predict');

export type PredictCsvRequest = { modelsDir: string; model: string; version?: string; from: string; out: string; asOf?: string; chunkRows?: number };
export type PredictCsvResult = { model: string; version: string; rows: number; products: number; totalQty: number; out: string };

/**
 * A text cell of an input file -> the input's value, by the manifest's input type: empty is missing,
 * numbers and booleans (true/false/1/0) are parsed, anything else is the text. `row` is the line
 * number errors name. Also how `sf scoring verify` reads its inputs file and `--actuals` its rows.
 */
export function cellValue(cell: string, type: string, column: string, row: number): unknown {
  if (cell.trim() === '') return null;
  if (type === 'number') {
    const n = Number(cell);
    if (!Number.isFinite(n)) throw messages.createError('error.notNumber', [row, column]);
    return n;
  }
  if (type === 'boolean') {
    const v = cell.trim().toLowerCase();
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    throw messages.createError('error.notBoolean', [row, column]);
  }
  return cell;
}

export async function predictCsv(request: PredictCsvRequest): Promise<PredictCsvResult> {
  const version = request.version ?? resolveVersion(await readRegistry(request.modelsDir), request.model, 'champion');
  if (!version) throw messages.createError('error.noChampion', [request.model]);
  const pkg = await loadPackage(request.modelsDir, request.model, version);
  if (pkg.manifest.task !== 'poisson-regression' && pkg.manifest.task !== 'regression') throw messages.createError('error.notCount', [request.model, pkg.manifest.task]);
  const types = new Map(pkg.manifest.inputs.map((i) => [i.name, i.type]));
  const { createSession, predictRows } = await import('@lead-scoring/scoring-service/inference');
  const session = await createSession(pkg.modelPath, { threads: 1 });
  const totals = new DemandTotals();
  const chunkRows = request.chunkRows ?? 5000;
  let rows = 0;
  let chunk: DemandRow[] = [];
  const flush = async (): Promise<void> => {
    if (chunk.length === 0) return;
    const { records, productIds, problems } = demandRecords(pkg.manifest, chunk, rows - chunk.length);
    if (problems.length) throw messages.createError('error.noProduct', [problems.map((p) => p.row + 2).join(', ')]);
    const features = pkg.pipeline.transform(records, request.asOf ? { asOf: request.asOf } : {});
    totals.add(productIds, await predictRows(session, pkg.manifest.model, features, records.length));
    chunk = [];
  };
  try {
    const parser = createReadStream(request.from).pipe(parse({ columns: true, skip_empty_lines: true, bom: true }));
    let checked = false;
    for await (const raw of parser as AsyncIterable<Record<string, string>>) {
      if (!checked) {
        const unknown = Object.keys(raw).filter((c) => !types.has(c) && c !== 'product_id');
        if (unknown.length) throw messages.createError('error.unknownColumns', [request.from, request.model, version, unknown.join(', ')]);
        checked = true;
      }
      const row: DemandRow = {};
      // Row numbers in errors count the header as line 1, as a spreadsheet shows them.
      for (const [column, cell] of Object.entries(raw)) {
        const value = column === 'product_id' && !types.has(column) ? cell : cellValue(cell, types.get(column) ?? 'string', column, rows + 2);
        if (value !== null) row[column] = value;
      }
      chunk.push(row);
      rows++;
      if (chunk.length >= chunkRows) await flush();
    }
    await flush();
  } finally {
    await session.release();
  }
  const results = totals.results(pkg.manifest);
  const out = createWriteStream(request.out);
  out.write(stringify([['product_id', 'expected_qty', 'confidence_score'], ...results.map((r) => [r.product_id, r.expected_qty, r.confidence_score])]));
  out.end();
  await once(out, 'finish');
  return { model: request.model, version, rows, products: results.length, totalQty: results.reduce((a, r) => a + r.expected_qty, 0), out: request.out };
}
