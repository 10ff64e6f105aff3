/**
 * Where each version is deployed, replayed from the ledger: per org and model, the current
 * champion and challenger and the champions before them (what a rollback restores).
 */
import type { LedgerEntry } from '../library.js';

export type OrgModelState = {
  orgId: string;
  username?: string;
  isSandbox: boolean;
  model: string;
  champion?: string;
  challenger?: string;
  canaryPercent?: number;
  /** Earlier champions, most recent last. */
  previousChampions: string[];
  updated: string;
};

const DEPLOYED: ReadonlySet<LedgerEntry['result']> = new Set(['ok', 'forced']);

export function replayOrgStates(entries: LedgerEntry[]): OrgModelState[] {
  const states = new Map<string, OrgModelState>();
  for (const e of entries) {
    if (!e.org || !DEPLOYED.has(e.result) || !['deploy', 'promote', 'rollback'].includes(e.action)) continue;
    const key = `${e.org.id}\u0000${e.model}`;
    const s = states.get(key) ?? { orgId: e.org.id, isSandbox: e.org.isSandbox, model: e.model, previousChampions: [], updated: e.ts };
    s.username = e.org.username ?? s.username;
    s.updated = e.ts;
    // The org's champion before this entry: known from replay, else as the command read it from the org.
    const before = s.champion ?? (typeof e.details?.previousChampion === 'string' ? e.details.previousChampion : undefined);
    const setChampion = (v: string): void => {
      if (before && before !== v) s.previousChampions.push(before);
      s.champion = v;
      if (s.challenger === v) s.challenger = undefined;
    };
    if (e.action === 'deploy') {
      if (e.role === 'challenger') {
        s.challenger = e.version;
        const canary = e.details?.canaryPercent;
        s.canaryPercent = typeof canary === 'number' ? canary : 0;
      } else setChampion(e.version);
    } else if (e.action === 'promote') {
      setChampion(e.version);
      s.canaryPercent = 0;
    } else {
      const restored = e.details?.restored;
      if (typeof restored === 'string') {
        s.champion = restored;
        const i = s.previousChampions.lastIndexOf(restored);
        if (i >= 0) s.previousChampions.splice(i, 1);
      }
      if (s.challenger === e.version) s.challenger = undefined;
    }
    states.set(key, s);
  }
  return [...states.values()];
}
