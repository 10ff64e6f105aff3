import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { VerifyFormatter } from '../../formatters/verify.js';
import { toSfError } from '../../lib/errors.js';
import { packageVersionFlags } from '../../lib/flags.js';
import { verifyWarehouseScores, type WarehouseVerification } from '../../lib/warehouse/verify.js';
import { resolveModelsDir } from '../../lib/workspace.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.verify');

export type VerifyResult = WarehouseVerification;

/** A flag's text as a number of at least 0, or a refusal naming the flag. */
function nonNegative(flag: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !(n >= 0)) throw messages.createError('error.invalidNumber', [flag, text]);
  return n;
}

export default class Verify extends SfCommand<VerifyResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    ...packageVersionFlags,
    version: Flags.string({ summary: messages.getMessage('flags.version.summary'), required: true }),
    inputs: Flags.file({
      summary: messages.getMessage('flags.inputs.summary'),
      required: true,
      exists: true,
      multiple: true,
    }),
    scores: Flags.file({
      summary: messages.getMessage('flags.scores.summary'),
      required: true,
      exists: true,
      multiple: true,
    }),
    tolerance: Flags.string({ summary: messages.getMessage('flags.tolerance.summary'), default: '1e-6' }),
    'max-psi': Flags.string({ summary: messages.getMessage('flags.max-psi.summary'), default: '0.1' }),
    'id-column': Flags.string({ summary: messages.getMessage('flags.id-column.summary'), default: 'lead_id' }),
    'score-column': Flags.string({ summary: messages.getMessage('flags.score-column.summary'), default: 'score' }),
    'decile-column': Flags.string({ summary: messages.getMessage('flags.decile-column.summary'), default: 'decile' }),
    'tier-column': Flags.string({ summary: messages.getMessage('flags.tier-column.summary'), default: 'tier' }),
    'as-of': Flags.string({ summary: messages.getMessage('flags.as-of.summary') }),
    show: Flags.integer({ summary: messages.getMessage('flags.show.summary'), default: 20, min: 1, max: 1000 }),
  };

  /** Refusals in sf's shape (PascalCase ...Error names, "Try this:" actions): lib/errors.ts. */
  protected catch(error: Error): Promise<never> {
    return super.catch(toSfError(error) as Error);
  }

  public async run(): Promise<VerifyResult> {
    const { flags } = await this.parse(Verify);
    const tolerance = nonNegative('tolerance', flags.tolerance);
    const maxPsi = nonNegative('max-psi', flags['max-psi']);
    const asOf = flags['as-of'] ?? new Date().toISOString().slice(0, 10);
    // A real calendar day: Date reads 2026-02-30 as March 2nd, so the day must print back as written.
    if (
      !/^\d{4}-\d{2}-\d{2}$/.test(asOf) ||
      Number.isNaN(Date.parse(asOf)) ||
      new Date(asOf).toISOString().slice(0, 10) !== asOf
    )
      throw messages.createError('error.invalidDate', [asOf]);

    this.spinner.start(messages.getMessage('spinner.verifying', [flags.name, flags.version]));
    const result = await verifyWarehouseScores({
      modelsDir: resolveModelsDir(flags['models-dir']),
      model: flags.name,
      version: flags.version,
      inputs: flags.inputs,
      scores: flags.scores,
      tolerance,
      maxPsi,
      idColumn: flags['id-column'],
      scoreColumn: flags['score-column'],
      decileColumn: flags['decile-column'],
      tierColumn: flags['tier-column'],
      asOf,
      show: flags.show,
    }).finally(() => this.spinner.stop());
    if (result.absentInputs.length)
      this.warn(messages.getMessage('warn.absentInputs', [result.absentInputs.join(', ')]));
    if (!result.passed) process.exitCode = 1;
    new VerifyFormatter(result).display(this);
    return result;
  }
}
