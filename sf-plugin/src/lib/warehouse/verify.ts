/**
 * `sf scoring verify`: the checklist's "verify scores match local inference". The leads file the
 * warehouse scored is scored again in-process with the model package (the bulk scorer's path:
 * feature pipeline -> ONNX Runtime worker pool), lead by lead against the warehouse's scores file:
 * largest difference, leads outside the tolerance (named), leads missing on either side, and the
 * PSI of the warehouse's decile shares against local inference's; and the warehouse's decile and
 * tier columns, when it has them, against the manifest's for the local score. The outcome is recorded as a
 * `warehouse-verify` ledger entry with both files' sha256, which the production gate can require.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Messages } from '@salesforce/core';
import { appendLedger, loadPackage, present, psi, type Manifest, type ScoringRecord } from '../library.js';
import { cellValue } from '../bulk/predict-csv.js';
import { inProcessScorer, scoreAll } from '../bulk/scorers.js';
import { compareScores, decileShares } from '../org/validation.js';
import { currentActor } from '../workspace.js';
import { readTableFile, type TableFile } from './table-file.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.verify');

export type VerifyRequest = {
  modelsDir: string;
  model: string;
  version: string;
  /** The leads file, or the shards of one export (ids must be unique across them). */
  inputs: string[];
  scores: string[];
  tolerance: number;
  maxPsi: number;
  idColumn: string;
  scoreColumn: string;
  /** The warehouse's decile and tier columns: compared with the manifest's for the local score when the scores file has them. */
  decileColumn: string;
  tierColumn: string;
  /** The warehouse's scoring date (@scoring_date): the day date inputs count to. */
  asOf: string;
  /** How many leads each list names (the counts are always whole). */
  show: number;
  workers?: number;
};

export type ScoreDifference = { id: string; local: number; warehouse: number; diff: number | null };

export type VerifyCheck = { check: string; pass: boolean; detail: string };

/** A lead whose warehouse decile or tier is not the one the manifest gives its local score. */
export type PresentationDifference = { id: string; local: { decile: number; tier: string }; warehouse: { decile?: number; tier?: string } };

export type VerifiedFile = { file: string; format: 'csv' | 'parquet'; sha256: string; leads: number };

export type WarehouseVerification = {
  model: string;
  version: string;
  sha256: string;
  asOf: string;
  inputs: { files: VerifiedFile[]; leads: number };
  /** Inputs of the model that no inputs file has a column for: every lead is scored with them missing. */
  absentInputs: string[];
  scores: { files: VerifiedFile[]; leads: number; column: string };
  compared: number;
  tolerance: number;
  /** null when nothing was compared or a difference is not a number. */
  maxAbsDiff: number | null;
  outsideTolerance: { count: number; leads: ScoreDifference[] };
  /** Leads of the inputs the warehouse gave no score. */
  missingInWarehouse: { count: number; ids: string[] };
  /** Leads the warehouse scored that are not in the inputs. */
  notInInputs: { count: number; ids: string[] };
  decileShares: { local: number[]; warehouse: number[] };
  /** The warehouse's own decile and tier columns against the manifest's for the local score; columns: the ones the scores file has. */
  presentation: { columns: string[]; compared: number; differ: { count: number; leads: PresentationDifference[] } };
  /** PSI of the warehouse's decile shares against local inference's; null when nothing was compared. */
  psi: number | null;
  maxPsi: number;
  checks: VerifyCheck[];
  passed: boolean;
};

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Each file read and turned into what the comparison needs (`take`), one after another, so only one
 * file's text cells are in memory at a time.
 */
async function readEach<T>(files: string[], take: (table: TableFile) => T[]): Promise<{ files: VerifiedFile[]; items: T[]; columns: Set<string> }> {
  const described: VerifiedFile[] = [];
  const items: T[] = [];
  const columns = new Set<string>();
  for (const file of files) {
    const table = await readTableFile(file);
    for (const c of table.columns) columns.add(c);
    for (const item of take(table)) items.push(item);
    described.push({ file, format: table.format, sha256: await sha256File(file), leads: table.rows.length });
  }
  return { files: described, items, columns };
}

/** Where row i of a file is, as its user sees it: a CSV line (the header is line 1) or a Parquet row. */
const rowPlace = (table: TableFile, i: number): string => (table.format === 'csv' ? `line ${i + 2}` : `row ${i + 1}`);

/** The ids of a file, refusing a missing id column and empty ids. */
function idsOf(table: TableFile, idColumn: string): string[] {
  if (!table.columns.includes(idColumn)) throw messages.createError('error.noIdColumn', [table.file, idColumn, table.columns.join(', ')]);
  const ids = table.rows.map((r) => r[idColumn].trim());
  const empty = ids.flatMap((id, i) => (id === '' ? [rowPlace(table, i)] : []));
  if (empty.length) throw messages.createError('error.emptyId', [table.file, idColumn, empty.slice(0, 10).join(', ')]);
  return ids;
}

/** Refuses ids on more than one row of one side's files (which lead would a repeated id be?). */
function refuseRepeated(ids: string[], files: string[]): void {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const id of ids) (seen.has(id) ? repeated : seen).add(id);
  if (repeated.size) throw messages.createError('error.repeatedId', [files.join(', '), repeated.size, [...repeated].slice(0, 10).join(', ')]);
}

function leadRecords(table: TableFile, request: VerifyRequest, types: Map<string, string>): ScoringRecord[] {
  const ids = idsOf(table, request.idColumn);
  const unknown = table.columns.filter((c) => c !== request.idColumn && !types.has(c));
  if (unknown.length) throw messages.createError('error.unknownColumns', [table.file, request.model, request.version, unknown.join(', '), request.idColumn]);
  return table.rows.map((raw, i) => {
    const inputs: Record<string, unknown> = {};
    for (const [column, type] of types) {
      if (!(column in raw)) continue;
      let value: unknown;
      try {
        value = cellValue(raw[column], type, column, i + 2);
      } catch {
        throw messages.createError('error.cell', [table.file, rowPlace(table, i), column, type]);
      }
      if (value !== null) inputs[column] = value;
    }
    return { id: ids[i], inputs };
  });
}

type WarehouseRow = { id: string; score: number; decile?: number; tier?: string };

function warehouseScores(table: TableFile, request: VerifyRequest): WarehouseRow[] {
  const ids = idsOf(table, request.idColumn);
  if (!table.columns.includes(request.scoreColumn)) throw messages.createError('error.noScoreColumn', [table.file, request.scoreColumn, table.columns.join(', ')]);
  const scores: WarehouseRow[] = [];
  const unreadable: string[] = [];
  const hasDecile = table.columns.includes(request.decileColumn);
  const hasTier = table.columns.includes(request.tierColumn);
  table.rows.forEach((row, i) => {
    const cell = row[request.scoreColumn].trim();
    const score = cell === '' ? NaN : Number(cell);
    if (!Number.isFinite(score)) return void unreadable.push(rowPlace(table, i));
    // A decile that is not a number stays NaN, so it differs from every local decile and is named.
    const decile = hasDecile ? Number(row[request.decileColumn].trim() || NaN) : undefined;
    scores.push({ id: ids[i], score, ...(hasDecile ? { decile } : {}), ...(hasTier ? { tier: row[request.tierColumn].trim() } : {}) });
  });
  if (unreadable.length) throw messages.createError('error.scoreNotNumber', [table.file, unreadable.length, request.scoreColumn, unreadable.slice(0, 10).join(', ')]);
  return scores;
}

/** Each lead's warehouse decile and tier (where the file has them) against the manifest's for its local score. */
function comparePresentation(
  ids: string[],
  warehouse: Map<string, WarehouseRow>,
  local: Map<string, number>,
  manifest: Manifest,
): { compared: number; differ: PresentationDifference[] } {
  const differ: PresentationDifference[] = [];
  let compared = 0;
  for (const id of ids) {
    const row = warehouse.get(id)!;
    if (row.decile === undefined && row.tier === undefined) continue;
    compared++;
    const { decile, tier } = present(local.get(id)!, manifest);
    if ((row.decile === undefined || row.decile === decile) && (row.tier === undefined || row.tier === tier)) continue;
    const theirs: PresentationDifference['warehouse'] = {};
    if (row.decile !== undefined && !Number.isNaN(row.decile)) theirs.decile = row.decile;
    if (row.tier !== undefined) theirs.tier = row.tier;
    differ.push({ id, local: { decile, tier }, warehouse: theirs });
  }
  return { compared, differ };
}

const rounded = (shares: number[]): number[] => shares.map((s) => Math.round(s * 1e4) / 1e4);

export async function verifyWarehouseScores(request: VerifyRequest): Promise<WarehouseVerification> {
  const pkg = await loadPackage(request.modelsDir, request.model, request.version);
  const { manifest } = pkg;
  const types = new Map(manifest.inputs.map((i) => [i.name, i.type]));
  const inputs = await readEach(request.inputs, (table) => leadRecords(table, request, types));
  const records = inputs.items;
  refuseRepeated(
    records.map((r) => r.id),
    request.inputs,
  );
  const scores = await readEach(request.scores, (table) => warehouseScores(table, request));
  const scored = scores.items;
  refuseRepeated(
    scored.map((r) => r.id),
    request.scores,
  );
  const warehouse = new Map(scored.map((r) => [r.id, r.score]));
  const warehouseRows = new Map(scored.map((r) => [r.id, r]));
  const presentationColumns = [
    ...(scored.some((r) => r.decile !== undefined) ? [request.decileColumn] : []),
    ...(scored.some((r) => r.tier !== undefined) ? [request.tierColumn] : []),
  ];
  if (records.length === 0) throw messages.createError('error.noLeads', [request.inputs.join(', ')]);

  // The bulk scorer's in-process path, without reasons: the same features and ONNX session as the service.
  const scorer = await inProcessScorer(pkg, { explainTop: 0, asOf: request.asOf, workers: request.workers });
  let local;
  try {
    local = (await scoreAll(scorer, records)).map((s, i) => ({ id: records[i].id, score: s.score }));
  } finally {
    await scorer.close();
  }

  const ids = records.map((r) => r.id);
  const comparison = compareScores(manifest, ids, warehouse, local, request.tolerance, { versions: new Set(), signatures: new Set() });
  const inputIds = new Set(ids);
  const notInInputs = [...warehouse.keys()].filter((id) => !inputIds.has(id));
  const localById = new Map(local.map((s) => [s.id, s.score]));
  const bothSides = ids.filter((id) => warehouse.has(id));
  const localShares = decileShares(bothSides.map((id) => localById.get(id)!), manifest);
  const warehouseShares = decileShares(bothSides.map((id) => warehouse.get(id)!), manifest);
  const psiValue = bothSides.length ? psi(localShares, warehouseShares) : null;
  const presentation = comparePresentation(bothSides, warehouseRows, localById, manifest);

  const n = request.show;
  const outside = comparison.mismatches.map((m) => ({ id: m.id, local: m.local!, warehouse: m.org!, diff: m.diff }));
  const checks: VerifyCheck[] = [
    {
      check: 'every lead in both files',
      pass: comparison.missing.length === 0 && notInInputs.length === 0,
      detail: messages.getMessage('check.leads', [comparison.compared, records.length, comparison.missing.length, notInInputs.length]),
    },
    {
      check: 'scores within tolerance',
      pass: comparison.compared > 0 && outside.length === 0 && comparison.maxAbsDiff !== null,
      detail: messages.getMessage('check.scores', [comparison.maxAbsDiff === null ? 'not a number' : comparison.maxAbsDiff.toExponential(2), outside.length, request.tolerance]),
    },
    {
      check: 'decile distribution',
      pass: psiValue !== null && psiValue <= request.maxPsi,
      detail: psiValue === null ? messages.getMessage('check.noOverlap') : messages.getMessage('check.psi', [psiValue.toFixed(4), request.maxPsi]),
    },
  ];
  if (presentationColumns.length)
    checks.push({
      check: 'deciles and tiers match',
      pass: presentation.differ.length === 0,
      detail: messages.getMessage('check.presentation', [presentationColumns.join(' and '), presentation.compared, presentation.differ.length]),
    });
  const passed = checks.every((c) => c.pass);

  const result: WarehouseVerification = {
    model: request.model,
    version: request.version,
    sha256: manifest.sha256,
    asOf: request.asOf,
    inputs: { files: inputs.files, leads: records.length },
    absentInputs: [...types.keys()].filter((name) => !inputs.columns.has(name)),
    scores: { files: scores.files, leads: warehouse.size, column: request.scoreColumn },
    compared: comparison.compared,
    tolerance: request.tolerance,
    maxAbsDiff: comparison.maxAbsDiff,
    outsideTolerance: { count: outside.length, leads: outside.slice(0, n) },
    missingInWarehouse: { count: comparison.missing.length, ids: comparison.missing.slice(0, n) },
    notInInputs: { count: notInInputs.length, ids: notInInputs.slice(0, n) },
    decileShares: { local: rounded(localShares), warehouse: rounded(warehouseShares) },
    presentation: { columns: presentationColumns, compared: presentation.compared, differ: { count: presentation.differ.length, leads: presentation.differ.slice(0, n) } },
    psi: psiValue,
    maxPsi: request.maxPsi,
    checks,
    passed,
  };

  // Counts and figures only: no lead id or score goes into the ledger.
  await appendLedger(request.modelsDir, {
    action: 'warehouse-verify',
    model: request.model,
    version: request.version,
    sha256: manifest.sha256,
    actor: currentActor(),
    result: passed ? 'pass' : 'fail',
    details: {
      asOf: request.asOf,
      inputs: result.inputs,
      absentInputs: result.absentInputs,
      scores: result.scores,
      compared: comparison.compared,
      tolerance: request.tolerance,
      maxAbsDiff: comparison.maxAbsDiff,
      outsideTolerance: outside.length,
      missingInWarehouse: comparison.missing.length,
      notInInputs: notInInputs.length,
      presentationColumns,
      presentationDiffer: presentation.differ.length,
      psi: psiValue,
      maxPsi: request.maxPsi,
      failed: checks.filter((c) => !c.pass).map((c) => c.check),
    },
  });
  return result;
}
