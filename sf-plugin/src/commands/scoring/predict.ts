import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { modelsDirFlag, nameFlag } from '../../lib/flags.js';
import { predictCsv, type PredictCsvResult } from '../../lib/bulk/predict-csv.js';
import { toSfError } from '../../lib/errors.js';
import { resolveModelsDir } from '../../lib/workspace.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.predict');

export type PredictResult = PredictCsvResult;

export default class Predict extends SfCommand<PredictResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'models-dir': modelsDirFlag,
    name: nameFlag,
    version: Flags.string({ summary: messages.getMessage('flags.version.summary') }),
    from: Flags.file({ summary: messages.getMessage('flags.from.summary'), required: true, exists: true }),
    out: Flags.string({ summary: messages.getMessage('flags.out.summary'), required: true }),
    'as-of': Flags.string({ summary: messages.getMessage('flags.as-of.summary') }),
  };

  protected catch(error: Error): Promise<never> {
    return super.catch(toSfError(error) as Error);
  }

  public async run(): Promise<PredictResult> {
    const { flags } = await this.parse(Predict);
    const result = await predictCsv({
      modelsDir: resolveModelsDir(flags['models-dir']),
      model: flags.name,
      version: flags.version,
      from: flags.from,
      out: flags.out,
      asOf: flags['as-of'],
    });
    this.log(
      messages.getMessage('info.written', [
        result.rows,
        result.model,
        result.version,
        result.products,
        result.totalQty.toFixed(1),
        result.out,
      ]),
    );
    return result;
  }
}
