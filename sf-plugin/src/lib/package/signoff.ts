/**
 * The rules a sign-off must meet before it is recorded (the V4.1.0 checklist's sign-off section):
 * one actor holds one role per artifact unless the manifest's gates allow more; no sign-off on a
 * version whose last validation failed; the post-deployment roles (week 1, week 2) only once that
 * long has passed since the version's first production deploy, week 2 after week 1.
 */
import { findEntries, latestEntry, PackageError, POST_DEPLOYMENT_ROLES, type LedgerEntry, type Manifest } from '../library.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const WEEKS_AFTER_DEPLOY: Record<string, number> = { 'week-1': 1, 'week-2': 2 };
const DEPLOYED: ReadonlySet<LedgerEntry['result']> = new Set(['ok', 'forced']);

export type SignoffRequest = { model: string; version: string; manifest: Manifest; role: string; actor: string; now?: Date };

/** The version's first production deploy or promotion of this artifact (sha256), from the ledger. */
export function firstProductionDeploy(entries: LedgerEntry[], model: string, version: string, sha256: string): LedgerEntry | undefined {
  return findEntries(entries, { action: ['deploy', 'promote'], model, version, sha256, sandbox: false }).find(
    (e) => DEPLOYED.has(e.result) && e.role !== 'challenger',
  );
}

/** Which roles each actor holds on this artifact now (withdrawn ones dropped). */
function rolesByActor(entries: LedgerEntry[], model: string, version: string, sha256: string): Map<string, Set<string>> {
  const held = new Map<string, Set<string>>();
  for (const e of findEntries(entries, { action: 'signoff', model, version, sha256 })) {
    if (!e.role) continue;
    const roles = held.get(e.actor) ?? new Set<string>();
    if (e.result === 'fail') roles.delete(e.role);
    else roles.add(e.role);
    held.set(e.actor, roles);
  }
  return held;
}

/** Refuses a sign-off that breaks a rule, with the reason and what to do; a withdrawal is always allowed. */
export function checkSignoff(entries: LedgerEntry[], request: SignoffRequest): void {
  const { model, version, manifest, role, actor } = request;
  const sha256 = manifest.sha256;
  const refuse = (message: string, actions: string[]): never => {
    throw new PackageError('signoff-conflict', message, { actions });
  };

  const validation = latestEntry(entries, { action: 'validate', model, version, sha256 });
  if (validation?.result === 'fail') {
    refuse(`${model} ${version}: its last validation (${validation.ts}) failed, so it cannot be signed off.`, [
      `fix what failed, then: sf scoring model validate --name ${model} --version ${version}`,
    ]);
  }

  const others = [...(rolesByActor(entries, model, version, sha256).get(actor) ?? [])].filter((r) => r !== role);
  if (others.length > 0 && !manifest.gates.allow_same_actor_signoffs) {
    refuse(`${actor} already signed ${model} ${version} (sha256 ${sha256.slice(0, 12)}) as ${others.join(', ')}; one person cannot hold two roles on the same model.`, [
      `ask someone else to sign as ${role}`,
      'or, for a one-person team, set gates.allow_same_actor_signoffs: true in metadata.json and import a new version',
    ]);
  }

  const weeks = WEEKS_AFTER_DEPLOY[role];
  if (weeks !== undefined) {
    const deploy = firstProductionDeploy(entries, model, version, sha256);
    if (!deploy) {
      refuse(`${role} is a post-deployment sign-off, and ${model} ${version} has not been deployed to production yet.`, [
        `deploy it first: sf scoring model deploy --name ${model} --version ${version} --target-org <production>`,
      ]);
    }
    const due = new Date(Date.parse(deploy!.ts) + weeks * 7 * DAY_MS);
    if ((request.now ?? new Date()) < due) {
      refuse(`${role} is due ${weeks} week${weeks > 1 ? 's' : ''} after the production deploy of ${deploy!.ts}, on ${due.toISOString()}.`, [
        `sign it on or after ${due.toISOString().slice(0, 10)}`,
      ]);
    }
    const earlier = POST_DEPLOYMENT_ROLES.slice(0, POST_DEPLOYMENT_ROLES.indexOf(role as (typeof POST_DEPLOYMENT_ROLES)[number]));
    const signed = new Set([...rolesByActor(entries, model, version, sha256).values()].flatMap((r) => [...r]));
    const open = earlier.filter((r) => !signed.has(r));
    if (open.length > 0) refuse(`${role} comes after ${open.join(', ')}, which is not signed yet.`, [`sign ${open.join(', ')} first`]);
  }
}

/**
 * The sign-offs still open for a version: the pre-deployment roles its gates name, then (once it is
 * in production) the post-deployment ones.
 */
export function openSignoffs(entries: LedgerEntry[], model: string, version: string, manifest: Pick<Manifest, 'sha256' | 'gates'>, signed: ReadonlySet<string>): string[] {
  const inProduction = firstProductionDeploy(entries, model, version, manifest.sha256) !== undefined;
  const due = [...manifest.gates.signoffs, ...(inProduction ? manifest.gates.post_deployment_signoffs : [])];
  return due.filter((r) => !signed.has(r));
}
