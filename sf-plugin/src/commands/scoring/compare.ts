import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { CompareFormatter } from '../../formatters/performance.js';
import { commonMessages, monitoringFlags, sinceFlag } from '../../lib/flags.js';
import { readOrgConfig } from '../../lib/org/custom-metadata.js';
import { identifyOrg, orgLabel, type OrgIdentity } from '../../lib/org/identity.js';
import { performanceByPeriod, performanceByVersion, readHistory, type PeriodPerformance, type VersionPerformance } from '../../lib/org/score-history.js';
import { compareActuals, type ActualsComparison } from '../../lib/release/actuals-report.js';
import { countModelTask } from '../../lib/release/model-task.js';
import { judgeChallenger, type CompareVerdict } from '../../lib/release/verdict.js';
import { resolveModelsDir } from '../../lib/workspace.js';
import { toSfError } from '../../lib/errors.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.compare');

/** Lead models: the parallel run in the org's score history. */
export type LeadCompareResult = {
  kind: 'leads';
  org: OrgIdentity;
  model: string;
  since: string;
  champion: string | null;
  challenger: string | null;
  versions: VersionPerformance[];
  /** With --period: the same figures for the scores of each day, ISO week or month. */
  periods?: PeriodPerformance[];
  verdict: CompareVerdict;
  reasons: string[];
};

/** Lead models (kind "leads", from the org) or count models (kind "actuals", from --actuals). */
export type CompareResult = LeadCompareResult | ActualsComparison;

export default class Compare extends SfCommand<CompareResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    ...monitoringFlags,
    since: sinceFlag,
    'min-conversions': Flags.integer({ summary: messages.getMessage('flags.min-conversions.summary'), default: 10, min: 1 }),
  };

  /** Refusals in sf's shape (PascalCase ...Error names, "Try this:" actions): lib/errors.ts. */
  protected catch(error: Error): Promise<never> {
    return super.catch(toSfError(error) as Error);
  }

  public async run(): Promise<CompareResult> {
    const { flags } = await this.parse(Compare);
    const modelsDir = resolveModelsDir(flags['models-dir']);
    if (flags.actuals) {
      this.spinner.start(messages.getMessage('spinner.actuals'));
      const counted = await compareActuals({ modelsDir, model: flags.name, file: flags.actuals, period: flags.period });
      this.spinner.stop(messages.getMessage('spinner.actuals.done', [counted.cycles.reduce((n, c) => n + c.rows, 0), counted.completeCycles]));
      new CompareFormatter(counted).display(this);
      return counted;
    }
    const task = await countModelTask(modelsDir, flags.name);
    if (task) throw commonMessages.createError('error.countNeedsActuals', [flags.name, task]);
    if (!flags['target-org']) throw commonMessages.createError('error.noOrg', [flags.name]);
    const conn = flags['target-org'].getConnection(flags['api-version']);
    const since = flags.since;
    const org = await identifyOrg(flags['target-org']);
    const config = await readOrgConfig(conn, flags.name);

    this.spinner.start(messages.getMessage('spinner.history'));
    const rows = await readHistory(conn, flags.name, since);
    const versions = performanceByVersion(rows);
    this.spinner.stop(messages.getMessage('spinner.history.done', [versions.reduce((n, v) => n + v.leads, 0)]));
    if (versions.length === 0) this.log(messages.getMessage('info.noHistory', [flags.name, orgLabel(org), since.toISOString()]));

    const champion = config?.championVersion ?? versions.find((v) => v.role === 'champion')?.version ?? null;
    const challenger = config?.challengerVersion ?? versions.find((v) => v.role === 'challenger')?.version ?? null;
    const { verdict, reasons } = await judgeChallenger(modelsDir, flags.name, versions, champion, challenger, flags['min-conversions']);

    const result: LeadCompareResult = {
      kind: 'leads',
      org,
      model: flags.name,
      since: since.toISOString(),
      champion,
      challenger,
      versions,
      ...(flags.period ? { periods: performanceByPeriod(rows, flags.period) } : {}),
      verdict,
      reasons,
    };
    new CompareFormatter(result).display(this);
    return result;
  }
}
