/** Whether a model is a count model, by its registry champion's manifest (undefined for lead models or an unknown model). */
import { loadPackage, readRegistry, resolveVersion, type Manifest } from '../library.js';
import { COUNT_TASKS } from './actuals-report.js';

export async function countModelTask(modelsDir: string, model: string): Promise<Manifest['task'] | undefined> {
  const registry = await readRegistry(modelsDir, { allowMissing: true });
  const version = resolveVersion(registry, model, 'champion');
  if (!version) return undefined;
  const { task } = (await loadPackage(modelsDir, model, version)).manifest;
  return COUNT_TASKS.includes(task) ? task : undefined;
}
