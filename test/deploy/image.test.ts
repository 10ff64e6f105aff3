/**
 * The OCI image's file layout, proven without a container engine: scripts/image/assemble.sh lays
 * out /app with deploy/Dockerfile's own commands, and the service is started from that tree the
 * way the image runs it: as another user than the files' owner, nothing writable, models read-only,
 * the Dockerfile's HEALTHCHECK command as the probe, SIGTERM to stop.
 * (docs/operations.md, "The image", says what was also proven with buildah on the real image.)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

jest.setTimeout(600_000);

const ROOT = path.resolve(__dirname, '../..');
const DOCKERFILE = readFileSync(path.join(ROOT, 'deploy/Dockerfile'), 'utf8');
const ASSEMBLE = path.join(ROOT, 'scripts/image/assemble.sh');
const CLIENT_KEY = 'image-test-client-key-0123456789';

/** The Dockerfile's instructions with continuation lines joined. */
const instructions = DOCKERFILE.replace(/\\\n/g, ' ')
  .split('\n')
  .filter((l) => l.trim() && !l.trim().startsWith('#'))
  .map((l) => l.replace(/\s+/g, ' ').trim());
const collapse = (s: string) => s.replace(/\\\n/g, ' ').replace(/\s+/g, ' ');

function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      out.push(`${path.relative(dir, full)} ${statSync(full).mtimeMs}`);
      if (entry.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return out.sort();
}

function chmodTree(dir: string, dirMode: number, fileMode: number): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) chmodTree(full, dirMode, fileMode);
    else if (entry.isFile()) chmodSync(full, fileMode);
  }
  chmodSync(dir, dirMode);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
    server.on('error', reject);
  });
}

describe('deploy/Dockerfile', () => {
  it('builds on node:20-bookworm-slim (glibc), runs as node, probes the live route and stops with SIGTERM', () => {
    expect(instructions).toContain('ARG NODE_IMAGE=node:20-bookworm-slim');
    expect(instructions.filter((l) => l.startsWith('FROM ')).map((l) => l.split(' ')[1])).toEqual([
      '${NODE_IMAGE}',
      '${NODE_IMAGE}',
      '${NODE_IMAGE}',
    ]);
    expect(instructions).toContain('USER node');
    expect(instructions).toContain('STOPSIGNAL SIGTERM');
    expect(instructions.find((l) => l.startsWith('HEALTHCHECK'))).toContain("path:'/v2/health/live'");
    expect(instructions.at(-1)).toBe('CMD ["node", "scoring-service/dist/server.js"]');
  });

  it('compiles with the TypeScript and @types/node versions package-lock.json pins', () => {
    const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
    for (const pkg of ['typescript', '@types/node'])
      expect(DOCKERFILE).toContain(` ${pkg}@${lock.packages[`node_modules/${pkg}`].version}`);
  });

  it('runs the same commands as scripts/image/assemble.sh', () => {
    const script = collapse(readFileSync(ASSEMBLE, 'utf8'));
    const runs = instructions.filter((l) => l.startsWith('RUN ')).map((l) => l.slice(4).split(' && '));
    expect(runs.length).toBe(3);
    for (const command of runs.flat())
      expect(script).toContain(command.replace('/tmp/prune-onnxruntime.js', '"$WORK/prune-onnxruntime.js"'));
  });
});

describe('the image layout, assembled and started', () => {
  let work: string;
  let app: string;
  let port: number;
  let service: ChildProcess | undefined;
  let exit: Promise<number | null>;
  let before: string[];
  const healthcheck = JSON.parse(
    instructions.find((l) => l.startsWith('HEALTHCHECK'))!.replace(/^HEALTHCHECK .*? CMD /, ''),
  ) as string[];
  // Root owns the files; the service runs as another user, like `USER node` over root-owned COPYs.
  const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const probe = () =>
    spawnSync(healthcheck[0] === 'node' ? process.execPath : healthcheck[0], healthcheck.slice(1), {
      env: { PORT: String(port) },
      timeout: 10_000,
    }).status;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'image-layout-'));
    app = path.join(work, 'app');
    const assembled = spawnSync('bash', [ASSEMBLE, app], { encoding: 'utf8', timeout: 540_000 });
    if (assembled.status !== 0) throw new Error(`assemble.sh failed:\n${assembled.stderr}\n${assembled.stdout}`);
    chmodTree(app, 0o555, 0o444);
    chmodSync(work, 0o555);
    before = listTree(app);
    port = await freePort();
    service = spawn(process.execPath, ['scoring-service/dist/server.js'], {
      cwd: app,
      ...asUser,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        PORT: String(port),
        HOST: '127.0.0.1',
        MODELS_DIR: path.join(app, 'models'),
        WORKERS: '1',
        SCORING_API_KEYS: CLIENT_KEY,
        SCORING_ADMIN_KEYS: 'image-test-admin-key-0123456789',
        HOME: '/nonexistent',
        WORKER_NICE: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    service.stdout!.on('data', (d) => (output += d));
    service.stderr!.on('data', (d) => (output += d));
    exit = new Promise((resolve) => service!.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 90_000;
    for (;;) {
      const ready = await fetch(`http://127.0.0.1:${port}/v2/health/ready`).then(
        (r) => r.status,
        () => 0,
      );
      if (ready === 200) break;
      if (Date.now() > deadline || service.exitCode !== null)
        throw new Error(`the service did not become ready (last status ${ready}):\n${output}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  });

  afterAll(async () => {
    if (service && service.exitCode === null) {
      service.kill('SIGKILL');
      await exit;
    }
    if (work && existsSync(work)) {
      chmodTree(work, 0o755, 0o644);
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('holds the linux-x64 ONNX Runtime binaries and no other platform', () => {
    const bin = path.join(app, 'node_modules/onnxruntime-node/bin');
    const platforms = readdirSync(bin).flatMap((napi) =>
      readdirSync(path.join(bin, napi)).flatMap((p) => readdirSync(path.join(bin, napi, p)).map((a) => `${p}/${a}`)),
    );
    expect(platforms).toEqual(['linux/x64']);
    expect(existsSync(path.join(app, 'node_modules/typescript'))).toBe(false);
    expect(existsSync(path.join(app, 'node_modules/jest'))).toBe(false);
  });

  it('answers the live route, the Dockerfile HEALTHCHECK passes, and a lead is scored', async () => {
    const live = await fetch(`http://127.0.0.1:${port}/v2/health/live`);
    expect(live.status).toBe(200);
    expect(probe()).toBe(0);
    const res = await fetch(`http://127.0.0.1:${port}/v1/models/lead-scoring/score`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${CLIENT_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ records: [{ id: 'L1', inputs: { lead_source: 'Referral', industry: 'Finance' } }] }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { model: string; results: { id: string; score: number }[] };
    expect(body.model).toBe('lead-scoring');
    expect(body.results[0].id).toBe('L1');
    expect(body.results[0].score).toBeGreaterThan(0);
    expect(body.results[0].score).toBeLessThan(1);
  });

  it('stops with exit code 0 on SIGTERM, after which the HEALTHCHECK fails, having written nothing in /app', async () => {
    service!.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(probe()).toBe(1);
    expect(listTree(app)).toEqual(before);
  });
});
