import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { MonitorFormatter } from '../../formatters/performance.js';
import { orgModelFlags } from '../../lib/flags.js';
import { loadPackage } from '../../lib/library.js';
import { readOrgConfig } from '../../lib/org/custom-metadata.js';
import { identifyOrg, orgLabel, type OrgIdentity } from '../../lib/org/identity.js';
import { readHistory } from '../../lib/org/score-history.js';
import { measureRollbackCriteria, WEEK_MS, type Criterion, type WeekFigures } from '../../lib/release/rollback-criteria.js';
import { resolveModelsDir } from '../../lib/workspace.js';
import { toSfError } from '../../lib/errors.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.monitor');

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

  /** Refusals in sf's shape (PascalCase ...Error names, "Try this:" actions): lib/errors.ts. */
  protected catch(error: Error): Promise<never> {
    return super.catch(toSfError(error) as Error);
  }

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

    const { weeks, criteria, breached } = measureRollbackCriteria(rows, rules, start, flags['min-conversions']);

    if (breached) process.exitCode = 1;
    const result: MonitorResult = { org, model: flags.name, champion, window: { start: start.toISOString(), end: end.toISOString() }, weeks, criteria, breached };
    new MonitorFormatter(result).display(this);
    return result;
  }
}
