/** `score` for humans: the run's counts, and where the failures are. */
import { Messages } from '@salesforce/core';
import type { BulkScoreResult } from '../lib/bulk/bulk-score.js';
import type { CommandOutput, Formatter } from './formatter.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.score');

export class BulkScoreFormatter implements Formatter {
  public constructor(private readonly result: BulkScoreResult) {}

  public display(out: CommandOutput): void {
    const r = this.result;
    out.log(
      messages.getMessage('info.summary', [
        r.model,
        r.version,
        r.read,
        r.scored,
        r.written,
        r.keptNewer,
        r.failed,
        r.unprocessed,
        (r.durationMs / 1000).toFixed(1),
        r.leadsPerSecond,
      ]),
    );
    if (r.historyWritten > 0 || r.historyFailed > 0) out.log(messages.getMessage('info.history', [r.historyWritten, r.historyFailed]));
    if (r.dryRun) out.log(messages.getMessage('info.dryRun'));
    if (r.stoppedBy) out.log(messages.getMessage('info.stopped', [r.stoppedBy]));
    if (r.failuresFile) out.log(messages.getMessage('info.failures', [r.failed + r.unprocessed + r.historyFailed, r.failuresFile]));
  }
}
