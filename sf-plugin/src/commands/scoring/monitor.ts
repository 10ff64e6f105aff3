import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { readOrgConfig } from '../../lib/org/custom-metadata.js';
import { MonitorFormatter } from '../../formatters/performance.js';
import { orgModelFlags } from '../../lib/flags.js';
import { loadPackage } from '../../lib/library.js';
import { identifyOrg, orgLabel, type OrgIdentity } from '../../lib/org/identity.js';
import { performanceByVersion, readHistory } from '../../lib/org/score-history.js';
import { resolveModelsDir } from '../../lib/workspace.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.monitor');

const WEEK_MS = 7 * 86_400_000;

export type WeekFigures = { start: string; end: string; leads: number; conversions: number; topDecileLift: number | null };

export type Criterion = { criterion: string; actual: number | null; threshold: number; breached: boolean; note?: string };

export type MonitorResult = {
  org: OrgIdentity;
  model: string;
  champion: string;
  window: { start: string; end: string };
  weeks: WeekFigures[];
  criteria: Criterion[];
  breached: boolean;
};

export default class Monitor extends SfCommand<MonitorResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    ...orgModelFlags,
    'min-conversions': Flags.integer({ summary: messages.getMessage('flags.min-conversions.summary'), default: 5, min: 1 }),
  };

  public async run(): Promise<MonitorResult> {
    const { flags } = await this.parse(Monitor);
    const modelsDir = resolveModelsDir(flags['models-dir']);
    const conn = flags['target-org'].getConnection(flags['api-version']);
    const org = await identifyOrg(flags['target-org']);
    const champion = (await readOrgConfig(conn, flags.name))?.championVersion;
    if (!champion) throw messages.createError('error.noChampion', [orgLabel(org), flags.name]);
    const rules = (await loadPackage(modelsDir, flags.name, champion)).manifest.gates.rollback;

    const end = new Date();
    const start = new Date(end.getTime() - rules.consecutive_weeks * WEEK_MS);
    this.spinner.start(messages.getMessage('spinner.history', [rules.consecutive_weeks]));
    const rows = (await readHistory(conn, flags.name, start)).filter((r) => r.Model_Version__c === champion);
    this.spinner.stop(messages.getMessage('spinner.history.done', [rows.length]));

    const weeks: WeekFigures[] = [];
    for (let w = 0; w < rules.consecutive_weeks; w++) {
      const ws = new Date(start.getTime() + w * WEEK_MS);
      const we = new Date(ws.getTime() + WEEK_MS);
      const perf = performanceByVersion(rows.filter((r) => r.Scored_At__c >= ws.toISOString() && r.Scored_At__c < we.toISOString()))[0];
      const counted = perf && perf.conversions >= flags['min-conversions'];
      weeks.push({ start: ws.toISOString(), end: we.toISOString(), leads: perf?.leads ?? 0, conversions: perf?.conversions ?? 0, topDecileLift: counted ? perf.topDecileLift : null });
    }
    const whole = performanceByVersion(rows)[0];

    const measuredWeeks = weeks.filter((w) => w.topDecileLift !== null);
    const allLow = measuredWeeks.length === weeks.length && measuredWeeks.every((w) => w.topDecileLift! < rules.min_top_decile_lift);
    const criteria: Criterion[] = [
      {
        criterion: `top-decile lift below ${rules.min_top_decile_lift} for ${rules.consecutive_weeks} consecutive weeks`,
        actual: measuredWeeks.length ? Math.max(...measuredWeeks.map((w) => w.topDecileLift!)) : null,
        threshold: rules.min_top_decile_lift,
        breached: allLow,
        ...(measuredWeeks.length < weeks.length ? { note: `${weeks.length - measuredWeeks.length} week(s) with fewer than ${flags['min-conversions']} conversions` } : {}),
      },
      { criterion: `AUC below ${rules.min_auc}`, actual: whole?.auc ?? null, threshold: rules.min_auc, breached: whole?.auc != null && whole.auc < rules.min_auc },
      {
        criterion: `top-decile conversion below ${rules.min_top_decile_conversion}`,
        actual: whole?.topDecileConversion ?? null,
        threshold: rules.min_top_decile_conversion,
        breached: whole?.topDecileConversion != null && whole.topDecileConversion < rules.min_top_decile_conversion,
      },
    ];
    const breached = criteria.some((c) => c.breached);

    if (breached) process.exitCode = 1;
    const result: MonitorResult = { org, model: flags.name, champion, window: { start: start.toISOString(), end: end.toISOString() }, weeks, criteria, breached };
    new MonitorFormatter(result).display(this);
    return result;
  }
}
