/** monitor's lead targets: each version's live figures against its manifest's targets (the library's leadTargets). */
import { leadTargets, loadPackage, meetsTarget, readRegistry, resolveVersion, type LeadTarget } from '../library.js';
import type { VersionPerformance } from '../org/score-history.js';

export type TargetCheck = { version: string; metric: LeadTarget['metric']; bound: 'min' | 'max'; target: number; actual: number | null; met: boolean | null; source: string };

/** Versions the registry does not hold are left out (no manifest to read their targets from). */
export async function checkTargets(modelsDir: string, model: string, versions: VersionPerformance[]): Promise<TargetCheck[]> {
  const registry = await readRegistry(modelsDir);
  const checks: TargetCheck[] = [];
  for (const v of versions) {
    if (!resolveVersion(registry, model, v.version)) continue;
    for (const t of leadTargets((await loadPackage(modelsDir, model, v.version)).manifest)) {
      const actual = v[t.metric];
      checks.push({ version: v.version, metric: t.metric, bound: t.bound, target: t.target, actual, met: meetsTarget(t, actual), source: t.source });
    }
  }
  return checks;
}
