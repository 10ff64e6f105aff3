import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { packageVersionFlags } from '../../../lib/flags.js';
import { importXgboostFile } from '../../../lib/library.js';
import { currentActor, resolveModelsDir } from '../../../lib/workspace.js';
import { toSfError } from '../../../lib/errors.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.model.import');

export type ModelImportResult = {
  name: string;
  version: string;
  dir: string;
  outcome: 'created' | 'unchanged' | 'replaced';
  /** True when --dry-run: nothing was written, `files` is what would be. */
  dryRun: boolean;
  files: { path: string; bytes: number; sha256: string }[];
  replaced?: { sha256: string; signature: string };
  status: string;
  sha256: string;
  signature: string;
  task: string;
  columns: number;
  warnings: string[];
};

export default class ModelImport extends SfCommand<ModelImportResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    ...packageVersionFlags,
    xgboost: Flags.file({ summary: messages.getMessage('flags.xgboost.summary'), required: true, exists: true }),
    metadata: Flags.file({ summary: messages.getMessage('flags.metadata.summary'), exists: true }),
    replace: Flags.boolean({ summary: messages.getMessage('flags.replace.summary'), description: messages.getMessage('flags.replace.description') }),
    'dry-run': Flags.boolean({ summary: messages.getMessage('flags.dry-run.summary') }),
  };

  /** Refusals in sf's shape (PascalCase ...Error names, "Try this:" actions): lib/errors.ts. */
  protected catch(error: Error): Promise<never> {
    return super.catch(toSfError(error) as Error);
  }

  public async run(): Promise<ModelImportResult> {
    const { flags } = await this.parse(ModelImport);
    const modelsDir = resolveModelsDir(flags['models-dir']);
    this.spinner.start(messages.getMessage('spinner.importing', [flags.xgboost]));
    let written;
    try {
      written = await importXgboostFile({
        xgboostFile: flags.xgboost,
        metadataFile: flags.metadata,
        name: flags.name,
        version: flags.version,
        modelsDir,
        actor: currentActor(),
        replace: flags.replace,
        dryRun: flags['dry-run'],
      });
    } catch (err) {
      // The importer's message says which file and why; catch() below names it by its code.
      this.spinner.stop(messages.getMessage('spinner.refused'));
      throw err;
    }
    this.spinner.stop(written.outcome);
    for (const w of written.warnings) this.warn(w);
    const m = written.manifest;
    if (written.dryRun) {
      this.log(messages.getMessage('info.dryRun', [flags.name, flags.version, written.outcome, written.dir]));
      for (const f of written.files) this.log(messages.getMessage('info.wouldWrite', [f.path, f.bytes, f.sha256.slice(0, 12)]));
    } else {
      this.log(messages.getMessage('info.imported', [flags.name, flags.version, written.outcome, written.dir, m.sha256.slice(0, 12), m.model.columns, written.status]));
      this.log(messages.getMessage('info.next', [flags.name, flags.version]));
    }
    return {
      name: flags.name,
      version: flags.version,
      dir: written.dir,
      outcome: written.outcome,
      status: written.status,
      sha256: m.sha256,
      signature: m.signature,
      task: m.task,
      columns: m.model.columns,
      warnings: written.warnings,
      dryRun: written.dryRun,
      files: written.files,
      ...(written.replaced ? { replaced: written.replaced } : {}),
    };
  }
}
