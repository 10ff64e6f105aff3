/** `model list` for humans: one row per version, with where it is deployed. */
import { Messages } from '@salesforce/core';
import type { ModelListResult } from '../commands/scoring/model/list.js';
import type { CommandOutput, Formatter } from './formatter.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.model.list');

export class ModelListFormatter implements Formatter {
  public constructor(private readonly result: ModelListResult) {}

  public display(out: CommandOutput): void {
    const { modelsDir, versions } = this.result;
    if (versions.length === 0) {
      out.log(messages.getMessage('info.empty', [modelsDir]));
      return;
    }
    out.table({
      data: versions.map((v) => ({
        model: v.name,
        version: v.version,
        status: v.status,
        alias: v.aliases.join(', '),
        validated: v.lastValidation ? `${v.lastValidation.result} ${v.lastValidation.ts.slice(0, 10)}` : '',
        'sign-offs': v.signoffs.join(', '),
        'still open': v.openSignoffs === null ? '?' : v.openSignoffs.join(', '),
        deployed: v.deployments.map((d) => `${d.org} ${d.role}${d.canaryPercent ? ` ${d.canaryPercent}%` : ''}`).join('; '),
        sha256: v.sha256.slice(0, 12),
      })),
    });
  }
}
