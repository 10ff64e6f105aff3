/**
 * The replica check `model deploy` runs before it switches an org: the URL is sampled on fresh
 * connections and every answer must come from one serving set that serves the package's artifact;
 * otherwise it retries for a bounded time, then refuses naming each set seen and how many answers.
 * Against a stand-in whose answers disagree on purpose, and against two real service processes
 * behind a round-robin TCP forwarder (a balancer that spreads connections).
 */
import { promises as fs } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { ServiceClient } from '../src/lib/service/client.js';
import { checkReplicasAgree, replicaCheckOptions } from '../src/lib/service/replicas.js';
import { buildModelsDir } from './helpers/models.js';
import { readManifest } from './helpers/org-fixtures.js';
import { startRealService, type RealService } from './helpers/real-service.js';

const SHA = 'a'.repeat(64);
const target = { model: 'lead-scoring', version: '4.1.0', sha256: SHA };
const quick = { samples: 6, withinMs: 0, pauseMs: 10 };

type Answer = { digest: string; status?: number; sha256?: string };

/** Answers the version route; `answer(n)` decides the n-th connection's answer. Counts connections. */
async function standIn(answer: (n: number) => Answer): Promise<{ url: string; connections: () => number; close(): Promise<void> }> {
  let requests = 0;
  let connections = 0;
  const server = http.createServer((_req, res) => {
    const a = answer(requests++);
    res.writeHead(a.status ?? 200, { 'content-type': 'application/json', 'serving-set': a.digest });
    res.end(JSON.stringify({ name: 'lead-scoring', version: '4.1.0', sha256: a.sha256 ?? SHA }));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}`, connections: () => connections, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('the replica check against a stand-in', () => {
  it('agrees when every answer names one set serving the artifact, each sample on its own connection', async () => {
    const s = await standIn(() => ({ digest: '1111111111111111' }));
    try {
      const agreed = await checkReplicasAgree(new ServiceClient({ baseUrl: s.url }), s.url, target, quick);
      expect(agreed).toEqual({ digest: '1111111111111111', samples: 6, rounds: 1 });
      expect(s.connections()).toBe(6);
    } finally {
      await s.close();
    }
  });

  it('refuses when replicas answer from two sets, naming each digest and how many answers', async () => {
    const s = await standIn((n) => (n % 3 === 0 ? { digest: '2222222222222222', status: 404 } : { digest: '1111111111111111' }));
    try {
      const err = await checkReplicasAgree(new ServiceClient({ baseUrl: s.url }), s.url, target, quick).catch((e: Error) => e);
      expect(err).toMatchObject({ name: 'ServiceReplicasDifferError' });
      const { message } = err as Error;
      expect(message).toContain(`The replicas behind ${s.url} do not all serve the same models`);
      expect(message).toContain("- Serving-Set 1111111111111111: serves lead-scoring 4.1.0 with the package's sha256 (4 of 6 answers)");
      expect(message).toContain('- Serving-Set 2222222222222222: does not serve lead-scoring 4.1.0 (2 of 6 answers)');
      expect(message).toContain('The org was not changed');
    } finally {
      await s.close();
    }
  });

  it('refuses one set that serves another artifact under the version', async () => {
    const s = await standIn(() => ({ digest: '3333333333333333', sha256: 'b'.repeat(64) }));
    try {
      await expect(checkReplicasAgree(new ServiceClient({ baseUrl: s.url }), s.url, target, quick)).rejects.toThrow(
        `serves lead-scoring 4.1.0 with sha256 ${'b'.repeat(64)}, not the package's (6 of 6 answers)`,
      );
    } finally {
      await s.close();
    }
  });

  it('retries while the replicas catch up, and goes on once they agree', async () => {
    // The first two rounds see a replica still on the old set; then it has reloaded.
    const s = await standIn((n) => ({ digest: n < 12 && n % 2 === 1 ? '4444444444444444' : '5555555555555555' }));
    try {
      const agreed = await checkReplicasAgree(new ServiceClient({ baseUrl: s.url }), s.url, target, { ...quick, withinMs: 30_000 });
      expect(agreed).toEqual({ digest: '5555555555555555', samples: 6, rounds: 3 });
    } finally {
      await s.close();
    }
  });

  it('counts a replica that does not answer, and an answer without the header', async () => {
    const s = await standIn(() => ({ digest: '' }));
    const url = s.url;
    await s.close();
    await expect(checkReplicasAgree(new ServiceClient({ baseUrl: url }), url, target, quick)).rejects.toThrow(/Serving-Set \(none\): no answer \(.*ECONNREFUSED.*\) \(6 of 6 answers\)/);
  });

  it('reads its bounds from the environment, and refuses a bad one naming the variable', () => {
    expect(replicaCheckOptions({ SCORING_REPLICA_SAMPLES: '30', SCORING_REPLICA_WAIT_SECONDS: '5' })).toMatchObject({ samples: 30, withinMs: 5000 });
    expect(replicaCheckOptions({})).toMatchObject({ samples: 12, withinMs: 60_000 });
    expect(() => replicaCheckOptions({ SCORING_REPLICA_SAMPLES: 'lots' })).toThrow('SCORING_REPLICA_SAMPLES is lots; it must be a whole number from 1 to 200.');
  });
});

/** A balancer that spreads connections: each new one goes to the next replica in turn. */
async function roundRobin(ports: number[]): Promise<{ url: string; close(): Promise<void> }> {
  let next = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(ports[next++ % ports.length], '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('the replica check against two real service processes behind a balancer', () => {
  let dirs: string[];
  let replicas: RealService[];
  let balancer: { url: string; close(): Promise<void> };
  let sha410: string;

  beforeAll(async () => {
    dirs = [await buildModelsDir(), await buildModelsDir()];
    sha410 = (await readManifest(dirs[0], '4.1.0')).sha256;
    // The second replica's registry does not list 4.1.0 yet: it was deployed to the first only.
    const registryFile = path.join(dirs[1], 'registry.json');
    const registry = JSON.parse(await fs.readFile(registryFile, 'utf8'));
    delete registry.models['lead-scoring'].versions['4.1.0'];
    registry.models['lead-scoring'].aliases = { champion: '4.0.0' };
    await fs.writeFile(registryFile, JSON.stringify(registry));
    const keys = { apiKey: 'replica-test-client-key-0123', adminKey: 'replica-test-admin-key-0123' };
    replicas = await Promise.all(dirs.map((dir) => startRealService(dir, 90_000, keys)));
    balancer = await roundRobin(replicas.map((r) => Number(new URL(r.url).port)));
  }, 180_000);
  afterAll(async () => {
    await balancer?.close();
    await Promise.all((replicas ?? []).map((r) => r.stop()));
    await Promise.all((dirs ?? []).map((d) => fs.rm(d, { recursive: true, force: true })));
  });

  const digestOf = async (r: RealService): Promise<string> => {
    const res = await fetch(`${r.url}/v1/models`, { headers: { authorization: `Bearer ${r.apiKey}` } });
    return ((await res.json()) as { servingSet: string }).servingSet;
  };

  it('refuses while one replica lacks the version, naming both serving sets', async () => {
    const client = new ServiceClient({ baseUrl: balancer.url, apiKey: replicas[0].apiKey });
    const [first, second] = [await digestOf(replicas[0]), await digestOf(replicas[1])];
    expect(first).not.toBe(second);
    const err = await checkReplicasAgree(client, balancer.url, { ...target, sha256: sha410 }, quick).catch((e: Error) => e);
    expect((err as Error).message).toContain(`- Serving-Set ${first}: serves lead-scoring 4.1.0 with the package's sha256 (3 of 6 answers)`);
    expect((err as Error).message).toContain(`- Serving-Set ${second}: does not serve lead-scoring 4.1.0 (3 of 6 answers)`);
  });

  it('agrees once the second replica serves the same set', async () => {
    // Bring the second replica's registry level with the first's and reload it on its own address.
    await fs.copyFile(path.join(dirs[0], 'registry.json'), path.join(dirs[1], 'registry.json'));
    const reload = await fetch(`${replicas[1].url}/v1/admin/reload`, { method: 'POST', headers: { authorization: `Bearer ${replicas[1].adminKey}` } });
    expect(reload.status).toBe(200);
    const client = new ServiceClient({ baseUrl: balancer.url, apiKey: replicas[0].apiKey });
    const agreed = await checkReplicasAgree(client, balancer.url, { ...target, sha256: sha410 }, quick);
    expect(agreed.digest).toBe(await digestOf(replicas[0]));
    expect(agreed.digest).toBe(await digestOf(replicas[1]));
  });
});
