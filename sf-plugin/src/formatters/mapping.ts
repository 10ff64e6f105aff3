/** `mapping deploy` for humans: the checked fields as a table (with the problems, when refused). */
import { Messages } from '@salesforce/core';
import type { MappingDeployResult } from '../commands/scoring/mapping/deploy.js';
import type { FieldCheck } from '../lib/org/field-check.js';
import { orgLabel } from '../lib/org/identity.js';
import type { CommandOutput, Formatter } from './formatter.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.mapping.deploy');

export const displayRefusedFields = (out: CommandOutput, fields: FieldCheck[]): void =>
  out.table({ data: fields.map((f) => ({ input: f.input, type: f.inputType, field: f.field, 'field type': f.fieldType ?? '', problem: f.problem ?? '' })) });

export class MappingDeployFormatter implements Formatter {
  public constructor(private readonly result: MappingDeployResult) {}

  public display(out: CommandOutput): void {
    const r = this.result;
    out.table({ data: r.fields.map((f) => ({ input: f.input, type: f.inputType, field: f.field, 'field type': f.fieldType ?? '' })) });
    out.log(messages.getMessage('info.deployed', [r.fields.length, r.model, orgLabel(r.org), r.deployId, Object.values(r.signatures)[0].slice(0, 12)]));
  }
}
