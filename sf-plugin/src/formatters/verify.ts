/** `verify` for humans: one row per check, then the leads that did not match, named. */
import { Messages } from '@salesforce/core';
import type { VerifyResult } from '../commands/scoring/verify.js';
import type { CommandOutput, Formatter } from './formatter.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.verify');

export class VerifyFormatter implements Formatter {
  public constructor(private readonly result: VerifyResult) {}

  public display(out: CommandOutput): void {
    const r = this.result;
    out.log(
      messages.getMessage('info.result', [
        r.model,
        r.version,
        r.scores.files.map((f) => f.file).join(', '),
        r.passed ? 'PASSED' : 'FAILED',
      ]),
    );
    out.table({ data: r.checks.map((c) => ({ check: c.check, result: c.pass ? 'pass' : 'FAIL', detail: c.detail })) });
    if (r.outsideTolerance.count > 0) {
      out.log(messages.getMessage('info.outside', [r.outsideTolerance.leads.length, r.outsideTolerance.count]));
      out.table({
        data: r.outsideTolerance.leads.map((l) => ({
          id: l.id,
          local: l.local,
          warehouse: l.warehouse,
          diff: l.diff ?? 'not a number',
        })),
      });
    }
    if (r.presentation.differ.count > 0) {
      out.log(
        messages.getMessage('info.presentation', [r.presentation.differ.leads.length, r.presentation.differ.count]),
      );
      out.table({
        data: r.presentation.differ.leads.map((l) => ({
          id: l.id,
          'local decile': l.local.decile,
          'warehouse decile': l.warehouse.decile ?? '',
          'local tier': l.local.tier,
          'warehouse tier': l.warehouse.tier ?? '',
        })),
      });
    }
    if (r.missingInWarehouse.count > 0)
      out.log(
        messages.getMessage('info.missing', [
          r.missingInWarehouse.ids.length,
          r.missingInWarehouse.count,
          r.missingInWarehouse.ids.join(', '),
        ]),
      );
    if (r.notInInputs.count > 0)
      out.log(
        messages.getMessage('info.notInInputs', [
          r.notInInputs.ids.length,
          r.notInInputs.count,
          r.notInInputs.ids.join(', '),
        ]),
      );
  }
}
