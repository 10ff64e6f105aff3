import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { ModelListFormatter } from '../../../formatters/model-list.js';
import { modelsDirFlag } from '../../../lib/flags.js';
import { compareVersions, latestEntry, readLedger, readRegistry, signoffRoles } from '../../../lib/library.js';
import { replayOrgStates } from '../../../lib/release/org-state.js';
import { resolveModelsDir } from '../../../lib/workspace.js';
import { toSfError } from '../../../lib/errors.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.model.list');

export type ModelVersionRow = {
  name: string;
  version: string;
  status: string;
  aliases: string[];
  sha256: string;
  created: string;
  statusReason?: string;
  lastValidation?: { result: string; ts: string };
  signoffs: string[];
  deployments: { org: string; isSandbox: boolean; role: 'champion' | 'challenger'; canaryPercent?: number }[];
};

export type ModelListResult = { modelsDir: string; versions: ModelVersionRow[] };

export default class ModelList extends SfCommand<ModelListResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'models-dir': modelsDirFlag,
    name: Flags.string({ char: 'n', summary: messages.getMessage('flags.name.summary') }),
  };

  /** Refusals in sf's shape (PascalCase ...Error names, "Try this:" actions): lib/errors.ts. */
  protected catch(error: Error): Promise<never> {
    return super.catch(toSfError(error) as Error);
  }

  public async run(): Promise<ModelListResult> {
    const { flags } = await this.parse(ModelList);
    const modelsDir = resolveModelsDir(flags['models-dir']);
    const registry = await readRegistry(modelsDir, { allowMissing: true });
    const ledger = await readLedger(modelsDir);
    const orgStates = replayOrgStates(ledger);

    const versions: ModelVersionRow[] = [];
    for (const name of Object.keys(registry.models).sort()) {
      if (flags.name && flags.name !== name) continue;
      const model = registry.models[name];
      for (const version of Object.keys(model.versions).sort(compareVersions).reverse()) {
        const entry = model.versions[version];
        const validation = latestEntry(ledger, { action: 'validate', model: name, version });
        const deployments: ModelVersionRow['deployments'] = [];
        for (const s of orgStates.filter((o) => o.model === name)) {
          const org = s.username ?? s.orgId;
          if (s.champion === version) deployments.push({ org, isSandbox: s.isSandbox, role: 'champion' });
          if (s.challenger === version) deployments.push({ org, isSandbox: s.isSandbox, role: 'challenger', canaryPercent: s.canaryPercent });
        }
        versions.push({
          name,
          version,
          status: entry.status,
          aliases: (['champion', 'challenger'] as const).filter((a) => model.aliases[a] === version),
          sha256: entry.sha256,
          created: entry.created,
          ...(entry.statusReason ? { statusReason: entry.statusReason } : {}),
          ...(validation ? { lastValidation: { result: validation.result, ts: validation.ts } } : {}),
          signoffs: [...signoffRoles(ledger, name, version, entry.sha256)].sort(),
          deployments,
        });
      }
    }

    const result: ModelListResult = { modelsDir, versions };
    new ModelListFormatter(result).display(this);
    return result;
  }
}
