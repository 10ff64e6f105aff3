import path from 'node:path';
import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { BulkScoreFormatter } from '../../formatters/bulk-score.js';
import { bulkScore, type BulkScoreResult } from '../../lib/bulk/bulk-score.js';
import { inProcessScorer, serviceScorer } from '../../lib/bulk/scorers.js';
import { modelsDirFlag, nameFlag, serviceUrlFlag } from '../../lib/flags.js';
import { scoreLeadsFile, type FileScoreResult } from '../../lib/warehouse/score-file.js';
import { identifyOrg } from '../../lib/org/identity.js';
import { ServiceClient } from '../../lib/service/client.js';
import { toSfError } from '../../lib/errors.js';
import { resolveModelsDir } from '../../lib/workspace.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.score');

/** An org run (Bulk API), or with --from a leads file scored into a scores file. */
export type ScoreResult = BulkScoreResult | FileScoreResult;

/** The org-mode flags --from excludes. */
const ORG_ONLY = ['target-org', 'where', 'resume', 'dry-run', 'page-size', 'state-dir', 'service-url'];

export default class Score extends SfCommand<ScoreResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    // Optional: --from needs no org. Without --from, run() requires it as requiredOrg would.
    'target-org': Flags.optionalOrg(),
    'api-version': Flags.orgApiVersion(),
    'models-dir': modelsDirFlag,
    name: nameFlag,
    version: Flags.string({ summary: messages.getMessage('flags.version.summary') }),
    from: Flags.file({ summary: messages.getMessage('flags.from.summary'), exists: true, exclusive: ORG_ONLY }),
    out: Flags.string({ summary: messages.getMessage('flags.out.summary'), dependsOn: ['from'] }),
    'id-column': Flags.string({ summary: messages.getMessage('flags.id-column.summary'), dependsOn: ['from'] }),
    'scoring-date': Flags.string({ summary: messages.getMessage('flags.scoring-date.summary'), dependsOn: ['from'] }),
    where: Flags.string({ summary: messages.getMessage('flags.where.summary') }),
    // No default: an org run stores 5 reasons unless told otherwise, a --from run none unless asked (run() decides).
    // eslint-disable-next-line sf-plugin/flag-min-max-default
    explain: Flags.integer({ summary: messages.getMessage('flags.explain.summary'), min: 0, max: 50 }),
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
    if (flags.from) {
      if (!flags.out) throw messages.createError('error.noOut');
      const result = await scoreLeadsFile({
        modelsDir,
        model: flags.name,
        version: flags.version,
        from: flags.from,
        out: flags.out,
        idColumn: flags['id-column'],
        scoringDate: flags['scoring-date'],
        explainTop: flags.explain ?? 0,
      });
      const tiers = Object.entries(result.tiers).map(([tier, n]) => `${tier} ${n}`).join(', ');
      this.log(messages.getMessage('info.fileSummary', [result.model, result.version, result.scored, result.out, tiers || 'none']));
      if (result.explainTop === 0) this.log(messages.getMessage('info.fileNoReasons'));
      return result;
    }
    const target = flags['target-org'];
    if (!target) throw messages.createError('error.noOrg');
    const conn = target.getConnection(flags['api-version']);
    const org = await identifyOrg(target);
    const serviceUrl = flags['service-url']?.toString();
    const result = await bulkScore(this, {
      conn,
      org,
      modelsDir,
      model: flags.name,
      version: flags.version,
      where: flags.where,
      explainTop: flags.explain ?? 5,
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
