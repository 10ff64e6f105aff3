/**
 * The service under benchmark, in its own process (so the load generator does not share its
 * event loop). Listens on a free loopback port, reports it over IPC, and measures its own
 * event-loop delay on request.
 */
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfig } from '../service/config';
import { createLogger } from '../service/logger';
import { createService } from '../service/service';

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const service = await createService(config, { log: createLogger('silent') });
  const server = createServer({ keepAliveTimeout: 30_000 }, service.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  process.on('message', (msg: { cmd: string }) => {
    if (msg.cmd === 'eld-reset') {
      delay.reset();
      process.send!({ cmd: 'eld-reset' });
    } else if (msg.cmd === 'eld-read') {
      process.send!({
        cmd: 'eld-read',
        p50: delay.percentile(50) / 1e6,
        p99: delay.percentile(99) / 1e6,
        max: delay.max / 1e6,
      });
    } else if (msg.cmd === 'stop') {
      server.close();
      void service.close().then(() => process.exit(0));
    }
  });
  process.send!({
    cmd: 'ready',
    port: typeof address === 'object' && address ? address.port : 0,
    keys: service.generatedKeys,
    workers: service.deps.pool.size,
  });
}

void main();
