import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { packageVersionFlags } from '../../../lib/flags.js';
import path from 'node:path';
import {
  appendLedger,
  loadPackage,
  POST_DEPLOYMENT_ROLES,
  PRE_DEPLOYMENT_ROLES,
  readLedger,
  readRegistry,
  requireVersion,
  signoffRoles,
} from '../../../lib/library.js';
import { checkSignoff, openSignoffs } from '../../../lib/package/signoff.js';
import { currentActor, resolveModelsDir } from '../../../lib/workspace.js';
import { toSfError } from '../../../lib/errors.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.model.signoff');

export type ModelSignoffResult = {
  model: string;
  version: string;
  sha256: string;
  role: string;
  actor: string;
  withdrawn: boolean;
  signed: string[];
  missing: string[];
};

export default class ModelSignoff extends SfCommand<ModelSignoffResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    ...packageVersionFlags,
    role: Flags.option({
      summary: messages.getMessage('flags.role.summary'),
      description: messages.getMessage('flags.role.description'),
      options: [...PRE_DEPLOYMENT_ROLES, ...POST_DEPLOYMENT_ROLES] as const,
      required: true,
    })(),
    note: Flags.string({ summary: messages.getMessage('flags.note.summary') }),
    withdraw: Flags.boolean({ summary: messages.getMessage('flags.withdraw.summary') }),
  };

  /** Refusals in sf's shape (PascalCase ...Error names, "Try this:" actions): lib/errors.ts. */
  protected catch(error: Error): Promise<never> {
    return super.catch(toSfError(error) as Error);
  }

  public async run(): Promise<ModelSignoffResult> {
    const { flags } = await this.parse(ModelSignoff);
    const modelsDir = resolveModelsDir(flags['models-dir']);
    // Sign-offs bind to the verified artifact: a rebuilt model.onnx needs new ones.
    requireVersion(await readRegistry(modelsDir), flags.name, flags.version, path.join(modelsDir, 'registry.json'));
    const { manifest } = await loadPackage(modelsDir, flags.name, flags.version);
    const actor = currentActor();
    if (!flags.withdraw) checkSignoff(await readLedger(modelsDir), { model: flags.name, version: flags.version, manifest, role: flags.role, actor });
    await appendLedger(modelsDir, {
      action: 'signoff',
      model: flags.name,
      version: flags.version,
      sha256: manifest.sha256,
      role: flags.role,
      actor,
      result: flags.withdraw ? 'fail' : 'pass',
      ...(flags.note ? { reason: flags.note } : {}),
    });
    const ledger = await readLedger(modelsDir);
    const signed = [...signoffRoles(ledger, flags.name, flags.version, manifest.sha256)].sort();
    const missing = openSignoffs(ledger, flags.name, flags.version, manifest, new Set(signed));
    const none = messages.getMessage('info.none');
    this.log(
      messages.getMessage('info.recorded', [flags.name, flags.version, flags.role, flags.withdraw ? 'withdrawn' : 'recorded', signed.join(', ') || none, missing.join(', ') || none]),
    );
    return { model: flags.name, version: flags.version, sha256: manifest.sha256, role: flags.role, actor, withdrawn: Boolean(flags.withdraw), signed, missing };
  }
}
