/**
 * `sf scoring verify`: the checklist's "verify scores match local inference". The leads file the
 * warehouse scored is scored again in-process with the model package (the bulk scorer's path:
 * feature pipeline -> ONNX Runtime worker pool), lead by lead against the warehouse's scores file:
 * largest difference, leads outside the tolerance (named), leads missing on either side, and the
 * PSI of the warehouse's decile shares against local inference's. The outcome is recorded as a
 * `warehouse-verify` ledger entry with both files' sha256, which the production gate can require.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Messages } from '@salesforce/core';
import { appendLedger, loadPackage, psi, type ScoringRecord } from '../library.js';
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
  inputs: string;
  scores: string;
  tolerance: number;
  maxPsi: number;
  idColumn: string;
  scoreColumn: string;
  /** The warehouse's scoring date (@scoring_date): the day date inputs count to. */
  asOf: string;
  /** How many leads each list names (the counts are always whole). */
  show: number;
  workers?: number;
};

export type ScoreDifference = { id: string; local: number; warehouse: number; diff: number | null };

export type VerifyCheck = { check: string; pass: boolean; detail: string };

export type WarehouseVerification = {
  model: string;
  version: string;
  sha256: string;
  asOf: string;
  inputs: { file: string; format: string; sha256: string; leads: number };
  scores: { file: string; format: string; sha256: string; leads: number; column: string };
  compared: number;
  tolerance: number;
  /** null when nothing was compared or a difference is not a number. */
  maxAbsDiff: number | null;
  outsideTolerance: { count: number; leads: ScoreDifference[] };
  /** Leads of the inputs file the warehouse gave no score. */
  missingInWarehouse: { count: number; ids: string[] };
  /** Leads the warehouse scored that are not in the inputs file. */
  notInInputs: { count: number; ids: string[] };
  decileShares: { local: number[]; warehouse: number[] };
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

/** The ids of a file, refusing empty and repeated ones (which lead would a repeated id be?). */
function idsOf(table: TableFile, idColumn: string): string[] {
  if (!table.columns.includes(idColumn)) throw messages.createError('error.noIdColumn', [table.file, idColumn, table.columns.join(', ')]);
  const ids = table.rows.map((r) => r[idColumn].trim());
  const empty = ids.flatMap((id, i) => (id === '' ? [i + 2] : []));
  if (empty.length) throw messages.createError('error.emptyId', [table.file, idColumn, empty.slice(0, 10).join(', ')]);
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const id of ids) (seen.has(id) ? repeated : seen).add(id);
  if (repeated.size) throw messages.createError('error.repeatedId', [table.file, repeated.size, [...repeated].slice(0, 10).join(', ')]);
  return ids;
}

function leadRecords(table: TableFile, request: VerifyRequest, types: Map<string, string>, model: string): ScoringRecord[] {
  const ids = idsOf(table, request.idColumn);
  const unknown = table.columns.filter((c) => c !== request.idColumn && !types.has(c));
  if (unknown.length) throw messages.createError('error.unknownColumns', [table.file, model, request.version, unknown.join(', '), request.idColumn]);
  return table.rows.map((raw, i) => {
    const inputs: Record<string, unknown> = {};
    // Line numbers in errors count the header as line 1, as a spreadsheet shows them.
    for (const [column, type] of types) {
      if (!(column in raw)) continue;
      const value = cellValue(raw[column], type, column, i + 2);
      if (value !== null) inputs[column] = value;
    }
    return { id: ids[i], inputs };
  });
}

function warehouseScores(table: TableFile, request: VerifyRequest): Map<string, number> {
  const ids = idsOf(table, request.idColumn);
  if (!table.columns.includes(request.scoreColumn)) throw messages.createError('error.noScoreColumn', [table.file, request.scoreColumn, table.columns.join(', ')]);
  const scores = new Map<string, number>();
  const unreadable: number[] = [];
  table.rows.forEach((row, i) => {
    const cell = row[request.scoreColumn].trim();
    const score = cell === '' ? NaN : Number(cell);
    if (Number.isFinite(score)) scores.set(ids[i], score);
    else unreadable.push(i + 2);
  });
  if (unreadable.length) throw messages.createError('error.scoreNotNumber', [table.file, unreadable.length, request.scoreColumn, unreadable.slice(0, 10).join(', ')]);
  return scores;
}

const rounded = (shares: number[]): number[] => shares.map((s) => Math.round(s * 1e4) / 1e4);

export async function verifyWarehouseScores(request: VerifyRequest): Promise<WarehouseVerification> {
  const pkg = await loadPackage(request.modelsDir, request.model, request.version);
  const { manifest } = pkg;
  const types = new Map(manifest.inputs.map((i) => [i.name, i.type]));
  const [inputsTable, scoresTable, inputsSha, scoresSha] = await Promise.all([
    readTableFile(request.inputs),
    readTableFile(request.scores),
    sha256File(request.inputs),
    sha256File(request.scores),
  ]);
  const records = leadRecords(inputsTable, request, types, request.model);
  const warehouse = warehouseScores(scoresTable, request);
  if (records.length === 0) throw messages.createError('error.noLeads', [request.inputs]);

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
  const passed = checks.every((c) => c.pass);

  const result: WarehouseVerification = {
    model: request.model,
    version: request.version,
    sha256: manifest.sha256,
    asOf: request.asOf,
    inputs: { file: request.inputs, format: inputsTable.format, sha256: inputsSha, leads: records.length },
    scores: { file: request.scores, format: scoresTable.format, sha256: scoresSha, leads: warehouse.size, column: request.scoreColumn },
    compared: comparison.compared,
    tolerance: request.tolerance,
    maxAbsDiff: comparison.maxAbsDiff,
    outsideTolerance: { count: outside.length, leads: outside.slice(0, n) },
    missingInWarehouse: { count: comparison.missing.length, ids: comparison.missing.slice(0, n) },
    notInInputs: { count: notInInputs.length, ids: notInInputs.slice(0, n) },
    decileShares: { local: rounded(localShares), warehouse: rounded(warehouseShares) },
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
      inputs: { file: request.inputs, sha256: inputsSha, leads: records.length },
      scores: { file: request.scores, sha256: scoresSha, leads: warehouse.size, column: request.scoreColumn },
      compared: comparison.compared,
      tolerance: request.tolerance,
      maxAbsDiff: comparison.maxAbsDiff,
      outsideTolerance: outside.length,
      missingInWarehouse: comparison.missing.length,
      notInInputs: notInInputs.length,
      psi: psiValue,
      maxPsi: request.maxPsi,
      failed: checks.filter((c) => !c.pass).map((c) => c.check),
    },
  });
  return result;
}
