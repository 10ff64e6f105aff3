/** The real scoring service (scoring-service/dist/server.js) on a free loopback port, for contract tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from './models.js';

export type RealService = { url: string; apiKey: string; adminKey: string; stop(): Promise<void> };

const SERVER = path.join(REPO_ROOT, 'scoring-service', 'dist', 'server.js');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** `keys` lets replicas behind one balancer share their keys, as they must. */
export async function startRealService(modelsDir: string, timeoutMs = 90_000, keys?: { apiKey: string; adminKey: string }): Promise<RealService> {
  if (!existsSync(SERVER)) throw new Error('scoring-service/dist/server.js is missing: run `npm run build` first (npm test does).');
  const port = await freePort();
  const apiKey = keys?.apiKey ?? `plugin-test-${randomBytes(12).toString('hex')}`;
  const adminKey = keys?.adminKey ?? `plugin-admin-${randomBytes(12).toString('hex')}`;
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [SERVER], {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      MODELS_DIR: modelsDir,
      SCORING_API_KEYS: apiKey,
      SCORING_ADMIN_KEYS: adminKey,
      WORKERS: '1',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the scoring service exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${url}/v2/health/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the scoring service was not ready within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    apiKey,
    adminKey,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
