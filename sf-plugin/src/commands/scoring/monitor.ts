import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { MonitorFormatter } from '../../formatters/performance.js';
import { commonMessages, monitoringFlags, optionalSinceFlag } from '../../lib/flags.js';
import { loadPackage } from '../../lib/library.js';
import { readOrgConfig } from '../../lib/org/custom-metadata.js';
import { identifyOrg, orgLabel, type OrgIdentity } from '../../lib/org/identity.js';
import { performanceByPeriod, performanceByVersion, readHistory, type PeriodPerformance, type VersionPerformance } from '../../lib/org/score-history.js';
import { monitorActuals, type ActualsMonitoring } from '../../lib/release/actuals-report.js';
import { countModelTask } from '../../lib/release/model-task.js';
import { measureRollbackCriteria, WEEK_MS, type Criterion, type WeekFigures } from '../../lib/release/rollback-criteria.js';
import { checkTargets, type TargetCheck } from '../../lib/release/targets.js';
import { resolveModelsDir } from '../../lib/workspace.js';
import { toSfError } from '../../lib/errors.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.monitor');

/** Lead models: the champion's rollback criteria from the org's score history. */
export type LeadMonitorResult = {
  kind: 'leads';
  org: OrgIdentity;
  model: string;
  champion: string;
  window: { start: string; end: string };
  weeks: WeekFigures[];
  criteria: Criterion[];
  breached: boolean;
  /** Every version scored since the start of the window (or --since): the lead checklist's figures. */
  versions: VersionPerformance[];
  /** Each version's figures against its manifest's targets (the V4.1.0 checklist's key metrics); not a breach. */
  targets: TargetCheck[];
  /** With --period: the same figures for the scores of each day, ISO week or month. */
  periods?: PeriodPerformance[];
};

/** Lead models (kind "leads", from the org) or count models (kind "actuals", from --actuals). */
export type MonitorResult = LeadMonitorResult | ActualsMonitoring;

export default class Monitor extends SfCommand<MonitorResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    ...monitoringFlags,
    since: optionalSinceFlag,
    'min-conversions': Flags.integer({ summary: messages.getMessage('flags.min-conversions.summary'), default: 5, min: 1 }),
  };

  /** Refusals in sf's shape (PascalCase ...Error names, "Try this:" actions): lib/errors.ts. */
  protected catch(error: Error): Promise<never> {
    return super.catch(toSfError(error) as Error);
  }

  public async run(): Promise<MonitorResult> {
    const { flags } = await this.parse(Monitor);
    const modelsDir = resolveModelsDir(flags['models-dir']);
    if (flags.actuals) {
      this.spinner.start(messages.getMessage('spinner.actuals'));
      const counted = await monitorActuals({ modelsDir, model: flags.name, file: flags.actuals, period: flags.period });
      this.spinner.stop(messages.getMessage('spinner.actuals.done', [counted.cycles.reduce((n, c) => n + c.rows, 0), counted.cycles.filter((c) => c.complete).length]));
      if (counted.breached) process.exitCode = 1;
      new MonitorFormatter(counted).display(this);
      return counted;
    }
    const task = await countModelTask(modelsDir, flags.name);
    if (task) throw commonMessages.createError('error.countNeedsActuals', [flags.name, task]);
    if (!flags['target-org']) throw commonMessages.createError('error.noOrg', [flags.name]);
    const conn = flags['target-org'].getConnection(flags['api-version']);
    const org = await identifyOrg(flags['target-org']);
    const champion = (await readOrgConfig(conn, flags.name))?.championVersion;
    if (!champion) throw messages.createError('error.noChampion', [orgLabel(org), flags.name]);
    const rules = (await loadPackage(modelsDir, flags.name, champion)).manifest.gates.rollback;

    const end = new Date();
    const start = new Date(end.getTime() - rules.consecutive_weeks * WEEK_MS);
    // --since widens what is read (for --period monthly, say); the criteria still use the rollback window.
    const since = flags.since ?? start;
    const readFrom = since < start ? since : start;
    this.spinner.start(messages.getMessage('spinner.history', [rules.consecutive_weeks]));
    const all = await readHistory(conn, flags.name, readFrom);
    const rows = all.filter((r) => r.Model_Version__c === champion && r.Scored_At__c >= start.toISOString());
    this.spinner.stop(messages.getMessage('spinner.history.done', [rows.length]));

    const { weeks, criteria, breached } = measureRollbackCriteria(rows, rules, start, flags['min-conversions']);
    const shown = all.filter((r) => r.Scored_At__c >= since.toISOString());
    const versions = performanceByVersion(shown);

    if (breached) process.exitCode = 1;
    const result: LeadMonitorResult = {
      kind: 'leads',
      org,
      model: flags.name,
      champion,
      window: { start: start.toISOString(), end: end.toISOString() },
      weeks,
      criteria,
      breached,
      versions,
      targets: await checkTargets(modelsDir, flags.name, versions),
      ...(flags.period ? { periods: performanceByPeriod(shown, flags.period) } : {}),
    };
    new MonitorFormatter(result).display(this);
    return result;
  }
}
