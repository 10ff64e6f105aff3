/** `model validate` and `org validate` for humans: one row per check (and per gate), pass or FAIL. */
import { Messages } from '@salesforce/core';
import type { OrgValidateResult } from '../commands/scoring/org/validate.js';
import { orgLabel } from '../lib/org/identity.js';
import type { VersionValidation } from '../lib/package/validation.js';
import type { CommandOutput, Formatter } from './formatter.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const modelMessages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.model.validate');
const orgMessages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.org.validate');

const mark = (pass: boolean | null): string => (pass === null ? '-' : pass ? 'pass' : 'FAIL');

export class VersionValidationFormatter implements Formatter {
  public constructor(private readonly validation: VersionValidation) {}

  public display(out: CommandOutput): void {
    const v = this.validation;
    out.log(modelMessages.getMessage('info.header', [v.name, v.version, modelMessages.getMessage(v.passed ? 'info.passed' : 'info.failed')]));
    out.table({ data: v.checks.map((c) => ({ check: c.check, result: mark(c.pass), detail: c.detail })) });
    if (v.gates.length > 0) {
      out.table({
        data: v.gates.map((g) => ({
          gate: g.gate,
          result: mark(g.pass),
          actual: g.actual ?? '',
          required: g.threshold === null ? '' : `${g.comparison} ${g.threshold}`,
          note: g.note ?? '',
        })),
      });
    }
  }
}

export class OrgValidationFormatter implements Formatter {
  public constructor(private readonly result: OrgValidateResult) {}

  public display(out: CommandOutput): void {
    const r = this.result;
    out.log(orgMessages.getMessage('info.result', [r.model, r.version, orgLabel(r.org), r.passed ? 'PASSED' : 'FAILED']));
    out.table({ data: r.checks.map((c) => ({ check: c.check, result: c.pass ? 'pass' : 'FAIL', detail: c.detail })) });
    if (r.mismatches.length) out.table({ data: r.mismatches.slice(0, 20) });
  }
}
