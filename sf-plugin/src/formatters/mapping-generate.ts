/** `mapping generate` for humans: each input's field and what was done about it, the files, the next commands. */
import path from 'node:path';
import { Messages } from '@salesforce/core';
import type { MappingGenerateResult } from '../commands/scoring/mapping/generate.js';
import type { CommandOutput, Formatter } from './formatter.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.mapping.generate');

export class MappingGenerateFormatter implements Formatter {
  public constructor(
    private readonly result: MappingGenerateResult,
    private readonly cwd: string,
  ) {}

  public display(out: CommandOutput): void {
    const r = this.result;
    out.table({
      data: r.fields.map((f) => ({
        input: f.input,
        type: f.inputType,
        field: f.field,
        'new field type': f.fieldType ?? '',
        status: f.status,
        note: f.note ?? '',
      })),
    });
    const undecided = r.fields.filter(
      (f) => f.status === 'mistyped' || f.status === 'not-creatable' || f.status === 'in-source',
    );
    if (undecided.length)
      out.warn(
        messages.getMessage('warning.notGenerated', [
          undecided.length,
          undecided.map((f) => `- ${f.input} -> ${f.field}: ${f.note ?? f.status}`).join('\n'),
        ]),
      );
    if (r.files.length === 0) {
      out.log(messages.getMessage('info.nothing'));
      return;
    }
    const relative = (f: string): string => path.relative(this.cwd, f) || '.';
    out.log(
      messages.getMessage(r.dryRun ? 'info.dryRun' : 'info.wrote', [
        r.files.length,
        r.files.map((f) => `  ${relative(f)}`).join('\n'),
      ]),
    );
    // Only the written source, never all of force-app: that would reset force-app/install's records (docs/salesforce.md).
    const sources = [
      ...new Set(
        r.files.filter((f) => f !== r.mappingFile).map((f) => (f.endsWith('.field-meta.xml') ? path.dirname(f) : f)),
      ),
    ];
    const deploy = sources.map((s) => ` --source-dir ${relative(s)}`).join('');
    out.log(
      messages.getMessage('info.next', [
        deploy,
        r.model,
        r.version,
        r.mappingFile ? ` --mapping ${relative(r.mappingFile)}` : '',
      ]),
    );
  }
}
