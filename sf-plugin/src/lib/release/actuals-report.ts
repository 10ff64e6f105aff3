/**
 * The two `--actuals` runs for count models, from file to result: which versions (the registry's
 * champion and challenger aliases, and the actuals' version column), their packages, the rows
 * read and scored, the per-cycle figures, then compare's verdict (recorded in the ledger) or
 * monitor's criteria. Commands only parse flags and print.
 */
import path from 'node:path';
import { Messages } from '@salesforce/core';
import { appendLedger, loadPackage, readRegistry, resolveVersion, type LoadedPackage, type Manifest, type Period } from '../library.js';
import { currentActor } from '../workspace.js';
import { readActuals, type ActualRow } from './actuals.js';
import { measureCountRollback } from './count-rollback.js';
import { judgeCountChallenger, type CountVerdict, type DevianceDifference } from './count-verdict.js';
import { countFigures, cycleIndices, measureCycles, scoreActuals, type CountFigures, type CycleFigures } from './cycles.js';
import type { Criterion } from './rollback-criteria.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.actuals');

export const COUNT_TASKS: ReadonlyArray<Manifest['task']> = ['poisson-regression', 'regression'];

export type ActualsRequest = { modelsDir: string; model: string; file: string; period?: Period };

/** One version over the complete cycles, beside the validation metrics in its manifest. */
export type CountVersionSummary = {
  version: string;
  role: 'champion' | 'challenger' | 'served';
  sha256: string;
  baseline: { poissonDeviance: number | null; weightedMape: number | null; r2: number | null };
} & CountFigures;

export type ActualsComparison = {
  kind: 'actuals';
  model: string;
  actuals: string;
  period: Period | null;
  champion: string;
  challenger: string;
  /** Complete ordering cycles compared (a verdict needs at least 1). */
  completeCycles: number;
  cycles: CycleFigures[];
  versions: CountVersionSummary[];
  verdict: CountVerdict;
  difference: DevianceDifference | null;
  reasons: string[];
  /** The ledger entry written: result ok only for challenger-better. */
  ledger: { action: 'compare'; version: string; result: 'ok' | 'fail' };
};

export type ActualsMonitoring = {
  kind: 'actuals';
  model: string;
  actuals: string;
  period: Period | null;
  champion: string;
  /** The versions watched: those the version column names, else the champion. */
  monitored: string[];
  cycles: CycleFigures[];
  criteria: Criterion[];
  breached: boolean;
};

async function countPackage(modelsDir: string, model: string, version: string): Promise<LoadedPackage> {
  const pkg = await loadPackage(modelsDir, model, version);
  if (!COUNT_TASKS.includes(pkg.manifest.task)) throw messages.createError('error.notCount', [`${model} ${version}`, pkg.manifest.task]);
  return pkg;
}

/** The versions the version column names, in first-seen order; all must be in the registry. */
function servedVersions(rows: ActualRow[], request: ActualsRequest, known: readonly string[]): string[] {
  const served = [...new Set(rows.map((r) => r.version).filter((v): v is string => v !== null))];
  const unknown = served.filter((v) => !known.includes(v));
  if (unknown.length) throw messages.createError('error.unknownVersion', [request.file, unknown.join(', '), request.model, request.modelsDir]);
  return served;
}

function summary(pkg: LoadedPackage, role: CountVersionSummary['role'], figures: CountFigures): CountVersionSummary {
  const m = pkg.manifest.metrics;
  return {
    version: pkg.version,
    role,
    sha256: pkg.manifest.sha256,
    baseline: { poissonDeviance: m.poisson_deviance ?? null, weightedMape: m.weighted_mape ?? null, r2: m.r2 ?? null },
    ...figures,
  };
}

export async function compareActuals(request: ActualsRequest): Promise<ActualsComparison> {
  const registry = await readRegistry(request.modelsDir);
  const champion = resolveVersion(registry, request.model, 'champion');
  if (!champion) throw messages.createError('error.noChampion', [request.model]);
  const champ = await countPackage(request.modelsDir, request.model, champion);
  const alias = resolveVersion(registry, request.model, 'challenger');
  const aliasPkg = alias && alias !== champion ? await countPackage(request.modelsDir, request.model, alias) : undefined;
  const rows = await readActuals(request.file, request.model, [champ.manifest, ...(aliasPkg ? [aliasPkg.manifest] : [])]);
  const served = servedVersions(rows, request, Object.keys(registry.models[request.model]?.versions ?? {}));
  const challenger = aliasPkg?.version ?? served.find((v) => v !== champion);
  if (!challenger) throw messages.createError('error.noChallenger', [request.model, champion]);
  const chall = aliasPkg ?? (await countPackage(request.modelsDir, request.model, challenger));

  const scored = await scoreActuals([champ, chall], rows);
  const byCycle = cycleIndices(scored, request.period, request.file);
  const cycles = measureCycles(scored, [champion, challenger], request.period, request.file);
  const judged = await judgeCountChallenger(scored, byCycle, cycles, champion, challenger);
  const complete = new Set(cycles.filter((c) => c.complete).map((c) => c.cycle));
  const completeRows = byCycle.filter((c) => complete.has(c.cycle)).flatMap((c) => c.indices);

  const result: 'ok' | 'fail' = judged.verdict === 'challenger-better' ? 'ok' : 'fail';
  await appendLedger(request.modelsDir, {
    action: 'compare',
    model: request.model,
    version: challenger,
    sha256: chall.manifest.sha256,
    actor: currentActor(),
    result,
    reason: `${judged.verdict}: ${judged.reasons[0]}`,
    details: {
      cycles: judged.cycles,
      verdict: judged.verdict,
      champion,
      championSha256: champ.manifest.sha256,
      challenger,
      actuals: path.basename(request.file),
      ...(request.period ? { period: request.period } : {}),
      difference: judged.difference,
    },
  });
  return {
    kind: 'actuals',
    model: request.model,
    actuals: request.file,
    period: request.period ?? null,
    champion,
    challenger,
    completeCycles: judged.cycles,
    cycles,
    versions: [summary(champ, 'champion', countFigures(scored, champion, completeRows)), summary(chall, 'challenger', countFigures(scored, challenger, completeRows))],
    verdict: judged.verdict,
    difference: judged.difference,
    reasons: judged.reasons,
    ledger: { action: 'compare', version: challenger, result },
  };
}

export async function monitorActuals(request: ActualsRequest): Promise<ActualsMonitoring> {
  const registry = await readRegistry(request.modelsDir);
  const champion = resolveVersion(registry, request.model, 'champion');
  if (!champion) throw messages.createError('error.noChampion', [request.model]);
  const champ = await countPackage(request.modelsDir, request.model, champion);
  const rows = await readActuals(request.file, request.model, [champ.manifest]);
  const served = servedVersions(rows, request, Object.keys(registry.models[request.model]?.versions ?? {}));
  const monitored = served.length ? served : [champion];
  const packages = await Promise.all(monitored.map((v) => (v === champion ? champ : countPackage(request.modelsDir, request.model, v))));
  const scored = await scoreActuals(packages, rows);
  // With a version column each version answers for the rows it served; without one the champion for all.
  const cycles = measureCycles(scored, monitored, request.period, request.file, served.length > 0);
  const criteria = packages.flatMap((p) => measureCountRollback(p.version, p.manifest, cycles));
  return {
    kind: 'actuals',
    model: request.model,
    actuals: request.file,
    period: request.period ?? null,
    champion,
    monitored,
    cycles,
    criteria,
    breached: criteria.some((c) => c.breached),
  };
}
