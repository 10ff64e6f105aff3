/**
 * Starts the real scoring service (the built server, as `npm start` runs it) on a free port for browser tests,
 * and stops it again. Readiness is the service's own /v2/health/ready.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../../..');
const SERVER = path.join(REPO, 'scoring-service/dist/server.js');

export interface RunningService {
  url: string;
  apiKey: string;
  stop(): Promise<void>;
  /** What the process wrote, for failure messages (the service never logs input values). */
  output(): string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilReady(
  url: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`The scoring service exited with code ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${url}/v2/health/ready`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`The scoring service was not ready within ${timeoutMs} ms:\n${output()}`);
}

export async function startScoringService(timeoutMs = 60000): Promise<RunningService> {
  if (!fs.existsSync(SERVER)) {
    throw new Error(`${path.relative(REPO, SERVER)} is missing: run \`npm run build\` first (npm test does).`);
  }
  const port = await freePort();
  const apiKey = `browser-test-${randomBytes(16).toString('hex')}`;
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child = spawn(process.execPath, [SERVER], {
    cwd: REPO,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      MODELS_DIR: path.join(REPO, 'models'),
      SCORING_API_KEYS: apiKey,
      // The test starts its own preview; the service must not open the default preview port.
      PREVIEW: 'off',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => (log += chunk));
  child.stderr?.on('data', (chunk) => (log += chunk));
  const output = () => log.slice(-4000);
  try {
    await waitUntilReady(url, child, output, timeoutMs);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  // SIGTERM lets the service finish in-flight requests; if it has not exited after its grace period, SIGKILL.
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const force = setTimeout(() => child.kill('SIGKILL'), 15000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
  return { url, apiKey, stop, output };
}
