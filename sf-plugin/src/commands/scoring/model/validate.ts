import { Messages } from '@salesforce/core';
import { scoringError } from '../../../lib/errors.js';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { VersionValidationFormatter } from '../../../formatters/validation.js';
import { modelsDirFlag } from '../../../lib/flags.js';
import path from 'node:path';
import { appendLedger, compareVersions, readRegistry, requireModel, requireVersion } from '../../../lib/library.js';
import { validateVersion, type VersionValidation } from '../../../lib/package/validation.js';
import { currentActor, resolveModelsDir } from '../../../lib/workspace.js';
import { toSfError } from '../../../lib/errors.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.model.validate');

const registryFileOf = (modelsDir: string): string => path.join(modelsDir, 'registry.json');

export type ModelValidateResult = { modelsDir: string; passed: boolean; versions: VersionValidation[] };

export default class ModelValidate extends SfCommand<ModelValidateResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'models-dir': modelsDirFlag,
    name: Flags.string({ char: 'n', summary: messages.getMessage('flags.name.summary') }),
    version: Flags.string({ summary: messages.getMessage('flags.version.summary'), dependsOn: ['name'] }),
    golden: Flags.file({ summary: messages.getMessage('flags.golden.summary'), exists: true, dependsOn: ['version'] }),
    tolerance: Flags.string({ summary: messages.getMessage('flags.tolerance.summary'), default: '1e-6' }),
    'require-golden': Flags.boolean({ summary: messages.getMessage('flags.require-golden.summary') }),
  };

  /** Refusals in sf's shape (PascalCase ...Error names, "Try this:" actions): lib/errors.ts. */
  protected catch(error: Error): Promise<never> {
    return super.catch(toSfError(error) as Error);
  }

  public async run(): Promise<ModelValidateResult> {
    const { flags } = await this.parse(ModelValidate);
    const modelsDir = resolveModelsDir(flags['models-dir']);
    const tolerance = Number(flags.tolerance);
    if (!(tolerance >= 0)) throw scoringError('InvalidToleranceError', messages.getMessage('error.invalidTolerance', [flags.tolerance]));

    const targets: { name: string; version: string }[] = [];
    const registry = await readRegistry(modelsDir);
    // A wrong name or version is refused with what exists, before anything is validated or recorded.
    if (flags.name) requireModel(registry, flags.name, registryFileOf(modelsDir));
    if (flags.name && flags.version) {
      requireVersion(registry, flags.name, flags.version, registryFileOf(modelsDir));
      targets.push({ name: flags.name, version: flags.version });
    } else {
      for (const name of Object.keys(registry.models).sort()) {
        if (flags.name && name !== flags.name) continue;
        for (const version of Object.keys(registry.models[name].versions).sort(compareVersions)) targets.push({ name, version });
      }
    }

    const versions: VersionValidation[] = [];
    for (const t of targets) {
      this.spinner.start(messages.getMessage('spinner.validating', [t.name, t.version]));
      const v = await validateVersion(modelsDir, t.name, t.version, { goldenFile: flags.golden, tolerance, requireGolden: flags['require-golden'] });
      this.spinner.stop(messages.getMessage(v.passed ? 'spinner.passed' : 'spinner.failed'));
      if (v.checks.some((c) => c.check === 'golden parity' && c.pass === null))
        this.warn(messages.getMessage('warn.noGolden', [t.name, t.version]));
      versions.push(v);
      await appendLedger(modelsDir, {
        action: 'validate',
        model: t.name,
        version: t.version,
        ...(v.sha256 ? { sha256: v.sha256 } : {}),
        actor: currentActor(),
        result: v.passed ? 'pass' : 'fail',
        details: {
          failed: [...v.checks.filter((c) => c.pass === false).map((c) => c.check), ...v.gates.filter((g) => !g.pass).map((g) => g.gate)],
          gates: v.gates,
        },
      });

      new VersionValidationFormatter(v).display(this);
    }
    const passed = versions.length > 0 && versions.every((v) => v.passed);
    if (!passed) process.exitCode = 1;
    return { modelsDir, passed, versions };
  }
}
