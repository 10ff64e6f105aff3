import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { packageVersionFlags } from '../../../lib/flags.js';
import { DEFAULT_DATASET, DEFAULT_ID_COLUMN, DEFAULT_LEADS_TABLE, exportWarehouse, loadPackage } from '../../../lib/library.js';
import { toSfError } from '../../../lib/errors.js';
import { resolveModelsDir } from '../../../lib/workspace.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.model.export');

export type ModelExportResult = {
  name: string;
  version: string;
  target: 'bigquery' | 'duckdb';
  dir: string;
  /** The files written, by name. */
  files: string[];
  /** The feature columns, in model order, as the SQL (and the per-column ONNX inputs) name them. */
  columns: string[];
  tables: { features: string; scores: string; model?: string; snapshots: string[] };
  warnings: string[];
};

export default class ModelExport extends SfCommand<ModelExportResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    ...packageVersionFlags,
    target: Flags.option({ summary: messages.getMessage('flags.target.summary'), options: ['bigquery', 'duckdb'] as const, required: true })(),
    out: Flags.directory({ summary: messages.getMessage('flags.out.summary'), required: true }),
    dataset: Flags.string({ summary: messages.getMessage('flags.dataset.summary'), default: DEFAULT_DATASET }),
    'leads-table': Flags.string({ summary: messages.getMessage('flags.leads-table.summary'), default: DEFAULT_LEADS_TABLE }),
    'id-column': Flags.string({ summary: messages.getMessage('flags.id-column.summary'), default: DEFAULT_ID_COLUMN }),
    'model-uri': Flags.string({ summary: messages.getMessage('flags.model-uri.summary') }),
  };

  protected catch(error: Error): Promise<never> {
    return super.catch(toSfError(error) as Error);
  }

  public async run(): Promise<ModelExportResult> {
    const { flags } = await this.parse(ModelExport);
    const pkg = await loadPackage(resolveModelsDir(flags['models-dir']), flags.name, flags.version);
    const exported = exportWarehouse(pkg, {
      target: flags.target,
      dataset: flags.dataset,
      leadsTable: flags['leads-table'],
      idColumn: flags['id-column'],
      modelUri: flags['model-uri'],
    });
    const dir = path.resolve(flags.out);
    await fs.mkdir(dir, { recursive: true });
    for (const file of exported.files) await fs.writeFile(path.join(dir, file.name), file.content);
    const files = exported.files.map((f) => f.name);
    for (const w of exported.warnings) this.warn(w);
    this.log(messages.getMessage('info.written', [files.length, pkg.name, pkg.version, exported.columns.length, dir, files.join(', ')]));
    return { name: pkg.name, version: pkg.version, target: exported.target, dir, files, columns: exported.columns, tables: exported.tables, warnings: exported.warnings };
  }
}
