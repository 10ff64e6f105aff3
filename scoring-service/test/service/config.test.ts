import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/service/ops/config';

describe('configuration from the environment', () => {
  it('has documented defaults', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(8080);
    expect(config.modelsDir).toBe(path.resolve('./models'));
    expect(config.MAX_RECORDS_PER_REQUEST).toBe(2000);
    expect(config.SCORING_API_KEYS).toEqual([]);
    expect(config.WORKERS).toBeGreaterThanOrEqual(1);
    expect(config.WORKER_NICE).toBe(19);
  });

  it('splits comma-separated keys and trims them', () => {
    const config = loadConfig({
      SCORING_API_KEYS: ' key-one-0123456789abc, key-two-0123456789abc ,',
      SCORING_ADMIN_KEYS: 'admin-0123456789abcdef',
    });
    expect(config.SCORING_API_KEYS).toEqual(['key-one-0123456789abc', 'key-two-0123456789abc']);
    expect(config.SCORING_ADMIN_KEYS).toEqual(['admin-0123456789abcdef']);
  });

  it.each([
    ['PORT', 'eighty', 'PORT'],
    ['PORT', '70000', 'PORT'],
    ['MAX_RECORDS_PER_REQUEST', '0', 'MAX_RECORDS_PER_REQUEST'],
    ['SCORING_API_KEYS', 'short', 'SCORING_API_KEYS'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL'],
    ['WORKERS', '1.5', 'WORKERS'],
    ['WORKER_NICE', '20', 'WORKER_NICE'],
    ['WORKER_NICE', '-5', 'WORKER_NICE'],
  ])('refuses %s=%s with a message naming it', (name, value, named) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid configuration:\\n  ${named}`));
  });
});
