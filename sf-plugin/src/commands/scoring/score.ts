import path from 'node:path';
import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { BulkScoreFormatter } from '../../formatters/bulk-score.js';
import { bulkScore, type BulkScoreResult } from '../../lib/bulk/bulk-score.js';
import { inProcessScorer, serviceScorer } from '../../lib/bulk/scorers.js';
import { orgModelFlags, serviceUrlFlag } from '../../lib/flags.js';
import { identifyOrg } from '../../lib/org/identity.js';
import { ServiceClient } from '../../lib/service/client.js';
import { toSfError } from '../../lib/errors.js';
import { resolveModelsDir } from '../../lib/workspace.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.score');

export type ScoreResult = BulkScoreResult;

export default class Score extends SfCommand<ScoreResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    ...orgModelFlags,
    version: Flags.string({ summary: messages.getMessage('flags.version.summary') }),
    where: Flags.string({ summary: messages.getMessage('flags.where.summary') }),
    explain: Flags.integer({ summary: messages.getMessage('flags.explain.summary'), default: 5, min: 0, max: 50 }),
    'dry-run': Flags.boolean({ summary: messages.getMessage('flags.dry-run.summary'), default: false }),
    resume: Flags.boolean({ summary: messages.getMessage('flags.resume.summary'), default: false }),
    history: Flags.boolean({
      summary: messages.getMessage('flags.history.summary'),
      description: messages.getMessage('flags.history.description'),
      default: true,
      allowNo: true,
    }),
    'page-size': Flags.integer({
      summary: messages.getMessage('flags.page-size.summary'),
      default: 10_000,
      min: 1,
      max: 200_000,
    }),
    'state-dir': Flags.directory({ summary: messages.getMessage('flags.state-dir.summary') }),
    'service-url': serviceUrlFlag,
  };

  protected catch(error: Error): Promise<never> {
    return super.catch(toSfError(error) as Error);
  }

  public async run(): Promise<ScoreResult> {
    const { flags } = await this.parse(Score);
    const modelsDir = resolveModelsDir(flags['models-dir']);
    const conn = flags['target-org'].getConnection(flags['api-version']);
    const org = await identifyOrg(flags['target-org']);
    const serviceUrl = flags['service-url']?.toString();
    const result = await bulkScore(this, {
      conn,
      org,
      modelsDir,
      model: flags.name,
      version: flags.version,
      where: flags.where,
      explainTop: flags.explain,
      history: flags.history,
      dryRun: flags['dry-run'],
      resume: flags.resume,
      stateRoot: path.resolve(flags['state-dir'] ?? path.join('.sf', 'scoring-bulk')),
      pageSize: flags['page-size'],
      serviceUrl,
      scorer: async (pkg, options) =>
        serviceUrl
          ? serviceScorer(
              pkg.name,
              pkg.version,
              new ServiceClient({ baseUrl: serviceUrl, apiKey: process.env.SCORING_API_KEY }),
              options,
            )
          : inProcessScorer(pkg, options),
    });
    if (!result.complete || result.failed > 0 || result.unprocessed > 0 || result.historyFailed > 0) process.exitCode = 1;
    new BulkScoreFormatter(result).display(this);
    return result;
  }
}
