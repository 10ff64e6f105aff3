jest.setTimeout(180_000);

import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { copyModels, editManifest, editRegistry } from './helpers';

const SERVER = path.resolve(__dirname, '../../src/server.ts');

/**
 * The real server process (src/server.ts through tsx), on a free port, with its stdout collected;
 * `script` instead runs that code (which may call the server's main itself).
 */
function startServer(
  env: Record<string, string>,
  script?: string,
): {
  child: ChildProcess;
  output: () => string;
  waitFor: (re: RegExp) => Promise<RegExpMatchArray>;
} {
  const child = spawn(
    process.execPath,
    ['--require', require.resolve('tsx/cjs'), ...(script ? ['-e', script] : [SERVER])],
    {
      env: {
        PATH: process.env.PATH,
        PORT: '0',
        HOST: '127.0.0.1',
        WORKERS: '1',
        LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const waitFor = (re: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const m = re.exec(out);
        if (m) {
          clearInterval(timer);
          resolve(m);
        }
      };
      const timer = setInterval(check, 50);
      child.once('exit', () => {
        clearInterval(timer);
        const m = re.exec(out);
        if (m) resolve(m);
        else reject(new Error(`server exited without printing ${re}:\n${out}`));
      });
    });
  return { child, output: () => out, waitFor };
}

describe('the server process', () => {
  it('refuses a bad setting at start with a message naming it', async () => {
    const server = startServer({ PORT: 'eighty' });
    const code = await new Promise((resolve) => server.child.once('exit', resolve));
    expect(code).toBe(2);
    expect(server.output()).toContain('PORT');
    expect(server.output()).toContain('did not start');
  });

  it('prints generated keys and a working curl, reloads on SIGHUP, and exits cleanly on SIGTERM', async () => {
    const models = copyModels();
    try {
      const server = startServer({ MODELS_DIR: models.dir });
      const [, url] = await server.waitFor(/listening on (http:\/\/\S+)/);
      const [, key] = await server.waitFor(/API key: +(sk_\S+)/);
      await server.waitFor(/admin key: +ak_\S+/);
      const [curl] = await server.waitFor(/curl -s \S+\/score .*\n/);
      // Run the printed curl's request with fetch: the body it prints must score.
      const body = /-d '(.*)'\s*$/.exec(curl.trim())![1];
      const scored = await fetch(`${url}/v1/models/lead-scoring/score`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body,
      });
      expect(scored.status).toBe(200);
      const json = (await scored.json()) as { results: { explanation: { reasons: unknown[] } }[] };
      expect(json.results[0].explanation.reasons).toHaveLength(3);

      cpSync(path.join(models.dir, 'lead-scoring', '4.1.0'), path.join(models.dir, 'lead-scoring', '4.1.1'), {
        recursive: true,
      });
      editManifest(models.dir, 'lead-scoring', '4.1.1', (m) => {
        m.version = '4.1.1';
      });
      editRegistry(models.dir, (r) => {
        r.models['lead-scoring'].versions['4.1.1'] = {
          ...r.models['lead-scoring'].versions['4.1.0'],
          status: 'candidate',
          path: 'lead-scoring/4.1.1',
        };
      });
      server.child.kill('SIGHUP');
      await server.waitFor(/"msg":"serving set loaded"[^\n]*\n[\s\S]*"msg":"serving set loaded"/);
      const models2 = await fetch(`${url}/v1/models/lead-scoring`, { headers: { Authorization: `Bearer ${key}` } });
      const versions = ((await models2.json()) as { versions: { version: string }[] }).versions.map((v) => v.version);
      expect(versions).toContain('4.1.1');

      server.child.kill('SIGTERM');
      const code = await new Promise((resolve) => server.child.once('exit', resolve));
      expect(code).toBe(0);
      expect(server.output()).toContain('"msg":"stopped"');
      // Run directly, the service starts no preview (the root launcher does, through main's withPreview).
      expect(server.output()).not.toContain('preview');
    } finally {
      models.cleanup();
    }
  });

  it("starts a launcher's preview once the models are loaded, shows its URL in the banner and closes it on SIGTERM", async () => {
    const models = copyModels();
    try {
      // The preview asks the service for its models with the key it was given, as the component preview does.
      const launcher = `
        require(${JSON.stringify(SERVER)}).main({
          withPreview: async ({ url, clientKey }) => {
            const res = await fetch(url + '/v1/models', { headers: { Authorization: 'Bearer ' + clientKey } });
            const names = (await res.json()).models.map((m) => m.name).join(',');
            process.stdout.write('preview saw ' + res.status + ' ' + names + '\\n');
            return { url: 'http://127.0.0.1:9/preview', close: async () => process.stdout.write('preview closed\\n') };
          },
        });`;
      const server = startServer({ MODELS_DIR: models.dir }, launcher);
      await server.waitFor(/preview saw 200 gift-demand,lead-scoring\n/);
      await server.waitFor(/Lead score preview \(what a rep sees\): http:\/\/127\.0\.0\.1:9\/preview\n/);
      expect(server.output().indexOf('preview saw')).toBeLessThan(server.output().indexOf('Scoring service listening'));
      server.child.kill('SIGTERM');
      const code = await new Promise((resolve) => server.child.once('exit', resolve));
      expect(code).toBe(0);
      expect(server.output()).toContain('preview closed');
    } finally {
      models.cleanup();
    }
  });
});
