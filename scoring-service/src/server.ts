/**
 * The scoring service process: configuration, listen, signals. SIGHUP reloads the models;
 * SIGTERM/SIGINT stop accepting work, let running requests finish (up to SHUTDOWN_GRACE_MS),
 * then exit.
 */
import { createServer, type Server } from 'node:http';
import { banner } from './service/ops/banner';
import { ConfigError, loadConfig, type Config } from './service/ops/config';
import { createLogger } from './service/http/logger';
import { createService, type Service } from './service/service';

/** Something started next to the service (the root launcher's component preview), shown in the banner and closed on shutdown. */
export interface Companion {
  url: string;
  close(): Promise<void>;
}

export interface MainOptions {
  /**
   * Called once the models are loaded, before the banner, with the service's own URL and a
   * client key; what it returns is shown in the banner as the preview and closed on shutdown.
   * Run directly (node scoring-service/dist/server.js), the service starts nothing else.
   */
  withPreview?: (service: { url: string; clientKey: string }) => Promise<Companion | undefined>;
}

export async function main(options: MainOptions = {}): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nThe service did not start. See docs/service.md for every setting.\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.LOG_LEVEL);
  const service: Service = await createService(config, { log, loadInBackground: true });
  const server: Server = createServer(service.app);
  server.listen({ port: config.PORT, host: config.HOST });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  }).catch((err: Error) => {
    log.fatal({ err: err.message }, 'cannot listen');
    process.exit(1);
  });
  server.requestTimeout = config.REQUEST_TIMEOUT_MS;
  server.headersTimeout = Math.min(config.REQUEST_TIMEOUT_MS, 20_000);
  server.keepAliveTimeout = 10_000;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const host = config.HOST && config.HOST !== '0.0.0.0' && config.HOST !== '::' ? config.HOST : 'localhost';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const clientKey = service.generatedKeys?.client ?? config.SCORING_API_KEYS[0] ?? config.SCORING_ADMIN_KEYS[0];
  log.info({ port, workers: service.deps.pool.size }, 'listening; loading models');
  await service.loaded;
  let preview: Companion | undefined;
  if (options.withPreview) {
    try {
      const own = config.HOST && config.HOST !== '0.0.0.0' && config.HOST !== '::' ? url : `http://127.0.0.1:${port}`;
      preview = await options.withPreview({ url: own, clientKey });
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'the component preview did not start');
    }
  }
  process.stdout.write(
    banner({
      url,
      set: service.deps.host.current,
      keys: service.generatedKeys,
      clientKey: service.generatedKeys ? undefined : '<a key from SCORING_API_KEYS>',
      previewUrl: preview?.url,
    }) + '\n',
  );

  process.on('SIGHUP', () => {
    log.info('SIGHUP: reloading models');
    service.deps.host
      .reload()
      .catch((err: Error) =>
        log.error({ reason: err.message }, 'reload failed; the previous serving set keeps serving'),
      );
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(
      { signal, graceMs: config.SHUTDOWN_GRACE_MS },
      'shutting down: refusing new work, finishing running requests',
    );
    service.deps.state.shuttingDown = true;
    const force = setTimeout(() => {
      log.error('grace period over; exiting with requests still running');
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS);
    force.unref();
    // Keep-alive sockets go idle as their last response ends; close them as they do, so close() can finish.
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    server.close(() => {
      clearInterval(idle);
      void Promise.all([service.close(), preview?.close()]).then(() => {
        log.info('stopped');
        process.exit(0);
      });
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`The scoring service failed to start: ${err.message}\n`);
    process.exit(1);
  });
}
