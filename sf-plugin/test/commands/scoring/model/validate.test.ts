import { promises as fs } from 'node:fs';
import path from 'node:path';
import { TestContext } from '@salesforce/core/testSetup';
import { stubSfCommandUx, stubSpinner } from '@salesforce/sf-plugins-core';
import ModelValidate from '../../../../src/commands/scoring/model/validate.js';
import { buildModelsDir, readLedgerLines } from '../../../helpers/models.js';
import { refusal } from '../../../helpers/refusal.js';
import { expectMatchesSchema } from '../../../helpers/schema.js';

describe('scoring model validate', () => {
  const $$ = new TestContext();
  let modelsDir: string;
  let ux: ReturnType<typeof stubSfCommandUx>;

  beforeAll(async () => {
    modelsDir = await buildModelsDir();
  });
  afterAll(() => fs.rm(modelsDir, { recursive: true, force: true }));
  beforeEach(() => {
    ux = stubSfCommandUx($$.SANDBOX);
    stubSpinner($$.SANDBOX);
  });
  afterEach(() => {
    process.exitCode = undefined;
  });

  it("refuses to measure a candidate against a champion whose manifest does not match the schema, naming the file", async () => {
    const dir = await buildModelsDir();
    try {
      const file = path.join(dir, 'lead-scoring', '4.0.0', 'manifest.json');
      const champion = JSON.parse(await fs.readFile(file, 'utf8')) as { metrics: Record<string, unknown> };
      champion.metrics.auc_test = 'high';
      await fs.writeFile(file, JSON.stringify(champion));
      const error = await refusal(ModelValidate.run(['--models-dir', dir, '--name', 'lead-scoring', '--version', '4.1.0', '--json']));
      expect(error.name).toBe('ChampionManifestInvalidError');
      expect(error.message).toContain(`The champion lead-scoring 4.0.0 has a manifest that does not match the schema (${file})`);
      expect(error.message).toMatch(/: metrics\.auc_test: .+$/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }, 60000);

  it('passes 4.1.0: package checks, golden parity within 1e-6 and the gates against champion 4.0.0', async () => {
    const result = await ModelValidate.run(['--models-dir', modelsDir, '--name', 'lead-scoring', '--version', '4.1.0', '--json']);
    expectMatchesSchema('scoring-model-validate', result);
    expect(result.passed).toBe(true);
    const v = result.versions[0];
    expect(v.checks.find((c) => c.check === 'golden parity')).toMatchObject({ pass: true });
    expect(v.checks.find((c) => c.check === 'golden parity')?.detail).toMatch(/^300 rows/);
    const auc = v.gates.find((g) => g.gate === 'test AUC above champion');
    expect(auc?.pass).toBe(true);
    expect(auc?.note).toBe('champion 4.0.0');
    expect(v.gates.map((g) => g.pass)).toEqual([true, true, true]);
    expect(process.exitCode).toBeUndefined();
    const ledger = await readLedgerLines(modelsDir);
    expect(ledger[ledger.length - 1]).toMatchObject({ action: 'validate', version: '4.1.0', result: 'pass', sha256: v.sha256 });
  }, 60000);

  it('prints the checks and the gates as tables for humans', async () => {
    await ModelValidate.run(['--models-dir', modelsDir, '--name', 'lead-scoring', '--version', '4.1.0']);
    expect(ux.table.callCount).toBe(2);
    const gates = ux.table.secondCall.args[0].data as Record<string, unknown>[];
    expect(gates.map((g) => g.gate)).toEqual(['test AUC above champion', 'top-decile lift', 'overfit gap (train - test AUC)']);
    expect(gates[1].required).toBe('>= 1.5');
  }, 60000);

  it('fails a package whose model.onnx no longer matches its manifest, naming the file, and exits 1', async () => {
    const copy = await fs.mkdtemp(path.join(path.dirname(modelsDir), 'scoring-plugin-tampered-'));
    await fs.cp(modelsDir, copy, { recursive: true });
    const onnx = path.join(copy, 'lead-scoring', '4.1.0', 'model.onnx');
    const bytes = await fs.readFile(onnx);
    bytes[bytes.length - 1] ^= 0xff;
    await fs.writeFile(onnx, bytes);
    const result = await ModelValidate.run(['--models-dir', copy, '--name', 'lead-scoring', '--version', '4.1.0', '--json']);
    expect(result.passed).toBe(false);
    const sha = result.versions[0].checks.find((c) => c.check === 'sha256');
    expect(sha?.pass).toBe(false);
    expect(sha?.detail).toContain('model.onnx');
    expect(process.exitCode).toBe(1);
    await fs.rm(copy, { recursive: true, force: true });
  }, 60000);

  it('fails the AUC gate for the older version measured against a better champion', async () => {
    // Make 4.1.0 the champion: 4.0.0 (lower test AUC) must now fail "test AUC above champion".
    const registryFile = path.join(modelsDir, 'registry.json');
    const registry = JSON.parse(await fs.readFile(registryFile, 'utf8'));
    registry.models['lead-scoring'].aliases.champion = '4.1.0';
    await fs.writeFile(registryFile, JSON.stringify(registry));
    const result = await ModelValidate.run(['--models-dir', modelsDir, '--name', 'lead-scoring', '--version', '4.0.0', '--json']);
    const auc = result.versions[0].gates.find((g) => g.gate === 'test AUC above champion');
    expect(auc?.pass).toBe(false);
    expect(auc!.actual!).toBeLessThan(auc!.threshold!);
    expect(result.passed).toBe(false);
  }, 60000);

  it('validates every registered version when no name is given', async () => {
    const result = await ModelValidate.run(['--models-dir', modelsDir, '--json']);
    expect(result.versions.map((v) => `${v.name}@${v.version}`)).toEqual(['lead-scoring@4.0.0', 'lead-scoring@4.1.0']);
  }, 60000);
});
