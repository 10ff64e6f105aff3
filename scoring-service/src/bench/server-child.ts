/**
 * The service under benchmark, in its own process (so the load generator does not share its
 * event loop). Listens on a free loopback port, reports it over IPC, and measures on request
 * its own event-loop delay and its own time per request: from the moment node has read the
 * request's headers to the moment the last byte of the response is handed to the socket.
 */
import { createServer, type ServerResponse } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { percentile } from './http';
import { loadConfig } from '../service/ops/config';
import { createLogger } from '../service/http/logger';
import { createService, type Service } from '../service/service';
import type { ScoringRecord } from '../features/pipeline';

/**
 * Floors to read the service's time against, in this same process, on plain node:http:
 *  - `/transport?bytes=N` reads the whole request body and answers N bytes of JSON, no other
 *    work: what loopback HTTP costs for these sizes;
 *  - `/minimal?model=M` does only what no scoring server can skip: JSON.parse of the body, the features
 *    (the served version's pipeline), the worker pool, and a JSON answer of ids and scores; no
 *    framework, validation, metrics or presentation.
 */
async function floorServer(service: Service): Promise<number> {
  const bodies = new Map<number, Buffer>();
  const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (url.pathname === '/minimal') {
        const text = Buffer.concat(chunks).toString('utf8');
        minimal(service, url.searchParams.get('model') ?? '', text, res).catch((err: Error) =>
          res.writeHead(500, { 'Content-Type': 'text/plain' }).end(err.message),
        );
        return;
      }
      const bytes = Number(url.searchParams.get('bytes') ?? 2);
      let body = bodies.get(bytes);
      if (!body) {
        body = Buffer.from(`"${'x'.repeat(Math.max(0, bytes - 2))}"`);
        bodies.set(bytes, body);
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

async function minimal(service: Service, model: string, text: string, res: ServerResponse): Promise<void> {
  const body = JSON.parse(text) as { version?: string; asOf?: string; records: ScoringRecord[] };
  const { served } = service.deps.host.current.resolve(model, body.version);
  const features = served.pipeline.transform(body.records, { asOf: body.asOf });
  const out = await service.deps.pool.run(served.key, features, body.records.length, served.manifest.model.columns);
  const results = body.records.map((r, i) => ({ id: r.id, score: out.scores[i] }));
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ results }));
}

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const service = await createService(config, { log: createLogger('silent') });
  let serviceMs: number[] = [];
  const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => serviceMs.push(Number(process.hrtime.bigint() - started) / 1e6));
    service.app(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const resolutionMs = 1;
  const delay = monitorEventLoopDelay({ resolution: resolutionMs });
  delay.enable();
  process.on('message', (msg: { cmd: string }) => {
    if (msg.cmd === 'eld-reset') {
      delay.reset();
      process.send!({ cmd: 'eld-reset' });
    } else if (msg.cmd === 'eld-read') {
      // The histogram holds the time between two ticks of a 1 ms timer, so an idle loop reads
      // about 1.1 ms; the delay is what exceeds the timer's interval.
      process.send!({
        cmd: 'eld-read',
        resolutionMs,
        p50: delay.percentile(50) / 1e6,
        p99: delay.percentile(99) / 1e6,
        max: delay.max / 1e6,
      });
    } else if (msg.cmd === 'times-reset') {
      serviceMs = [];
      process.send!({ cmd: 'times-reset' });
    } else if (msg.cmd === 'times-read') {
      const sorted = [...serviceMs].sort((a, b) => a - b);
      process.send!({
        cmd: 'times-read',
        count: sorted.length,
        median: percentile(sorted, 50),
        p99: percentile(sorted, 99),
      });
    } else if (msg.cmd === 'stop') {
      server.close();
      void service.close().then(() => process.exit(0));
    }
  });
  const floors = await floorServer(service);
  process.send!({
    cmd: 'ready',
    port: typeof address === 'object' && address ? address.port : 0,
    floorPort: floors,
    keys: service.generatedKeys,
    workers: service.deps.pool.size,
  });
}

void main();
