/**
 * `sf scoring score --from`: a leads file (CSV or Parquet) scored in-process through the DuckDB
 * path of the library (features in DuckDB, the model in ONNX Runtime, reasons by TreeSHAP when
 * asked) and written as CSV or Parquet. The version defaults to the registry's champion.
 */
import path from 'node:path';
import { loadPackage, readRegistry, resolveVersion, scoreFile, writeScores } from '../library.js';
import { scoringError } from '../errors.js';

export type FileScoreResult = {
  mode: 'file';
  model: string;
  version: string;
  from: string;
  out: string;
  /** Leads scored (one output row each). */
  scored: number;
  /** Reasons per lead written in the reasons column (0: no reasons column). */
  explainTop: number;
  scoringDate: string;
  /** Leads per tier. */
  tiers: Record<string, number>;
  durationMs: number;
};

export interface FileScoreRequest {
  modelsDir: string;
  model: string;
  version?: string;
  from: string;
  out: string;
  idColumn?: string;
  scoringDate?: string;
  explainTop: number;
}

export async function scoreLeadsFile(request: FileScoreRequest): Promise<FileScoreResult> {
  const started = Date.now();
  const registry = await readRegistry(request.modelsDir);
  const version = resolveVersion(registry, request.model, request.version ?? 'champion');
  if (!version)
    throw scoringError(
      'NoVersionError',
      `No --version given and ${request.model} has no champion in the registry.`,
      ['Pass --version, for example --version 4.1.0.'],
    );
  const pkg = await loadPackage(request.modelsDir, request.model, version, registry);
  const scoringDate = request.scoringDate ?? new Date().toISOString().slice(0, 10);
  const rows = await scoreFile(pkg, request.from, { idColumn: request.idColumn, scoringDate, explainTop: request.explainTop });
  await writeScores(rows, request.out);
  const tiers: Record<string, number> = {};
  for (const r of rows) tiers[r.tier] = (tiers[r.tier] ?? 0) + 1;
  return {
    mode: 'file',
    model: pkg.name,
    version: pkg.version,
    from: path.resolve(request.from),
    out: path.resolve(request.out),
    scored: rows.length,
    explainTop: request.explainTop,
    scoringDate,
    tiers,
    durationMs: Date.now() - started,
  };
}
