/**
 * Ordering-cycle figures of count models against actuals (`compare --actuals`, `monitor
 * --actuals`): every row scored locally with each version's package (the library's feature
 * pipeline and ONNX session, as `sf scoring predict` scores), then per version and per cycle the
 * library's Poisson deviance, weighted MAPE and R2 in count space. A cycle is complete when every
 * one of its rows has its actual_qty; a cycle with rows still without one is open and not measured.
 */
import { Messages } from '@salesforce/core';
import {
  demandRecords,
  groupBy,
  periodKey,
  poissonDeviance,
  r2,
  weightedMape,
  type LoadedPackage,
  type Period,
} from '../library.js';
import type { ActualRow } from './actuals.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.actuals');

export type CountFigures = {
  /** Rows measured (with an actual). */
  rows: number;
  /** Rows this version served, by the actuals' version column (null without one). */
  servedRows: number | null;
  actualTotal: number;
  predictedTotal: number;
  poissonDeviance: number | null;
  weightedMape: number | null;
  r2: number | null;
};

export type CycleFigures = {
  cycle: string;
  complete: boolean;
  rows: number;
  /** Rows still without an actual_qty (the cycle is open when > 0). */
  openRows: number;
  versions: Array<{ version: string } & CountFigures>;
};

/** Scored rows: predictions[v][i] is version v's expected quantity for rows[i]. */
export type ScoredActuals = { rows: ActualRow[]; predictions: Map<string, Float64Array> };

const round = (x: number): number | null => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : null);

/** Each package's expected quantity for every row, rows grouped by their as_of day (today when absent). */
export async function scoreActuals(packages: LoadedPackage[], rows: ActualRow[]): Promise<ScoredActuals> {
  const { createSession, predictRows } = await import('@lead-scoring/scoring-service/inference');
  const byAsOf = groupBy(
    rows.map((r, i) => ({ r, i })),
    ({ r }) => r.asOf ?? '',
  );
  const predictions = new Map<string, Float64Array>();
  for (const pkg of packages) {
    const out = new Float64Array(rows.length);
    const session = await createSession(pkg.modelPath, { threads: 1 });
    try {
      for (const group of byAsOf) {
        const { records, problems } = demandRecords(pkg.manifest, group.items.map(({ r }) => r.inputs));
        if (problems.length) throw messages.createError('error.noProduct', [problems.map((p) => group.items[p.row].r.line).join(', ')]);
        const features = pkg.pipeline.transform(records, group.key ? { asOf: group.key } : {});
        const scores = await predictRows(session, pkg.manifest.model, features, records.length);
        group.items.forEach(({ i }, k) => (out[i] = scores[k]));
      }
    } finally {
      await session.release();
    }
    predictions.set(pkg.version, out);
  }
  return { rows, predictions };
}

/** The cycle a row counts in: its cycle label, or the day/ISO week/month of a cycle that is a date. */
export function cycleOf(row: ActualRow, period: Period | undefined, file: string): string {
  if (!period) return row.cycle;
  if (Number.isNaN(Date.parse(row.cycle))) throw messages.createError('error.cycleNotDate', [row.line, file, row.cycle, period]);
  return periodKey(row.cycle, period);
}

/** The library's count metrics over the rows at `indices` (all with an actual). */
export function countFigures(scored: ScoredActuals, version: string, indices: readonly number[]): CountFigures {
  const predicted = scored.predictions.get(version)!;
  const y = indices.map((i) => scored.rows[i].actual!);
  const mu = indices.map((i) => predicted[i]);
  const hasVersionColumn = scored.rows.some((r) => r.version !== null);
  const servedRows = hasVersionColumn ? indices.filter((i) => scored.rows[i].version === version).length : null;
  const actualTotal = y.reduce((a, b) => a + b, 0);
  const predictedTotal = mu.reduce((a, b) => a + b, 0);
  const measured = indices.length > 0;
  return {
    rows: indices.length,
    servedRows,
    actualTotal: round(actualTotal) ?? 0,
    predictedTotal: round(predictedTotal) ?? 0,
    poissonDeviance: measured ? round(poissonDeviance(y, mu)) : null,
    weightedMape: measured && actualTotal > 0 ? round(weightedMape(y, mu)) : null,
    r2: indices.length > 1 ? round(r2(y, mu)) : null,
  };
}

/** Rows by cycle (natural order), each with its indices into scored.rows. */
export function cycleIndices(scored: ScoredActuals, period: Period | undefined, file: string): Array<{ cycle: string; indices: number[] }> {
  return groupBy(
    scored.rows.map((r, i) => ({ cycle: cycleOf(r, period, file), i })),
    (x) => x.cycle,
  ).map((g) => ({ cycle: g.key, indices: g.items.map((x) => x.i) }));
}

/**
 * Per cycle: complete or open, and per version (over every row when `servedOnly` is false; over
 * the rows each version served, by the version column, when true) the count figures.
 */
export function measureCycles(
  scored: ScoredActuals,
  versions: readonly string[],
  period: Period | undefined,
  file: string,
  servedOnly = false,
): CycleFigures[] {
  return cycleIndices(scored, period, file).map(({ cycle, indices }) => {
    const withActual = indices.filter((i) => scored.rows[i].actual !== null);
    const openRows = indices.length - withActual.length;
    const complete = openRows === 0;
    return {
      cycle,
      complete,
      rows: indices.length,
      openRows,
      versions: versions.map((version) => {
        const mine = servedOnly ? withActual.filter((i) => scored.rows[i].version === version) : withActual;
        return { version, ...countFigures(scored, version, complete ? mine : []) };
      }),
    };
  });
}
