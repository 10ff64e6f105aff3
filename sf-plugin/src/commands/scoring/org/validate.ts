import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { OrgValidationFormatter } from '../../../formatters/validation.js';
import { orgModelFlags } from '../../../lib/flags.js';
import { identifyOrg, type OrgIdentity } from '../../../lib/org/identity.js';
import { validateInOrg } from '../../../lib/org/validate-in-org.js';
import type { OrgComparison } from '../../../lib/org/validation.js';
import { resolveModelsDir } from '../../../lib/workspace.js';
import { toSfError } from '../../../lib/errors.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.org.validate');

export type OrgValidateResult = OrgComparison & {
  org: OrgIdentity;
  model: string;
  version: string;
  sha256: string;
  mappingSignature: string;
  tolerance: number;
  maxPsi: number;
  checks: { check: string; pass: boolean; detail: string }[];
  passed: boolean;
};

export default class OrgValidate extends SfCommand<OrgValidateResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    ...orgModelFlags,
    version: Flags.string({ summary: messages.getMessage('flags.version.summary') }),
    sample: Flags.integer({ summary: messages.getMessage('flags.sample.summary'), default: 200, min: 1, max: 5000 }),
    tolerance: Flags.string({ summary: messages.getMessage('flags.tolerance.summary'), default: '1e-6' }),
    'max-psi': Flags.string({ summary: messages.getMessage('flags.max-psi.summary'), default: '0.1' }),
  };

  /** Refusals in sf's shape (PascalCase ...Error names, "Try this:" actions): lib/errors.ts. */
  protected catch(error: Error): Promise<never> {
    return super.catch(toSfError(error) as Error);
  }

  public async run(): Promise<OrgValidateResult> {
    const { flags } = await this.parse(OrgValidate);
    const modelsDir = resolveModelsDir(flags['models-dir']);
    const conn = flags['target-org'].getConnection(flags['api-version']);
    const tolerance = Number(flags.tolerance);
    const maxPsi = Number(flags['max-psi']);
    const org = await identifyOrg(flags['target-org']);

    const proof = await validateInOrg(this, { modelsDir, conn, org, model: flags.name, version: flags.version, sample: flags.sample, tolerance, maxPsi });
    const { comparison, version, passed } = proof;
    if (!passed) process.exitCode = 1;
    const result: OrgValidateResult = {
      ...comparison,
      mismatches: comparison.mismatches.slice(0, 100),
      org,
      model: flags.name,
      version,
      sha256: proof.sha256,
      mappingSignature: proof.mappingSignature,
      tolerance,
      maxPsi,
      checks: proof.checks,
      passed,
    };
    new OrgValidationFormatter(result).display(this);
    return result;
  }
}
