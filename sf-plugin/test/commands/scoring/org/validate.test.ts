import { promises as fs } from 'node:fs';
import path from 'node:path';
import { MockTestOrgData, TestContext } from '@salesforce/core/testSetup';
import { Progress, stubSfCommandUx, stubSpinner } from '@salesforce/sf-plugins-core';
import OrgValidate from '../../../../src/commands/scoring/org/validate.js';
import type sinon from 'sinon';
import type { Manifest } from '../../../../src/lib/library.js';
import { mappingSignature } from '../../../../src/lib/mapping-signature.js';
import { fakeOrgRequests, newFakeOrg, type FakeOrg } from '../../../helpers/fake-org.js';
import { buildModelsDir, readLedgerLines } from '../../../helpers/models.js';
import { CONFIG_4_0_0, mappingRows, readManifest } from '../../../helpers/org-fixtures.js';
import { expectMatchesSchema } from '../../../helpers/schema.js';

type GoldenRow = { id: string; inputs: Record<string, unknown>; asOf: string; prediction: number };

describe('scoring org validate', () => {
  const $$ = new TestContext();
  const testOrg = new MockTestOrgData();
  let modelsDir: string;
  let manifest: Manifest;
  let golden: GoldenRow[];
  let org: FakeOrg;
  let served: Map<string, number>;
  let answeredVersion: string | undefined;
  let ux: ReturnType<typeof stubSfCommandUx>;
  let progress: { start: sinon.SinonStub; update: sinon.SinonStub };
  const args = (...extra: string[]): string[] => ['--target-org', testOrg.username, '--models-dir', modelsDir, '--name', 'lead-scoring', ...extra];

  beforeAll(async () => {
    const dir = await buildModelsDir();
    golden = (JSON.parse(await fs.readFile(path.join(dir, 'golden', 'lead-scoring-4.1.0.json'), 'utf8')) as { rows: GoldenRow[] }).rows;
    await fs.rm(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    modelsDir = await buildModelsDir();
    manifest = await readManifest(modelsDir, '4.1.0');
    const known = new Set(manifest.inputs.map((i) => i.name));
    // The service answers with the training framework's predictions for the golden leads.
    served = new Map(golden.map((r) => [r.id, r.prediction]));
    answeredVersion = undefined;
    org = newFakeOrg({
      isSandbox: true,
      config: { ...CONFIG_4_0_0, Challenger_Version__c: '4.1.0' },
      mappings: mappingRows(manifest),
      leads: golden.map((r) => ({ Id: r.id })),
      validate: ({ leadIds, version }) => {
        const rows = leadIds.map((id) => golden.find((r) => r.id === id)!);
        return {
          stored: [],
          request: {
            version,
            asOf: rows[0].asOf,
            records: rows.map((r) => ({ id: r.id, inputs: Object.fromEntries(Object.entries(r.inputs).filter(([k]) => known.has(k))) })),
          },
          service: {
            model: 'lead-scoring',
            version: answeredVersion ?? version,
            signature: manifest.signature,
            results: rows.map((r) => ({ id: r.id, score: served.get(r.id)! })),
          },
        };
      },
    });
    await $$.stubAuths(testOrg);
    $$.stubAliases({});
    $$.fakeConnectionRequest = fakeOrgRequests(org);
    ux = stubSfCommandUx($$.SANDBOX);
    stubSpinner($$.SANDBOX);
    progress = { start: $$.SANDBOX.stub(Progress.prototype, 'start'), update: $$.SANDBOX.stub(Progress.prototype, 'update') };
    $$.SANDBOX.stub(Progress.prototype, 'finish');
  });
  afterEach(async () => {
    await fs.rm(modelsDir, { recursive: true, force: true });
    process.exitCode = undefined;
  });

  it("passes when the org's scores equal local ONNX scores and the deciles match the manifest, and records the proof", async () => {
    const result = await OrgValidate.run(args('--sample', '300', '--json'));
    expect(result.version).toBe('4.1.0'); // the org's challenger
    expectMatchesSchema('scoring-org-validate', result);
    expect(result.compared).toBe(300);
    expect(result.maxAbsDiff).toBeLessThanOrEqual(1e-6);
    expect(result.psi).toBeLessThanOrEqual(0.1);
    expect(result.passed).toBe(true);
    // Two calls of at most Batch_Size__c (200) leads, with the progress bar following them.
    expect(org.requests.filter((r) => r.url.endsWith('/scoring/v1/validate'))).toHaveLength(2);
    expect(progress.start.firstCall.args[0]).toBe(300);
    expect(progress.update.args.map((a) => a[0])).toEqual([200, 300]);
    const expectedSignature = mappingSignature(org.mappings.map((m) => ({ input: m.Input_Name__c, field: m.Field_Path__c })), manifest.inputs.map((i) => i.name));
    expect((await readLedgerLines(modelsDir)).pop()).toMatchObject({
      action: 'org-validate',
      result: 'pass',
      version: '4.1.0',
      sha256: manifest.sha256,
      mappingSignature: expectedSignature,
      org: { isSandbox: true },
    });
  }, 60000);

  it('prints the checks for humans', async () => {
    await OrgValidate.run(args('--sample', '300'));
    expect(ux.log.firstCall.args[0]).toMatch(/lead-scoring 4.1.0 in .* \(sandbox\): PASSED/);
    const rows = ux.table.firstCall.args[0].data as { check: string; result: string }[];
    expect(rows.map((r) => [r.check, r.result])).toEqual([
      ['service version', 'pass'],
      ['feature signature', 'pass'],
      ['every lead scored', 'pass'],
      ['scores match', 'pass'],
      ['decile distribution', 'pass'],
    ]);
  }, 60000);

  it('fails on a single score the org got wrong, naming the lead, and exits 1', async () => {
    const victim = golden[17].id;
    served.set(victim, served.get(victim)! + 0.001);
    const result = await OrgValidate.run(args('--sample', '300', '--json'));
    expect(result.passed).toBe(false);
    expect(result.mismatches.map((m) => m.id)).toEqual([victim]);
    expect(process.exitCode).toBe(1);
    expect((await readLedgerLines(modelsDir)).pop()).toMatchObject({ action: 'org-validate', result: 'fail' });
  }, 60000);

  it('fails when the sampled leads crowd into a few deciles (PSI above 0.1)', async () => {
    const cut = manifest.outputs.deciles![7];
    org.leads = golden.filter((r) => r.prediction >= cut).map((r) => ({ Id: r.id }));
    const result = await OrgValidate.run(args('--sample', '300', '--json'));
    expect(result.checks.find((c) => c.check === 'scores match')?.pass).toBe(true);
    expect(result.psi).toBeGreaterThan(0.1);
    expect(result.checks.find((c) => c.check === 'decile distribution')?.pass).toBe(false);
    expect(result.passed).toBe(false);
  }, 60000);

  it('fails when the service answered with another version', async () => {
    answeredVersion = '4.0.0';
    const result = await OrgValidate.run(args('--version', '4.1.0', '--sample', '50', '--json'));
    expect(result.checks.find((c) => c.check === 'service version')).toMatchObject({ pass: false, detail: 'answered 4.0.0' });
  }, 60000);

  it('refuses an org with no leads', async () => {
    org.leads = [];
    await expect(OrgValidate.run(args('--json'))).rejects.toThrow('no open leads');
  });
});
