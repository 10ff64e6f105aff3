/**
 * `compare`'s verdict on the parallel run: the challenger is promotable when both versions have
 * enough conversions and it passes its own promotion gates against the champion's live figures.
 */
import { loadPackage } from '../library.js';
import type { VersionPerformance } from '../org/score-history.js';

export type CompareVerdict = 'promote-challenger' | 'keep-champion' | 'insufficient-data';

export async function judgeChallenger(
  modelsDir: string,
  model: string,
  versions: VersionPerformance[],
  champion: string | null,
  challenger: string | null,
  minConversions: number,
): Promise<{ verdict: CompareVerdict; reasons: string[] }> {
  const champ = versions.find((v) => v.version === champion);
  const chall = versions.find((v) => v.version === challenger);
  if (!champ || !chall) return { verdict: 'insufficient-data', reasons: [`no parallel scores for ${!champ ? `champion ${champion ?? '(none)'}` : `challenger ${challenger ?? '(none)'}`}`] };
  const thin = [champ, chall].filter((v) => v.conversions < minConversions || v.auc === null);
  if (thin.length) return { verdict: 'insufficient-data', reasons: thin.map((v) => `${v.version} has ${v.conversions} conversions (need ${minConversions})`) };
  const gates = (await loadPackage(modelsDir, model, chall.version)).manifest.gates.promotion;
  const reasons: string[] = [];
  const aucOk = chall.auc! > champ.auc! + gates.min_auc_gain_over_champion;
  reasons.push(`AUC ${chall.auc} vs champion ${champ.auc} (${aucOk ? 'better' : 'not better'})`);
  const liftOk = (chall.topDecileLift ?? 0) >= gates.min_top_decile_lift;
  reasons.push(`top-decile lift ${chall.topDecileLift} (needs >= ${gates.min_top_decile_lift})`);
  return { verdict: aucOk && liftOk ? 'promote-challenger' : 'keep-champion', reasons };
}
