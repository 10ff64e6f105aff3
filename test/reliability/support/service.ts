/**
 * The real service for reliability tests, two ways: in-process (createService + a listening
 * node:http server on 127.0.0.1, so requests travel over real sockets) and as the built server
 * process (`node scoring-service/dist/server.js`, as `npm start` runs it) for signals and start-up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import path from 'node:path';
import type { Service } from '../../../scoring-service/src/service/service';
import { LogCapture, startService } from '../../../scoring-service/test/service/helpers';
import { HttpClient } from './http';

export {
  ADMIN_KEY,
  CLIENT_KEY,
  copyModels,
  editRegistry,
  leads,
  LogCapture,
  MODELS_DIR,
  sampleLead,
} from '../../../scoring-service/test/service/helpers';

export const REPO = path.resolve(__dirname, '../../..');
export const SERVER_JS = path.join(REPO, 'scoring-service/dist/server.js');

export interface Listening {
  service: Service;
  url: string;
  client: HttpClient;
  server: Server;
  close(): Promise<void>;
}

/** Starts a service in-process and listens on a free loopback port. */
export async function listenService(
  env: Record<string, string> = {},
  options: { allowWorkerCrash?: boolean; logs?: LogCapture } = {},
): Promise<Listening> {
  const service = await startService(env, options);
  const server = createServer(service.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new HttpClient(url);
  return {
    service,
    url,
    client,
    server,
    async close() {
      client.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await service.close();
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** JSON log lines written so far. */
  logs(): Record<string, unknown>[];
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): void;
}

/** Spawns the built server (`npm run build` first; `npm test` does) on a free loopback port. */
export async function spawnServer(
  env: Record<string, string>,
  options: { uid?: number; gid?: number } = {},
): Promise<ServerProcess> {
  if (!existsSync(SERVER_JS))
    throw new Error(`${path.relative(REPO, SERVER_JS)} is missing: run \`npm run build\` first (npm test does).`);
  const port = await freePort();
  let out = '';
  const child = spawn(process.execPath, [SERVER_JS], {
    cwd: REPO,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      PREVIEW: 'off',
      WORKERS: '2',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    uid: options.uid,
    gid: options.gid,
  });
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => out,
    logs: () =>
      out
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Polls a health route until it answers `status` (or the process exits). */
export async function waitFor(proc: ServerProcess, route: string, status: number, timeoutMs = 90_000): Promise<void> {
  const client = new HttpClient(proc.url, 1);
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (proc.child.exitCode !== null)
        throw new Error(`the server exited with code ${proc.child.exitCode}:\n${proc.output().slice(-3000)}`);
      try {
        const res = await client.send({ method: 'GET', path: route });
        if (res.status === status) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    throw new Error(`${route} did not answer ${status} within ${timeoutMs} ms:\n${proc.output().slice(-3000)}`);
  } finally {
    client.close();
  }
}
