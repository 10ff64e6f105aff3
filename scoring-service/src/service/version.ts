import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The service's own version, from its package.json (src/ and dist/ sit at the same depth under the package). */
export const serviceVersion = (
  JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { version: string }
).version;
