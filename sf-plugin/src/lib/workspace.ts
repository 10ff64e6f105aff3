/** Where the model packages live and who is acting: the two facts every command starts from. */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PackageError } from './library.js';

/**
 * The models directory: the flag (or SCORING_MODELS_DIR, wired through the flag's env),
 * else the nearest `models/` folder holding a registry.json from the working directory up.
 * Nothing found is a refusal: guessing ./models made a second registry the service never reads.
 */
export function resolveModelsDir(flagValue: string | undefined, cwd = process.cwd()): string {
  if (flagValue) return path.resolve(cwd, flagValue);
  let dir = path.resolve(cwd);
  for (;;) {
    const candidate = path.join(dir, 'models');
    if (existsSync(path.join(candidate, 'registry.json'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new PackageError(
        'models-dir-not-found',
        `No models/registry.json in ${path.resolve(cwd)} or any folder above it, so there is no models directory to use.`,
        {
          actions: [
            'run the command inside the repository (the folder that holds models/registry.json)',
            'or pass --models-dir <folder> (or set SCORING_MODELS_DIR); a folder named that way is created on first import',
          ],
        },
      );
    }
    dir = parent;
  }
}

/** Who the ledger records: SCORING_ACTOR when set (CI), else the OS user at this host. */
export function currentActor(): string {
  const fromEnv = process.env.SCORING_ACTOR?.trim();
  if (fromEnv) return fromEnv;
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // Containers without a passwd entry have no user name.
  }
  return `${user}@${os.hostname()}`;
}

export function packageDir(modelsDir: string, name: string, version: string): string {
  return path.join(modelsDir, name, version);
}
