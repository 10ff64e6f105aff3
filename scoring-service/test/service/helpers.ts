/** Builds real service instances for in-process tests: real bundled models, real ONNX Runtime, real workers. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Worker } from 'node:worker_threads';
import { testConfig } from '../../src/service/ops/config';
import { createService, type Service } from '../../src/service/service';
import type { Manifest, Registry } from '../../src/manifest/schema';

export const MODELS_DIR = path.resolve(__dirname, '../../../models');
export const CLIENT_KEY = 'test-client-key-0123456789';
export const ADMIN_KEY = 'test-admin-key-0123456789';
export const auth = (key = CLIENT_KEY) => ({ Authorization: `Bearer ${key}` });

/** A copy of the bundled packages in a temp folder, so a test can change it. */
export function copyModels(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'scoring-models-'));
  cpSync(path.join(MODELS_DIR, 'registry.json'), path.join(dir, 'registry.json'));
  for (const model of ['lead-scoring', 'gift-demand'])
    cpSync(path.join(MODELS_DIR, model), path.join(dir, model), { recursive: true });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function editJson<T>(file: string, edit: (value: T) => void): void {
  const value = JSON.parse(readFileSync(file, 'utf8')) as T;
  edit(value);
  writeFileSync(file, JSON.stringify(value, null, 2));
}

export const editRegistry = (dir: string, edit: (r: Registry) => void) =>
  editJson<Registry>(path.join(dir, 'registry.json'), edit);
export const editManifest = (dir: string, model: string, version: string, edit: (m: Manifest) => void) =>
  editJson<Manifest>(path.join(dir, model, version, 'manifest.json'), edit);

export function readManifest(model: string, version: string, dir = MODELS_DIR): Manifest {
  return JSON.parse(readFileSync(path.join(dir, model, version, 'manifest.json'), 'utf8')) as Manifest;
}

/** Log lines written by the service under test (JSON), for checks on what is logged. */
export class LogCapture {
  readonly lines: Record<string, unknown>[] = [];
  write(line: string): void {
    this.lines.push(JSON.parse(line) as Record<string, unknown>);
  }
}

/**
 * A service on real models. Without MODELS_DIR it serves a copy of the bundled packages whose
 * registry pins lead-scoring's champion to 4.1.0 and challenger to 4.0.0, so tests do not
 * depend on the statuses the bundled registry happens to carry.
 */
export async function startService(
  env: Record<string, string> = {},
  options: { allowWorkerCrash?: boolean; logs?: LogCapture } = {},
): Promise<Service> {
  const copy = env.MODELS_DIR ? undefined : copyModels();
  if (copy) {
    editRegistry(copy.dir, (r) => {
      r.models['lead-scoring'].aliases = { champion: '4.1.0', challenger: '4.0.0' };
    });
  }
  const config = testConfig({
    MODELS_DIR: copy?.dir ?? MODELS_DIR,
    WORKERS: '2',
    SCORING_API_KEYS: CLIENT_KEY,
    SCORING_ADMIN_KEYS: ADMIN_KEY,
    LOG_LEVEL: options.logs ? 'debug' : 'silent',
    ...env,
  });
  const log = pino({ level: config.LOG_LEVEL }, options.logs ?? undefined);
  const service = await createService(config, { log, allowWorkerCrash: options.allowWorkerCrash });
  const close = service.close.bind(service);
  service.close = async () => {
    await close();
    copy?.cleanup();
  };
  return service;
}

/**
 * Raw ONNX Runtime (one thread, as the service runs it), the reference the service must match. It runs in a plain worker thread:
 * jest's module sandbox and ONNX Runtime's int64 outputs (BigInt64Array) do not mix.
 */
const RAW_ORT = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
(async () => {
  const session = await ort.InferenceSession.create(workerData.modelPath, { intraOpNumThreads: 1 });
  const outputs = await session.run({ [workerData.inputName]: new ort.Tensor('float32', Float32Array.from(workerData.features), workerData.dims) });
  const plain = {};
  for (const [name, t] of Object.entries(outputs)) plain[name] = { type: t.type, dims: [...t.dims], data: Array.from(t.data, (v) => (typeof v === 'bigint' ? Number(v) : v)) };
  parentPort.postMessage(plain);
})().catch((err) => parentPort.postMessage({ error: String(err) }));
`;

export type RawOutputs = Record<string, { type: string; dims: number[]; data: number[] }>;

export async function rawOrt(
  modelPath: string,
  inputName: string,
  features: Float32Array,
  dims: number[],
): Promise<RawOutputs> {
  const worker = new Worker(RAW_ORT, {
    eval: true,
    workerData: {
      ortPath: require.resolve('onnxruntime-node'),
      modelPath,
      inputName,
      features: Array.from(features),
      dims,
    },
  });
  try {
    const out = await new Promise<RawOutputs & { error?: unknown }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (out.error) throw new Error(String(out.error));
    return out;
  } finally {
    await worker.terminate();
  }
}

export async function rawPredict(
  model: string,
  version: string,
  features: Float32Array,
  rows: number,
  dir = MODELS_DIR,
): Promise<{ outputs: RawOutputs; scores: number[] }> {
  const manifest = readManifest(model, version, dir);
  const outputs = await rawOrt(path.join(dir, model, version, 'model.onnx'), manifest.model.inputName, features, [
    rows,
    manifest.model.columns,
  ]);
  const data = outputs[manifest.model.outputName].data;
  const perRow = data.length / rows;
  const scores = Array.from({ length: rows }, (_, r) => (perRow === 2 ? data[2 * r + 1] : data[r]));
  return { outputs, scores };
}

/** A realistic lead for lead-scoring 4.1.0 (every input present). */
export function sampleLead(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    lead_source: 'Referral',
    industry: 'Finance',
    seniority: 'Director',
    firm_type: 'Independent RIA',
    is_ia_rep: true,
    tenure_at_firm_months: 30,
    years_experience: 14,
    prior_firms: 3,
    mobility_score: 71.5,
    recent_mover: true,
    firm_bleeding: false,
    firm_aum_musd: 850,
    firm_headcount_change_pct: -4.5,
    licenses_count: 3,
    has_series_65: true,
    email_opens_90d: 9,
    email_clicks_90d: 3,
    web_visits_30d: 5,
    event_attended: false,
    last_activity_date: '2026-11-10',
    lead_created_date: '2026-08-01',
    has_phone: true,
    ...overrides,
  };
}

/** n leads with varied inputs and some missing values, deterministic. */
export function leads(n: number, prefix = 'lead'): { id: string; inputs: Record<string, unknown> }[] {
  const sources = ['Web', 'Referral', 'Event', 'Partner', 'Cold Call', 'LinkedIn', 'Purchased List'];
  return Array.from({ length: n }, (_, i) => {
    const inputs = sampleLead({
      lead_source: sources[i % sources.length],
      tenure_at_firm_months: (i * 7) % 180,
      mobility_score: (i * 13) % 100,
      email_opens_90d: i % 17,
      has_phone: i % 3 !== 0,
    });
    if (i % 5 === 0) delete inputs.years_experience;
    if (i % 7 === 0) inputs.industry = null;
    return { id: `${prefix}-${i}`, inputs };
  });
}
