import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Progress } from '@salesforce/sf-plugins-core';
import type sinon from 'sinon';
import OrgValidate from '../../../../src/commands/scoring/org/validate.js';
import { buildModelsDir, readLedgerLines } from '../../../helpers/models.js';
import { orgCommandWorld } from '../../../helpers/org-command-setup.js';
import { MAPPING_SIGNATURE_4_1_0 } from '../../../helpers/org-fixtures.js';
import { refusal } from '../../../helpers/refusal.js';
import { expectMatchesSchema } from '../../../helpers/schema.js';

type GoldenRow = { id: string; inputs: Record<string, unknown>; asOf: string; prediction: number };

describe('scoring org validate', () => {
  const w = orgCommandWorld();
  let golden: GoldenRow[];
  let served: Map<string, number>;
  let answeredVersion: string | undefined;
  let progress: { start: sinon.SinonStub; update: sinon.SinonStub };
  const args = (...extra: string[]): string[] => ['--target-org', w.testOrg.username, '--models-dir', w.modelsDir, '--name', 'lead-scoring', ...extra];

  beforeAll(async () => {
    const dir = await buildModelsDir();
    golden = (JSON.parse(await fs.readFile(path.join(dir, 'golden', 'lead-scoring-4.1.0.json'), 'utf8')) as { rows: GoldenRow[] }).rows;
    await fs.rm(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    const manifest = w.manifests['4.1.0'];
    const known = new Set(manifest.inputs.map((i) => i.name));
    // The service answers with the training framework's predictions for the golden leads.
    served = new Map(golden.map((r) => [r.id, r.prediction]));
    answeredVersion = undefined;
    w.org.config = { ...w.org.config, Challenger_Version__c: '4.1.0' };
    w.org.leads = golden.map((r) => ({ Id: r.id }));
    w.org.validate = ({ leadIds, version }) => {
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
    };
    progress = { start: w.$$.SANDBOX.stub(Progress.prototype, 'start'), update: w.$$.SANDBOX.stub(Progress.prototype, 'update') };
    w.$$.SANDBOX.stub(Progress.prototype, 'finish');
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
    expect(w.org.requests.filter((r) => r.url.endsWith('/scoring/v1/validate'))).toHaveLength(2);
    expect(progress.start.firstCall.args[0]).toBe(300);
    expect(progress.update.args.map((a) => a[0])).toEqual([200, 300]);
    expect((await readLedgerLines(w.modelsDir)).pop()).toMatchObject({
      action: 'org-validate',
      result: 'pass',
      version: '4.1.0',
      sha256: w.manifests['4.1.0'].sha256,
      mappingSignature: MAPPING_SIGNATURE_4_1_0,
      org: { isSandbox: true },
    });
  }, 60000);

  it('prints the checks for humans', async () => {
    await OrgValidate.run(args('--sample', '300'));
    expect(w.ux.log.firstCall.args[0]).toMatch(/lead-scoring 4.1.0 in .* \(sandbox\): PASSED/);
    const rows = w.ux.table.firstCall.args[0].data as { check: string; result: string }[];
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
    expect((await readLedgerLines(w.modelsDir)).pop()).toMatchObject({ action: 'org-validate', result: 'fail' });
  }, 60000);

  it('fails when the sampled leads crowd into a few deciles (PSI above 0.1)', async () => {
    const cut = w.manifests['4.1.0'].outputs.deciles![7];
    w.org.leads = golden.filter((r) => r.prediction >= cut).map((r) => ({ Id: r.id }));
    const result = await OrgValidate.run(args('--sample', '300', '--json'));
    expect(result.checks.find((c) => c.check === 'scores match')?.pass).toBe(true);
    expect(result.psi).toBeGreaterThan(0.1);
    expect(result.checks.find((c) => c.check === 'decile distribution')?.pass).toBe(false);
    expect(result.passed).toBe(false);
  }, 60000);

  it('measures no decile distribution when the org scored none of the leads', async () => {
    served.clear();
    const result = await OrgValidate.run(args('--sample', '50', '--json'));
    expect(result.compared).toBe(0);
    expect(result.psi).toBeNull();
    expect(result.checks.find((c) => c.check === 'decile distribution')).toMatchObject({ pass: false, detail: 'no lead scored both ways' });
    expect(result.passed).toBe(false);
  }, 60000);

  it('fails when the service answered with another version', async () => {
    answeredVersion = '4.0.0';
    const result = await OrgValidate.run(args('--version', '4.1.0', '--sample', '50', '--json'));
    expect(result.checks.find((c) => c.check === 'service version')).toMatchObject({ pass: false, detail: 'answered 4.0.0' });
  }, 60000);

  it('refuses an org with no leads', async () => {
    w.org.leads = [];
    const error = await refusal(OrgValidate.run(args('--json')));
    expect(error.message).toContain('no open leads');
  });
});
