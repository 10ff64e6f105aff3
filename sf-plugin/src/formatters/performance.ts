/** `compare` and `monitor` for humans: per-version figures, lift by decile, weekly figures, criteria, verdicts. */
import { Messages } from '@salesforce/core';
import type { CompareResult } from '../commands/scoring/compare.js';
import type { MonitorResult } from '../commands/scoring/monitor.js';
import { orgLabel } from '../lib/org/identity.js';
import type { PeriodPerformance, VersionPerformance } from '../lib/org/score-history.js';
import type { CycleFigures } from '../lib/release/cycles.js';
import type { CommandOutput, Formatter } from './formatter.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const compareMessages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.compare');
const monitorMessages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.monitor');

export class CompareFormatter implements Formatter {
  public constructor(private readonly result: CompareResult) {}

  public display(out: CommandOutput): void {
    if (this.result.kind === 'actuals') {
      displayCycles(out, this.result.cycles);
      out.log(compareMessages.getMessage('info.verdict', [this.result.verdict, this.result.reasons.join('; ')]));
      return;
    }
    const { versions, verdict, reasons } = this.result;
    out.table({
      data: versions.map((v) => ({
        version: v.version,
        role: v.role,
        ...leadFigures(v),
      })),
    });
    if (this.result.periods) displayPeriods(out, this.result.periods);
    const withLift = versions.filter((v) => v.liftByDecile.length === 10);
    if (withLift.length) {
      out.table({
        data: Array.from({ length: 10 }, (_, i) => ({
          decile: 10 - i,
          ...Object.fromEntries(withLift.map((v) => [`lift ${v.version}`, v.liftByDecile[9 - i]])),
        })),
      });
    }
    out.log(compareMessages.getMessage('info.verdict', [verdict, reasons.join('; ')]));
  }
}

export class MonitorFormatter implements Formatter {
  public constructor(private readonly result: MonitorResult) {}

  public display(out: CommandOutput): void {
    if (this.result.kind === 'actuals') {
      const { model, cycles, criteria, breached, monitored } = this.result;
      displayCycles(out, cycles);
      out.table({ data: criteria.map((c) => ({ criterion: c.criterion, actual: c.actual ?? 'not measured', breached: c.breached ? 'BREACHED' : 'no', note: c.note ?? '' })) });
      const which = `${model} ${monitored.join(', ')}`;
      if (breached) out.log(monitorMessages.getMessage('info.actualsBreached', [which, criteria.filter((c) => c.breached).map((c) => c.criterion).join('; ')]));
      else out.log(monitorMessages.getMessage('info.actualsOk', [which, `${cycles.filter((c) => c.complete).length} complete cycle(s)`]));
      return;
    }
    const { org, model, champion, weeks, criteria, breached } = this.result;
    out.table({ data: weeks.map((w) => ({ week: `${w.start.slice(0, 10)} - ${w.end.slice(0, 10)}`, leads: w.leads, conversions: w.conversions, 'top-decile lift': w.topDecileLift ?? '' })) });
    out.table({ data: criteria.map((c) => ({ criterion: c.criterion, actual: c.actual ?? 'not measured', breached: c.breached ? 'BREACHED' : 'no', note: c.note ?? '' })) });
    if (this.result.targets.length) {
      out.table({
        data: this.result.targets.map((t) => ({
          version: t.version,
          metric: t.metric,
          target: `${t.bound === 'min' ? '>=' : '<'} ${t.target}`,
          actual: t.actual ?? 'not measured',
          met: t.met === null ? '' : t.met ? 'yes' : 'NO',
        })),
      });
    }
    if (this.result.periods) displayPeriods(out, this.result.periods);
    const label = orgLabel(org);
    if (breached) {
      const which = criteria.filter((c) => c.breached).map((c) => c.criterion).join('; ');
      out.log(monitorMessages.getMessage('info.breached', [model, champion, label, which, model, org.username ?? org.id]));
    } else out.log(monitorMessages.getMessage('info.ok', [model, champion, label]));
  }
}

/** Per cycle and version: rows, totals and the count metrics (open cycles say so). */
function displayCycles(out: CommandOutput, cycles: CycleFigures[]): void {
  out.table({
    data: cycles.flatMap((c) =>
      c.versions.map((v) => ({
        cycle: c.cycle,
        status: c.complete ? 'complete' : `open (${c.openRows} rows without actual_qty)`,
        version: v.version,
        rows: v.rows,
        actual: v.actualTotal,
        predicted: v.predictedTotal,
        'Poisson deviance': v.poissonDeviance ?? '',
        'weighted MAPE': v.weightedMape ?? '',
        R2: v.r2 ?? '',
      })),
    ),
  });
}

/** The lead checklist's figures of one version, as table columns. */
function leadFigures(v: VersionPerformance): Record<string, number | string> {
  return {
    leads: v.leads,
    conversions: v.conversions,
    AUC: v.auc ?? '',
    'top-decile lift': v.topDecileLift ?? '',
    'top-decile conv.': v.topDecileConversion ?? '',
    'bottom-20% conv.': v.bottom20Conversion ?? '',
    'depriorit. eff.': v.deprioritizationEfficiency ?? '',
  };
}

/** Per period and version: the lead checklist's figures. */
function displayPeriods(out: CommandOutput, periods: PeriodPerformance[]): void {
  out.table({
    data: periods.flatMap((p) =>
      p.versions.map((v) => ({
        period: p.period,
        version: v.version,
        ...leadFigures(v),
      })),
    ),
  });
}
