/**
 * The optional reference of `npm run bench`: FastAPI + XGBoost's pred_contribs, in Debian's
 * python3-fastapi, python3-uvicorn and python3-xgboost, run with /usr/bin/python3. When they
 * are missing the bench says so and prints the service's own figures alone.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const PYTHON = '/usr/bin/python3';

/** Why the reference cannot run here, or undefined when it can. */
export function referenceMissing(modules: string[]): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0)
    return `${PYTHON} cannot import ${modules.join(', ')} (Debian: ${modules.map((m) => `python3-${m}`).join(', ')})`;
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/health' }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
  });
}

export interface ReferenceServer {
  port: number;
  stop(): Promise<void>;
}

/** uvicorn with `workers` processes serving reference_fastapi.py on the model file. */
export async function startReferenceServer(modelFile: string, workers: number): Promise<ReferenceServer> {
  const appDir = [__dirname, path.resolve(__dirname, '../../src/bench')].find((d) =>
    existsSync(path.join(d, 'reference_fastapi.py')),
  );
  if (!appDir) throw new Error('reference_fastapi.py not found next to the bench');
  const port = await freePort();
  const child: ChildProcess = spawn(
    PYTHON,
    [
      '-m',
      'uvicorn',
      'reference_fastapi:app',
      '--app-dir',
      appDir,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--workers',
      String(workers),
      '--log-level',
      'warning',
      '--no-access-log',
    ],
    {
      env: { ...process.env, REFERENCE_MODEL: modelFile, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
      stdio: ['ignore', 'ignore', 'inherit'],
      detached: true,
    },
  );
  const deadline = Date.now() + 60_000;
  while (!(await healthy(port))) {
    if (child.exitCode !== null) throw new Error(`the reference server exited with code ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('the reference server did not answer /health within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    port,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        process.kill(-child.pid!, 'SIGTERM'); // uvicorn's workers too
      }),
  };
}

const CONTRIBS_SCRIPT = `
import json, sys, time
import numpy as np
import xgboost as xgb
model, rows_file, threads, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rows = np.array([[np.nan if v is None else v for v in r] for r in json.load(open(rows_file))], dtype=np.float32)
booster = xgb.Booster(model_file=model)
booster.set_param({"nthread": threads})
data = xgb.DMatrix(rows, missing=np.nan, nthread=threads, feature_names=booster.feature_names)
booster.predict(data, pred_contribs=True)
times = []
for _ in range(repeats):
    start = time.perf_counter()
    booster.predict(data, pred_contribs=True)
    times.append((time.perf_counter() - start) * 1000)
times.sort()
print(json.dumps({"version": xgb.__version__, "medianMs": times[len(times) // 2], "bestMs": times[0]}))
`;

/** XGBoost's pred_contribs on `rows` in its own process with `threads` threads: median and best of `repeats`. */
export function xgboostContribs(
  modelFile: string,
  rows: (number | null)[][],
  threads: number,
  repeats: number,
): { version: string; medianMs: number; bestMs: number } {
  const work = mkdtempSync(path.join(tmpdir(), 'bench-ref-'));
  try {
    const rowsFile = path.join(work, 'rows.json');
    writeFileSync(rowsFile, JSON.stringify(rows));
    const run = spawnSync(PYTHON, ['-c', CONTRIBS_SCRIPT, modelFile, rowsFile, String(threads), String(repeats)], {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: String(threads) },
    });
    if (run.status !== 0) throw new Error(`XGBoost's pred_contribs run failed: ${run.stderr.trim().split('\n').pop()}`);
    return JSON.parse(run.stdout.trim().split('\n').pop()!) as { version: string; medianMs: number; bestMs: number };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
