/**
 * A models directory for tests: lead-scoring 4.0.0 and 4.1.0 imported with the real importer
 * from the committed training artifacts, the golden files beside them, 4.0.0 as champion.
 */
import { promises as fs, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importXgboostFile } from '@lead-scoring/scoring-service/importer';
import { setAlias, setStatus } from '@lead-scoring/scoring-service/package';

export const REPO_ROOT = path.resolve(__dirnameOf(import.meta.url), '..', '..', '..');
const ARTIFACTS = path.join(REPO_ROOT, 'models', 'training', 'artifacts', 'lead-scoring');
const GOLDEN = path.join(REPO_ROOT, 'models', 'golden');

function __dirnameOf(url: string): string {
  return path.dirname(new URL(url).pathname);
}

let template: Promise<string> | undefined;

/** A fresh copy of the models directory (built once per test file, then copied). */
export async function buildModelsDir(): Promise<string> {
  template ??= importModels();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scoring-plugin-models-'));
  await fs.cp(await template, dir, { recursive: true });
  return dir;
}

async function importModels(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scoring-plugin-template-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  for (const version of ['4.0.0', '4.1.0']) {
    await importXgboostFile({
      xgboostFile: path.join(ARTIFACTS, version, 'xgboost.json'),
      metadataFile: path.join(ARTIFACTS, version, 'metadata.json'),
      name: 'lead-scoring',
      version,
      modelsDir: dir,
      actor: 'test',
    });
  }
  await fs.mkdir(path.join(dir, 'golden'));
  for (const version of ['4.0.0', '4.1.0']) {
    await fs.copyFile(path.join(GOLDEN, `lead-scoring-${version}.json`), path.join(dir, 'golden', `lead-scoring-${version}.json`));
  }
  await setStatus(dir, 'lead-scoring', '4.0.0', 'production');
  await setAlias(dir, 'lead-scoring', 'champion', '4.0.0');
  return dir;
}

export async function readLedgerLines(dir: string): Promise<Record<string, unknown>[]> {
  const text = await fs.readFile(path.join(dir, 'ledger.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
