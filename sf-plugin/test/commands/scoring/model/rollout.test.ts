/**
 * `sf scoring model rollout` against the real scoring service (scoring-service/dist/server.js),
 * one ordered story on one models directory that the CLI and the service share: canary with
 * shadow, the kill switch, promotion refused without a full-cycle verdict, promotion, reversion.
 * The challenger gift-demand 2.2.0 is imported with the real importer from the training artifacts
 * with XGBoost's base_score doubled, so it answers exactly twice what 2.1.0 answers.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestContext } from '@salesforce/core/testSetup';
import { stubSfCommandUx } from '@salesforce/sf-plugins-core';
import { importXgboostFile } from '@lead-scoring/scoring-service/importer';
import ModelRollout from '../../../../src/commands/scoring/model/rollout.js';
import { appendLedger, readRegistry } from '../../../../src/lib/library.js';
import { readLedgerLines, REPO_ROOT } from '../../../helpers/models.js';
import { startRealService, type RealService } from '../../../helpers/real-service.js';
import { refusal } from '../../../helpers/refusal.js';
import { expectMatchesSchema } from '../../../helpers/schema.js';

type GoldenRow = { inputs: Record<string, unknown>; asOf: string; prediction: number };
type Item = { product_id: string; expected_qty: number; model_version: string; shadow?: { model_version: string; expected_qty: number } };

const MODELS = path.join(REPO_ROOT, 'models');
const ARTIFACTS = path.join(MODELS, 'training', 'artifacts', 'gift-demand', '2.1.0');
/** The canary bucket as docs/service.md defines it. */
const bucket = (id: string): number => createHash('sha256').update(id, 'utf8').digest().readUInt32BE(0) % 100;

async function importChallenger(modelsDir: string): Promise<void> {
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'gift-2.2.0-'));
  try {
    await fs.cp(ARTIFACTS, folder, { recursive: true });
    const xgbFile = path.join(folder, 'xgboost.json');
    const xgb = JSON.parse(await fs.readFile(xgbFile, 'utf8'));
    xgb.learner.learner_model_param.base_score = String(Number(xgb.learner.learner_model_param.base_score) * 2);
    await fs.writeFile(xgbFile, JSON.stringify(xgb));
    const metaFile = path.join(folder, 'metadata.json');
    const meta = JSON.parse(await fs.readFile(metaFile, 'utf8'));
    meta.version = '2.2.0';
    await fs.writeFile(metaFile, JSON.stringify(meta));
    await importXgboostFile({ xgboostFile: xgbFile, metadataFile: metaFile, name: 'gift-demand', version: '2.2.0', modelsDir, actor: 'test' });
  } finally {
    await fs.rm(folder, { recursive: true, force: true });
  }
}

describe('scoring model rollout (count models, against the real service)', () => {
  const $$ = new TestContext();
  let modelsDir: string;
  let service: RealService;
  let ux: ReturnType<typeof stubSfCommandUx>;
  let golden: GoldenRow[];
  const shops = Array.from({ length: 40 }, (_, i) => `shop-${i}`);
  const canaryShop = shops.find((s) => bucket(s) < 20)!;
  const championShop = shops.find((s) => bucket(s) >= 20)!;

  const args = (...extra: string[]): string[] => ['--models-dir', modelsDir, '--name', 'gift-demand', '--service-url', service.url, ...extra];
  const predict = async (shop: string, shadow = false): Promise<{ version: string | null; shadowVersion: string | null; body: Item[] }> => {
    const rows = golden.slice(0, 4).map((r) => ({ ...r.inputs, shop_id: shop }));
    const res = await fetch(`${service.url}/predict`, {
      method: 'POST',
      headers: { authorization: `Bearer ${service.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ rows, asOf: golden[0].asOf, shadow }),
    });
    expect(res.status).toBe(200);
    return { version: res.headers.get('model-version'), shadowVersion: res.headers.get('shadow-model-version'), body: (await res.json()) as Item[] };
  };
  const lastLedger = async (): Promise<Record<string, unknown>> => (await readLedgerLines(modelsDir)).pop()!;

  beforeAll(async () => {
    golden = (JSON.parse(await fs.readFile(path.join(MODELS, 'golden', 'gift-demand-2.1.0.json'), 'utf8')) as { rows: GoldenRow[] }).rows;
    modelsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'scoring-rollout-'));
    await fs.copyFile(path.join(MODELS, 'registry.json'), path.join(modelsDir, 'registry.json'));
    for (const m of ['gift-demand', 'lead-scoring']) await fs.cp(path.join(MODELS, m), path.join(modelsDir, m), { recursive: true });
    // The service starts on 2.1.0 alone; 2.2.0 is imported after, so the rollout has to load it.
    service = await startRealService(modelsDir);
    await importChallenger(modelsDir);
    process.env.SCORING_API_KEY = service.apiKey;
    process.env.SCORING_ADMIN_KEY = service.adminKey;
  }, 180_000);
  afterAll(async () => {
    await service?.stop();
    await fs.rm(modelsDir, { recursive: true, force: true });
    delete process.env.SCORING_API_KEY;
    delete process.env.SCORING_ADMIN_KEY;
  });
  beforeEach(() => {
    ux = stubSfCommandUx($$.SANDBOX);
  });

  it('refuses a binary model, a call that changes nothing, and no service URL, each saying what to do', async () => {
    const lead = await refusal(ModelRollout.run(['--models-dir', modelsDir, '--name', 'lead-scoring', '--service-url', service.url, '--canary', '10']));
    expect(lead.name).toBe('NotCountModelError');
    expect(lead.message).toContain('binary-classification');
    expect(lead.message).toContain('sf scoring model deploy');
    const nothing = await refusal(ModelRollout.run(args()));
    expect(nothing.message).toMatch(/--challenger, --canary, --shadow\/--no-shadow, --off, --promote or --revert/);
    const saved = process.env.SCORING_SERVICE_URL;
    delete process.env.SCORING_SERVICE_URL;
    const noUrl = await refusal(ModelRollout.run(['--models-dir', modelsDir, '--name', 'gift-demand', '--canary', '10']));
    expect(noUrl.name).toBe('ServiceUrlMissingError');
    expect(noUrl.actions?.join(' ')).toContain('SCORING_SERVICE_URL');
    if (saved !== undefined) process.env.SCORING_SERVICE_URL = saved;
    expect((await readRegistry(modelsDir)).models['gift-demand'].rollout).toBeUndefined();
  });

  it('a service that does not answer: the registry is put back and the ledger records the failure', async () => {
    const before = await fs.readFile(path.join(modelsDir, 'registry.json'), 'utf8');
    const err = await refusal(ModelRollout.run(['--models-dir', modelsDir, '--name', 'gift-demand', '--service-url', 'http://127.0.0.1:9', '--challenger', '2.2.0', '--canary', '20']));
    expect(err.message).toMatch(/did not apply the rollout of gift-demand: Could not reach the scoring service at http:\/\/127\.0\.0\.1:9/);
    expect(err.message).toContain('registry.json is back to the rollout it had before');
    const after = await readRegistry(modelsDir);
    expect(after.models['gift-demand'].aliases).toEqual(JSON.parse(before).models['gift-demand'].aliases);
    expect(after.models['gift-demand'].rollout).toMatchObject({ enabled: false, canary: 0 });
    expect(await lastLedger()).toMatchObject({ action: 'rollout', version: '2.2.0', result: 'fail', details: { step: 'canary', registry: 'restored' } });
  });

  it('--challenger 2.2.0 --canary 20 --shadow: loads 2.2.0 on the service, writes the registry, records the ledger, and the next /predict follows it', async () => {
    const result = await ModelRollout.run(args('--challenger', '2.2.0', '--canary', '20', '--shadow', '--json'));
    expectMatchesSchema('scoring-model-rollout', result);
    expect(result).toMatchObject({ step: 'canary', champion: '2.1.0', challenger: '2.2.0', rollout: { enabled: true, canary: 20, shadow: true }, rolloutKey: 'shop_id', loaded: ['2.2.0'], servicePersisted: true });

    const registry = await readRegistry(modelsDir);
    expect(registry.models['gift-demand'].aliases).toEqual({ champion: '2.1.0', challenger: '2.2.0' });
    expect(registry.models['gift-demand'].rollout).toMatchObject({ enabled: true, canary: 20, shadow: true });
    expect(registry.models['gift-demand'].versions['2.2.0'].status).toBe('staging');
    const sha = JSON.parse(await fs.readFile(path.join(modelsDir, 'gift-demand', '2.2.0', 'manifest.json'), 'utf8')).sha256 as string;
    expect(await lastLedger()).toMatchObject({
      action: 'rollout',
      model: 'gift-demand',
      version: '2.2.0',
      sha256: sha,
      result: 'ok',
      details: { step: 'canary', champion: '2.1.0', challenger: '2.2.0', enabled: true, canary: 20, shadow: true, servingSet: result.servingSet, loaded: ['2.2.0'] },
    });

    const canary = await predict(canaryShop);
    expect(canary.version).toBe('2.2.0');
    expect(canary.shadowVersion).toBe('2.1.0'); // shadow from the registry's state: the request did not ask
    const champion = await predict(championShop);
    expect(champion.version).toBe('2.1.0');
    for (const item of champion.body) expect(item.shadow!.expected_qty).toBeCloseTo(2 * item.expected_qty, 4);
  });

  it('tells a human what now serves', async () => {
    await ModelRollout.run(args('--canary', '20'));
    expect(ux.log.lastCall.args[0]).toMatch(/gift-demand rollout applied \(canary\): champion 2\.1\.0, challenger 2\.2\.0, on, canary 20%, shadow on\./);
  });

  it('--off: the kill switch, effective on the next request, in the registry and the ledger', async () => {
    const result = await ModelRollout.run(args('--off', '--json'));
    expect(result.rollout).toMatchObject({ enabled: false, canary: 20 });
    expect((await predict(canaryShop, true)).version).toBe('2.1.0');
    expect((await predict(canaryShop, true)).shadowVersion).toBeNull();
    expect((await readRegistry(modelsDir)).models['gift-demand'].rollout).toMatchObject({ enabled: false });
    expect(await lastLedger()).toMatchObject({ action: 'rollout', version: '2.2.0', result: 'ok', details: { step: 'off', enabled: false, before: { enabled: true, canary: 20 } } });
  });

  it('after the kill switch, --shadow alone switches the challenger back on for shadow scoring only (canary 0), --off again stops it', async () => {
    const result = await ModelRollout.run(args('--shadow', '--json'));
    expect(result.rollout).toMatchObject({ enabled: true, canary: 0, shadow: true });
    const out = await predict(canaryShop);
    expect(out.version).toBe('2.1.0'); // the canary shop is served by the champion again
    expect(out.shadowVersion).toBe('2.2.0');
    await ModelRollout.run(args('--off'));
    expect((await predict(canaryShop)).shadowVersion).toBeNull();
  });

  it('--promote is refused without a passing compare over one full ordering cycle, and says what is missing', async () => {
    const none = await refusal(ModelRollout.run(args('--promote')));
    expect(none.name).toBe('FullCycleVerdictMissingError');
    expect(none.message).toContain('details.cycles >= 1');
    expect(none.message).toContain('The ledger has no compare entry for it.');
    expect(none.actions?.[0]).toContain('sf scoring compare --name gift-demand --actuals');

    await appendLedger(modelsDir, { action: 'compare', model: 'gift-demand', version: '2.2.0', actor: 't', result: 'fail', details: { cycles: 1 } });
    expect((await refusal(ModelRollout.run(args('--promote')))).message).toContain('did not pass');
    await appendLedger(modelsDir, { action: 'compare', model: 'gift-demand', version: '2.2.0', actor: 't', result: 'ok', details: { cycles: 0 } });
    expect((await refusal(ModelRollout.run(args('--promote')))).message).toContain('less than one full ordering cycle');
    // A passing verdict about another artifact of the same version number does not count.
    await appendLedger(modelsDir, { action: 'compare', model: 'gift-demand', version: '2.2.0', sha256: 'f'.repeat(64), actor: 't', result: 'ok', details: { cycles: 1 } });
    await refusal(ModelRollout.run(args('--promote')));
    expect((await readRegistry(modelsDir)).models['gift-demand'].aliases.champion).toBe('2.1.0');
    await expect(ModelRollout.run(args('--promote', '--force'))).rejects.toThrow(/reason/);
  });

  it('--promote after a passing full-cycle compare: 2.2.0 champion, 2.1.0 kept (deprecated) for reversion', async () => {
    await appendLedger(modelsDir, { action: 'compare', model: 'gift-demand', version: '2.2.0', actor: 't', result: 'ok', details: { cycles: 1 } });
    const result = await ModelRollout.run(args('--promote', '--json'));
    expect(result).toMatchObject({ step: 'promote', champion: '2.2.0', challenger: null, rollout: { enabled: false, canary: 0, previousChampion: '2.1.0' }, forced: false });
    const registry = await readRegistry(modelsDir);
    expect(registry.models['gift-demand'].aliases).toEqual({ champion: '2.2.0' });
    expect(registry.models['gift-demand'].versions['2.2.0'].status).toBe('production');
    expect(registry.models['gift-demand'].versions['2.1.0']).toMatchObject({ status: 'deprecated', statusReason: expect.stringContaining('--revert') });
    await fs.access(path.join(modelsDir, 'gift-demand', '2.1.0', 'model.onnx')); // the artifact is kept
    expect(await lastLedger()).toMatchObject({ action: 'rollout', version: '2.2.0', result: 'ok', details: { step: 'promote', champion: '2.2.0', previousChampion: '2.1.0' } });
    const after = await predict(championShop);
    expect(after.version).toBe('2.2.0');
    expect(after.body[0].expected_qty).toBeGreaterThan(0);
  });

  it('--revert needs a reason, then puts 2.1.0 back on the next request and records it', async () => {
    expect((await refusal(ModelRollout.run(args('--revert')))).message).toContain('--revert needs --reason');
    const result = await ModelRollout.run(args('--revert', '--reason', 'weighted MAPE above the alert threshold', '--json'));
    expect(result).toMatchObject({ step: 'revert', champion: '2.1.0', challenger: null });
    expect(result.rollout.previousChampion).toBeUndefined();
    const registry = await readRegistry(modelsDir);
    expect(registry.models['gift-demand'].aliases.champion).toBe('2.1.0');
    expect(registry.models['gift-demand'].versions['2.1.0'].status).toBe('production');
    expect(registry.models['gift-demand'].versions['2.2.0']).toMatchObject({ status: 'deprecated', statusReason: 'reverted: weighted MAPE above the alert threshold' });
    expect(await lastLedger()).toMatchObject({ action: 'rollout', version: '2.2.0', reason: 'weighted MAPE above the alert threshold', result: 'ok', details: { step: 'revert', champion: '2.1.0' } });
    expect((await predict(championShop)).version).toBe('2.1.0');
    // Nothing left to revert to.
    expect((await refusal(ModelRollout.run(args('--revert', '--reason', 'again')))).name).toBe('NoPreviousError');
  });

  it('--promote --force --reason without a verdict: promoted, recorded as forced with what was missing, and warned', async () => {
    await ModelRollout.run(args('--challenger', '2.2.0', '--canary', '10'));
    // This test's own ledger loses its compare entries, so that no verdict exists (a real ledger is never rewritten).
    const file = path.join(modelsDir, 'ledger.jsonl');
    const kept = (await fs.readFile(file, 'utf8')).split('\n').filter((l) => l && JSON.parse(l).action !== 'compare');
    await fs.writeFile(file, `${kept.join('\n')}\n`);
    const result = await ModelRollout.run(args('--promote', '--force', '--reason', 'cycle 1 cut short by the holidays', '--json'));
    expect(result).toMatchObject({ step: 'promote', champion: '2.2.0', forced: true, forcedPast: 'The ledger has no compare entry for it.' });
    expect(ux.warn.firstCall.args[0]).toContain('Promoted without a passing full-cycle comparison: The ledger has no compare entry for it.');
    expect(await lastLedger()).toMatchObject({
      action: 'rollout',
      version: '2.2.0',
      result: 'forced',
      reason: 'cycle 1 cut short by the holidays',
      details: { step: 'promote', forcedPast: 'The ledger has no compare entry for it.' },
    });
    expect((await readRegistry(modelsDir)).models['gift-demand'].versions['2.2.0'].statusReason).toBe('promoted with --force: cycle 1 cut short by the holidays');
  });
});
