import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { readOrgConfig } from '../../lib/org/custom-metadata.js';
import { CompareFormatter } from '../../formatters/performance.js';
import { orgModelFlags, sinceFlag } from '../../lib/flags.js';
import { loadPackage } from '../../lib/library.js';
import { identifyOrg, orgLabel, type OrgIdentity } from '../../lib/org/identity.js';
import { performanceByVersion, readHistory, type VersionPerformance } from '../../lib/org/score-history.js';
import { resolveModelsDir } from '../../lib/workspace.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.compare');

export type CompareVerdict = 'promote-challenger' | 'keep-champion' | 'insufficient-data';

export type CompareResult = {
  org: OrgIdentity;
  model: string;
  since: string;
  champion: string | null;
  challenger: string | null;
  versions: VersionPerformance[];
  verdict: CompareVerdict;
  reasons: string[];
};

export default class Compare extends SfCommand<CompareResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    ...orgModelFlags,
    since: sinceFlag,
    'min-conversions': Flags.integer({ summary: messages.getMessage('flags.min-conversions.summary'), default: 10, min: 1 }),
  };

  public async run(): Promise<CompareResult> {
    const { flags } = await this.parse(Compare);
    const modelsDir = resolveModelsDir(flags['models-dir']);
    const conn = flags['target-org'].getConnection(flags['api-version']);
    const since = flags.since;
    const org = await identifyOrg(flags['target-org']);
    const config = await readOrgConfig(conn, flags.name);

    this.spinner.start(messages.getMessage('spinner.history'));
    const versions = performanceByVersion(await readHistory(conn, flags.name, since));
    this.spinner.stop(messages.getMessage('spinner.history.done', [versions.reduce((n, v) => n + v.leads, 0)]));
    if (versions.length === 0) this.log(messages.getMessage('info.noHistory', [flags.name, orgLabel(org), since.toISOString()]));

    const champion = config?.championVersion ?? versions.find((v) => v.role === 'champion')?.version ?? null;
    const challenger = config?.challengerVersion ?? versions.find((v) => v.role === 'challenger')?.version ?? null;
    const { verdict, reasons } = await this.judge(modelsDir, flags.name, versions, champion, challenger, flags['min-conversions']);

    const result: CompareResult = { org, model: flags.name, since: since.toISOString(), champion, challenger, versions, verdict, reasons };
    new CompareFormatter(result).display(this);
    return result;
  }

  private async judge(
    modelsDir: string,
    model: string,
    versions: VersionPerformance[],
    champion: string | null,
    challenger: string | null,
    minConversions: number,
  ): Promise<{ verdict: CompareVerdict; reasons: string[] }> {
    const champ = versions.find((v) => v.version === champion);
    const chall = versions.find((v) => v.version === challenger);
    if (!champ || !chall) return { verdict: 'insufficient-data', reasons: [`no parallel scores for ${!champ ? `champion ${champion ?? '(none)'}` : `challenger ${challenger ?? '(none)'}`}`] };
    const thin = [champ, chall].filter((v) => v.conversions < minConversions || v.auc === null);
    if (thin.length) return { verdict: 'insufficient-data', reasons: thin.map((v) => `${v.version} has ${v.conversions} conversions (need ${minConversions})`) };
    const gates = (await loadPackage(modelsDir, model, chall.version)).manifest.gates.promotion;
    const reasons: string[] = [];
    const aucOk = chall.auc! > champ.auc! + gates.min_auc_gain_over_champion;
    reasons.push(`AUC ${chall.auc} vs champion ${champ.auc} (${aucOk ? 'better' : 'not better'})`);
    const liftOk = (chall.topDecileLift ?? 0) >= gates.min_top_decile_lift;
    reasons.push(`top-decile lift ${chall.topDecileLift} (needs >= ${gates.min_top_decile_lift})`);
    return { verdict: aucOk && liftOk ? 'promote-challenger' : 'keep-champion', reasons };
  }
}
