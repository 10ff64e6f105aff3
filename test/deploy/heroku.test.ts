/** app.json and Procfile: what "Deploy to Heroku" sets up must be what the service reads. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { configSchema, loadConfig } from '../../scoring-service/src/service/ops/config';

const ROOT = path.resolve(__dirname, '../..');
interface AppEnv {
  description: string;
  value?: string;
  generator?: 'secret';
  required?: boolean;
}
const app = JSON.parse(readFileSync(path.join(ROOT, 'app.json'), 'utf8')) as {
  buildpacks: { url: string }[];
  env: Record<string, AppEnv>;
  formation: { web: { quantity: number; size: string } };
};
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

/** The config vars as Heroku creates them: values as given, generator "secret" as 64 hex characters. */
const herokuEnv = (): Record<string, string> =>
  Object.fromEntries(
    Object.entries(app.env).map(([name, v]) => [
      name,
      v.generator === 'secret' ? randomBytes(32).toString('hex') : v.value!,
    ]),
  );

describe('Heroku app.json', () => {
  it('names only variables the service reads, each described', () => {
    const known = Object.keys(configSchema.shape);
    expect(Object.keys(app.env).filter((name) => !known.includes(name))).toEqual([]);
    for (const v of Object.values(app.env)) expect(v.description.length).toBeGreaterThan(10);
  });

  it('sets both key lists, so no dyno makes up its own keys, and the service accepts what Heroku generates', () => {
    expect(app.env.SCORING_API_KEYS.generator).toBe('secret');
    expect(app.env.SCORING_ADMIN_KEYS.generator).toBe('secret');
    const config = loadConfig({ ...herokuEnv(), PORT: '43117' });
    expect(config.SCORING_API_KEYS).toHaveLength(1);
    expect(config.SCORING_ADMIN_KEYS).toHaveLength(1);
    // Heroku gives the port in PORT; the service listens on it.
    expect(config.PORT).toBe(43117);
  });

  it('drains within the 30 s Heroku allows between SIGTERM and SIGKILL', () => {
    expect(loadConfig(herokuEnv()).SHUTDOWN_GRACE_MS).toBeLessThan(30_000);
  });

  it('builds with heroku/nodejs, which runs heroku-postbuild, and the Procfile starts what that build writes', () => {
    expect(app.buildpacks.map((b) => b.url)).toEqual(['heroku/nodejs']);
    expect(pkg.scripts['heroku-postbuild']).toContain('npm run build --workspace scoring-service');
    const tsconfig = readFileSync(path.join(ROOT, 'scoring-service/tsconfig.build.json'), 'utf8');
    expect(tsconfig).toContain('"outDir": "dist"');
    expect(readFileSync(path.join(ROOT, 'Procfile'), 'utf8')).toBe('web: node scoring-service/dist/server.js\n');
    expect(app.formation.web.quantity).toBeGreaterThanOrEqual(2);
  });
});
