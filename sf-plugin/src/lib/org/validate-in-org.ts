/**
 * `org validate`: score sample leads through the org's own path (the Apex REST resource: field
 * mapping -> Named Credential -> service), score the exact inputs Apex sent in-process, compare,
 * and record the result with the artifact sha256 and the org's mapping signature. A pass in a
 * sandbox is what the production gate asks for.
 */
import { Messages, type Connection } from '@salesforce/core';
import type { Progress, Spinner } from '@salesforce/sf-plugins-core';
import { appendLedger, loadPackage } from '../library.js';
import { scoreLocally } from '../package/local-scorer.js';
import { mappingSignature } from '../package/mapping-signature.js';
import { currentActor } from '../workspace.js';
import { readOrgConfig, readOrgMapping } from './custom-metadata.js';
import { orgLabel, type OrgIdentity } from './identity.js';
import { compareScores, type OrgComparison, type ValidateResponse } from './validation.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.org.validate');

export type OrgValidationRequest = {
  modelsDir: string;
  conn: Connection;
  org: OrgIdentity;
  model: string;
  /** Default: the org's challenger, else its champion. */
  version?: string;
  sample: number;
  tolerance: number;
  maxPsi: number;
};

export type OrgCheck = { check: string; pass: boolean; detail: string };

export type OrgProof = { version: string; sha256: string; mappingSignature: string; comparison: OrgComparison; checks: OrgCheck[]; passed: boolean };

export async function validateInOrg(ux: { spinner: Spinner; progress: Progress }, request: OrgValidationRequest): Promise<OrgProof> {
  const { modelsDir, conn, org, tolerance, maxPsi } = request;
  const config = await readOrgConfig(conn, request.model);
  // The resource scores at most Batch_Size__c leads per call (one callout).
  const chunkSize = Math.max(1, config?.batchSize ?? 200);
  let version = request.version;
  if (!version) {
    version = config?.challengerVersion ?? config?.championVersion ?? undefined;
    if (!version) throw messages.createError('error.noVersion', [request.model]);
  }
  const pkg = await loadPackage(modelsDir, request.model, version);
  const inputs = pkg.manifest.inputs.map((i) => i.name);
  const signature = mappingSignature(await readOrgMapping(conn, request.model), inputs);

  const leads = await conn.query<{ Id: string }>(`SELECT Id FROM Lead WHERE IsConverted = false ORDER BY CreatedDate DESC LIMIT ${request.sample}`);
  const ids = leads.records.map((r) => r.Id);
  if (ids.length === 0) throw messages.createError('error.noLeads');

  // Score through the org, a chunk per call (the resource makes one callout per chunk).
  const orgScores = new Map<string, number>();
  const versions = new Set<string>();
  const signatures = new Set<string>();
  const sent: { asOf?: string; records: { id: string; inputs: Record<string, unknown> }[] }[] = [];
  ux.progress.start(ids.length, {}, { title: messages.getMessage('progress.title', [orgLabel(org)]), format: '%s | {bar} | {value}/{total} leads' });
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
    ux.progress.update(Math.min(i + chunkSize, ids.length));
  }
  ux.progress.finish();

  ux.spinner.start(messages.getMessage('spinner.local'));
  const local = [];
  for (const s of sent) local.push(...(await scoreLocally(pkg, s.records, s.asOf)));
  ux.spinner.stop();

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
      detail: comparison.psi === null ? 'no lead scored both ways' : `PSI ${comparison.psi.toFixed(4)} (max ${maxPsi})`,
    },
  ];
  const passed = checks.every((c) => c.pass);

  await appendLedger(modelsDir, {
    action: 'org-validate',
    model: request.model,
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

  return { version, sha256: pkg.manifest.sha256, mappingSignature: signature, comparison, checks, passed };
}
