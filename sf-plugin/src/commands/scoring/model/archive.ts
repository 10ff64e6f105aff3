import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { packageVersionFlags } from '../../../lib/flags.js';
import { appendLedger, orgsThatReceived, PackageError, readLedger, readRegistry, removeVersion, requireVersion, setStatus } from '../../../lib/library.js';
import { replayOrgStates } from '../../../lib/release/org-state.js';
import { currentActor, resolveModelsDir } from '../../../lib/workspace.js';
import { toSfError } from '../../../lib/errors.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.model.archive');

export type ModelArchiveResult = {
  name: string;
  version: string;
  /** archived: kept on disk and in the registry, no longer served; removed: package and registry entry deleted. */
  outcome: 'archived' | 'removed';
  previousStatus: string;
  dir: string;
};

export default class ModelArchive extends SfCommand<ModelArchiveResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    ...packageVersionFlags,
    remove: Flags.boolean({ summary: messages.getMessage('flags.remove.summary') }),
    reason: Flags.string({ summary: messages.getMessage('flags.reason.summary') }),
  };

  protected catch(error: Error): Promise<never> {
    return super.catch(toSfError(error) as Error);
  }

  public async run(): Promise<ModelArchiveResult> {
    const { flags } = await this.parse(ModelArchive);
    const modelsDir = resolveModelsDir(flags['models-dir']);
    const { name, version } = flags;
    const entry = requireVersion(await readRegistry(modelsDir), name, version, path.join(modelsDir, 'registry.json'));
    const ledger = await readLedger(modelsDir);
    const dir = path.resolve(modelsDir, entry.path);

    // An org still scoring with it would lose its champion or challenger on the next reload.
    const users = replayOrgStates(ledger).filter((s) => s.model === name && (s.champion === version || s.challenger === version));
    if (users.length > 0) {
      const where = users.map((s) => `${s.username ?? s.orgId} (${s.champion === version ? 'champion' : 'challenger'})`).join(', ');
      throw new PackageError('version-in-use', messages.getMessage('error.inUse', [name, version, where]), {
        actions: [messages.getMessage('action.moveOff', [name])],
      });
    }

    if (flags.remove) {
      const received = orgsThatReceived(ledger, name, version);
      if (entry.status !== 'candidate' || received.length > 0) {
        const why = received.length > 0 ? messages.getMessage('error.received', [received.map((o) => o.username ?? o.orgId).join(', ')]) : entry.status;
        throw new PackageError('version-deployed', messages.getMessage('error.notRemovable', [name, version, why]), {
          actions: [messages.getMessage('action.archiveInstead', [name, version])],
        });
      }
      await removeVersion(modelsDir, name, version);
      await fs.rm(dir, { recursive: true, force: true });
      await appendLedger(modelsDir, {
        action: 'remove',
        model: name,
        version,
        sha256: entry.sha256,
        actor: currentActor(),
        result: 'ok',
        ...(flags.reason ? { reason: flags.reason } : {}),
        details: { previousStatus: entry.status, signature: entry.signature },
      });
      this.log(messages.getMessage('info.removed', [name, version, dir]));
      return { name, version, outcome: 'removed', previousStatus: entry.status, dir };
    }

    const reason = flags.reason ?? messages.getMessage('info.defaultReason');
    await setStatus(modelsDir, name, version, 'archived', reason);
    await appendLedger(modelsDir, {
      action: 'status',
      model: name,
      version,
      sha256: entry.sha256,
      actor: currentActor(),
      result: 'ok',
      reason,
      details: { status: 'archived', previousStatus: entry.status },
    });
    this.log(messages.getMessage('info.archived', [name, version]));
    return { name, version, outcome: 'archived', previousStatus: entry.status, dir };
  }
}
