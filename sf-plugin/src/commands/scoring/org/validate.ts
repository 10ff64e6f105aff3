import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { readOrgConfig, readOrgMapping } from '../../../lib/org/custom-metadata.js';
import { OrgValidationFormatter } from '../../../formatters/validation.js';
import { orgModelFlags } from '../../../lib/flags.js';
import { appendLedger, loadPackage } from '../../../lib/library.js';
import { scoreLocally } from '../../../lib/package/local-scorer.js';
import { mappingSignature } from '../../../lib/package/mapping-signature.js';
import { identifyOrg, orgLabel, type OrgIdentity } from '../../../lib/org/identity.js';
import { compareScores, type OrgComparison, type ValidateResponse } from '../../../lib/org/validation.js';
import { currentActor, resolveModelsDir } from '../../../lib/workspace.js';

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
    version: Flags.string({ char: 'v', summary: messages.getMessage('flags.version.summary') }),
    sample: Flags.integer({ summary: messages.getMessage('flags.sample.summary'), default: 200, min: 1, max: 5000 }),
    tolerance: Flags.string({ summary: messages.getMessage('flags.tolerance.summary'), default: '1e-6' }),
    'max-psi': Flags.string({ summary: messages.getMessage('flags.max-psi.summary'), default: '0.1' }),
  };

  public async run(): Promise<OrgValidateResult> {
    const { flags } = await this.parse(OrgValidate);
    const modelsDir = resolveModelsDir(flags['models-dir']);
    const conn = flags['target-org'].getConnection(flags['api-version']);
    const tolerance = Number(flags.tolerance);
    const maxPsi = Number(flags['max-psi']);
    const org = await identifyOrg(flags['target-org']);

    const config = await readOrgConfig(conn, flags.name);
    // The resource scores at most Batch_Size__c leads per call (one callout).
    const chunkSize = Math.max(1, config?.batchSize ?? 200);
    let version = flags.version;
    if (!version) {
      version = config?.challengerVersion ?? config?.championVersion ?? undefined;
      if (!version) throw messages.createError('error.noVersion', [flags.name]);
    }
    const pkg = await loadPackage(modelsDir, flags.name, version);
    const inputs = pkg.manifest.inputs.map((i) => i.name);
    const signature = mappingSignature(await readOrgMapping(conn, flags.name), inputs);

    const leads = await conn.query<{ Id: string }>(`SELECT Id FROM Lead WHERE IsConverted = false ORDER BY CreatedDate DESC LIMIT ${flags.sample}`);
    const ids = leads.records.map((r) => r.Id);
    if (ids.length === 0) throw messages.createError('error.noLeads');

    // Score through the org, a chunk per call (the resource makes one callout per chunk).
    const orgScores = new Map<string, number>();
    const versions = new Set<string>();
    const signatures = new Set<string>();
    const sent: { asOf?: string; records: { id: string; inputs: Record<string, unknown> }[] }[] = [];
    this.progress.start(ids.length, {}, { title: messages.getMessage('progress.title', [orgLabel(org)]), format: '%s | {bar} | {value}/{total} leads' });
    for (let i = 0; i < ids.length; i += chunkSize) {
      const chunk = ids.slice(i, i + chunkSize);
      const response = await conn.request<ValidateResponse>({
        method: 'POST',
        url: '/services/apexrest/scoring/v1/validate',
        body: JSON.stringify({ leadIds: chunk, version }),
        headers: { 'content-type': 'application/json' },
      });
      for (const r of response.service?.results ?? []) orgScores.set(r.id, r.score);
      if (response.service?.version) versions.add(response.service.version);
      if (response.service?.signature) signatures.add(response.service.signature);
      sent.push({ asOf: response.request?.asOf, records: response.request?.records ?? [] });
      this.progress.update(Math.min(i + chunkSize, ids.length));
    }
    this.progress.finish();

    this.spinner.start(messages.getMessage('spinner.local'));
    const local = [];
    for (const s of sent) local.push(...(await scoreLocally(pkg, s.records, s.asOf)));
    this.spinner.stop();

    const comparison = compareScores(pkg.manifest, ids, orgScores, local, tolerance, { versions, signatures });
    const checks = [
      { check: 'service version', pass: comparison.versionsSeen.length === 1 && comparison.versionsSeen[0] === version, detail: `answered ${comparison.versionsSeen.join(', ') || 'no version'}` },
      {
        check: 'feature signature',
        pass: comparison.signaturesSeen.length === 1 && comparison.signaturesSeen[0] === pkg.manifest.signature,
        detail: comparison.signaturesSeen.join(', ') || 'none returned',
      },
      { check: 'every lead scored', pass: comparison.missing.length === 0, detail: `${comparison.compared} of ${comparison.requested}` },
      {
        check: 'scores match',
        pass: comparison.mismatches.length === 0 && comparison.compared > 0 && comparison.maxAbsDiff !== null,
        detail: `max |org - local| = ${comparison.maxAbsDiff === null ? 'not a number' : comparison.maxAbsDiff.toExponential(2)}, ${comparison.mismatches.length} above ${tolerance}`,
      },
      {
        check: 'decile distribution',
        pass: comparison.psi !== null && comparison.psi <= maxPsi,
        detail: comparison.psi === null ? 'the manifest has no decile cut points' : `PSI ${comparison.psi.toFixed(4)} (max ${maxPsi})`,
      },
    ];
    const passed = checks.every((c) => c.pass);

    await appendLedger(modelsDir, {
      action: 'org-validate',
      model: flags.name,
      version,
      sha256: pkg.manifest.sha256,
      mappingSignature: signature,
      org,
      actor: currentActor(),
      result: passed ? 'pass' : 'fail',
      details: {
        sample: comparison.requested,
        compared: comparison.compared,
        maxAbsDiff: comparison.maxAbsDiff,
        mismatches: comparison.mismatches.length,
        psi: comparison.psi,
        failed: checks.filter((c) => !c.pass).map((c) => c.check),
      },
    });

    if (!passed) process.exitCode = 1;
    const result: OrgValidateResult = {
      ...comparison,
      mismatches: comparison.mismatches.slice(0, 100),
      org,
      model: flags.name,
      version,
      sha256: pkg.manifest.sha256,
      mappingSignature: signature,
      tolerance,
      maxPsi,
      checks,
      passed,
    };
    new OrgValidationFormatter(result).display(this);
    return result;
  }
}
