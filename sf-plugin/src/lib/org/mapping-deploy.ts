/**
 * `mapping deploy`: one Scoring_Field_Mapping record per input of the given versions, refused
 * before anything is deployed when a field is missing, has the wrong type, or is one the
 * integration user cannot read; then deployed, with the mapping signature of each version in
 * the ledger. Refusals are recorded like the production gate's: result "fail", details.refused.
 */
import { Messages, type Connection, type SfError } from '@salesforce/core';
import { scoringError } from '../errors.js';
import type { Spinner } from '@salesforce/sf-plugins-core';
import { appendLedger, loadPackage, readRegistry, type Manifest } from '../library.js';
import { inputTypes, mappingFor, readOverrides } from '../package/mapping.js';
import { mappingSignature } from '../package/mapping-signature.js';
import { currentActor } from '../workspace.js';
import { mappingRecords } from './custom-metadata.js';
import { unreadableFields } from './field-access.js';
import { checkFields, type FieldCheck } from './field-check.js';
import { orgLabel, type OrgIdentity } from './identity.js';
import { deployWithSpinner, metadataDeployFailed } from './metadata-deploy.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.mapping.deploy');

export type MappingDeployRequest = {
  modelsDir: string;
  conn: Connection;
  org: OrgIdentity;
  model: string;
  versions: string[];
  object: string;
  mappingFile?: string;
  permissionSet: string;
  wait: number;
};

export type MappingDeployment = { fields: FieldCheck[]; signatures: Record<string, string>; deployId: string };

/** Shows the checked fields before a refusal, so a human sees every row at once. */
export type MappingUx = { spinner: Spinner; showFields(fields: FieldCheck[]): void };

export async function deployMapping(ux: MappingUx, request: MappingDeployRequest): Promise<MappingDeployment> {
  const { modelsDir, conn, org, model, object } = request;
  ux.spinner.start(messages.getMessage('spinner.checking', [object]));
  const registry = await readRegistry(modelsDir);
  const manifests: Manifest[] = [];
  for (const v of request.versions) manifests.push((await loadPackage(modelsDir, model, v, registry)).manifest);
  const mappings = mappingFor(manifests, object, await readOverrides(request.mappingFile));
  const { checks, hops } = await checkFields(conn, object, mappings, inputTypes(manifests));
  // Field-level security only matters for paths that exist; describe problems come first.
  const unreadable = checks.every((f) => f.ok) ? await unreadableFields(conn, request.permissionSet, hops) : new Map<string, string[]>();
  const fields = checks.map((f) =>
    unreadable.has(f.input) ? { ...f, ok: false, problem: messages.getMessage('problem.unreadable', [request.permissionSet, unreadable.get(f.input)!.join(', ')]) } : f,
  );
  ux.spinner.stop();
  const signatures = Object.fromEntries(manifests.map((m) => [m.version, mappingSignature(mappings, m.inputs.map((i) => i.name))]));

  const bad = fields.filter((f) => !f.ok);
  if (bad.length) {
    await record(request, manifests, signatures, 'fail', { refused: bad.map((f) => `${f.input} -> ${f.field}: ${f.problem}`) });
    ux.showFields(fields);
    throw refusal(bad, request, unreadable.size > 0);
  }

  const outcome = await deployWithSpinner(
    ux.spinner,
    conn,
    mappingRecords(model, mappings),
    messages.getMessage('spinner.deploying', [mappings.length, orgLabel(org)]),
    request.wait,
  );
  await record(request, manifests, signatures, outcome.success ? 'ok' : 'fail', {
    deployId: outcome.id,
    object,
    fields: mappings.length,
    ...(outcome.success ? {} : { failures: outcome.failures }),
  });
  if (!outcome.success) throw metadataDeployFailed(outcome);
  return { fields, signatures, deployId: outcome.id };
}

/** One ledger entry per version: its mapping signature is what org validate and the production gate compare. */
async function record(request: MappingDeployRequest, manifests: Manifest[], signatures: Record<string, string>, result: 'ok' | 'fail', details: Record<string, unknown>): Promise<void> {
  for (const m of manifests) {
    await appendLedger(request.modelsDir, {
      action: 'mapping-deploy',
      model: request.model,
      version: m.version,
      sha256: m.sha256,
      mappingSignature: signatures[m.version],
      org: request.org,
      actor: currentActor(),
      result,
      details,
    });
  }
}

function refusal(bad: FieldCheck[], request: MappingDeployRequest, unreadable: boolean): SfError {
  const { org, permissionSet } = request;
  const list = bad.map((f) => `- ${f.input} -> ${f.field}: ${f.problem}`).join('\n');
  return unreadable
    ? scoringError(
        'MappingFieldsUnreadableError',
        messages.getMessage('error.unreadable', [bad.length, permissionSet, orgLabel(org), list]),
        messages.getMessages('error.unreadable.actions', [permissionSet, permissionSet]),
      ).setData({ fields: bad })
    : scoringError('MappingFieldsInvalidError', messages.getMessage('error.fields', [bad.length, orgLabel(org), list]), messages.getMessages('error.fields.actions', [request.model, request.versions[request.versions.length - 1]])).setData({
        fields: bad,
      });
}
