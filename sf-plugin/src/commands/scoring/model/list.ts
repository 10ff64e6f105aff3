import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { ModelListFormatter } from '../../../formatters/model-list.js';
import { modelsDirFlag } from '../../../lib/flags.js';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { compareVersions, latestEntry, parseManifest, readLedger, readRegistry, requireModel, signoffRoles, type Manifest } from '../../../lib/library.js';
import { openSignoffs } from '../../../lib/package/signoff.js';
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
  /** Sign-offs still due: the pre-deployment roles, and once in production week-1 and week-2; null when the manifest cannot be read. */
  openSignoffs: string[] | null;
  deployments: { org: string; isSandbox: boolean; role: 'champion' | 'challenger'; canaryPercent?: number }[];
};

export type ModelListResult = { modelsDir: string; versions: ModelVersionRow[] };

/** The manifest's gates say which sign-offs are due; a version whose manifest is unreadable still lists. */
async function readManifest(file: string): Promise<Manifest | undefined> {
  try {
    return parseManifest(JSON.parse(await fs.readFile(file, 'utf8')), file);
  } catch {
    return undefined;
  }
}

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
    if (flags.name) requireModel(registry, flags.name, path.join(modelsDir, 'registry.json'));
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
        const signed = signoffRoles(ledger, name, version, entry.sha256);
        const manifest = await readManifest(path.join(modelsDir, entry.path, 'manifest.json'));
        versions.push({
          name,
          version,
          status: entry.status,
          aliases: (['champion', 'challenger'] as const).filter((a) => model.aliases[a] === version),
          sha256: entry.sha256,
          created: entry.created,
          ...(entry.statusReason ? { statusReason: entry.statusReason } : {}),
          ...(validation ? { lastValidation: { result: validation.result, ts: validation.ts } } : {}),
          signoffs: [...signed].sort(),
          openSignoffs: manifest ? openSignoffs(ledger, name, version, manifest, signed) : null,
          deployments,
        });
      }
    }

    const result: ModelListResult = { modelsDir, versions };
    new ModelListFormatter(result).display(this);
    return result;
  }
}
