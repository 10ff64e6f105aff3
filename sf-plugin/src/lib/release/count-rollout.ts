/**
 * `model rollout`: a count model's flagged rollout, decided by the scoring service (POST /predict),
 * not by an org's config. One sequence for every step (canary, shadow, kill switch, promotion,
 * reversion): check locally -> write registry.json (aliases + rollout state) -> apply on the
 * service (PUT /v1/admin/models/{model}/rollout) -> check its answer -> statuses -> ledger entry.
 * A failed apply puts the registry back (except the kill switch, which stays off: the safe side)
 * and is recorded as a failed `rollout` entry.
 */
import { Messages, type SfError } from '@salesforce/core';
import { scoringError } from '../errors.js';
import {
  appendLedger,
  findEntries,
  loadPackage,
  readLedger,
  readRegistry,
  requireModel,
  setRollout,
  setStatus,
  type LedgerEntry,
  type RolloutState,
} from '../library.js';
import { ServiceClient, type RolloutCall, type ServiceRollout } from '../service/client.js';
import { ensureServed } from '../service/check.js';
import { currentActor } from '../workspace.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.model.rollout');

export type RolloutStep = 'canary' | 'off' | 'promote' | 'revert';

export type CountRolloutRequest = {
  modelsDir: string;
  serviceUrl: string;
  model: string;
  step: RolloutStep;
  challenger?: string;
  canary?: number;
  shadow?: boolean;
  force: boolean;
  reason?: string;
};

export type CountRollout = {
  step: RolloutStep;
  champion: string;
  challenger: string | null;
  rollout: RolloutState;
  rolloutKey: string | null;
  servingSet: string;
  /** The service wrote the change to its own registry.json too. */
  servicePersisted: boolean;
  /** Versions loaded on the service by this command (they were not served). */
  loaded: string[];
  forced: boolean;
  /** A --promote without a passing full-cycle compare: what was missing. */
  forcedPast?: string;
  ledger: LedgerEntry;
};

export type RolloutUx = { warn(message: string): void };

/** The first passing full-cycle comparison of this artifact, or why there is none. */
export function fullCycleVerdict(
  entries: LedgerEntry[],
  model: string,
  version: string,
  sha256: string,
): { ok: true; entry: LedgerEntry } | { ok: false; missing: string } {
  const compares = findEntries(entries, { action: 'compare', model, version });
  const sameArtifact = compares.filter((e) => e.sha256 === undefined || e.sha256 === sha256);
  const passing = sameArtifact.filter((e) => e.result === 'ok');
  const full = passing.find((e) => typeof e.details?.cycles === 'number' && e.details.cycles >= 1);
  if (full) return { ok: true, entry: full };
  if (compares.length === 0) return { ok: false, missing: 'The ledger has no compare entry for it.' };
  if (passing.length === 0)
    return { ok: false, missing: `Its ${sameArtifact.length} compare entr${sameArtifact.length === 1 ? 'y' : 'ies'} of this artifact did not pass.` };
  return { ok: false, missing: 'Its passing compare entries cover less than one full ordering cycle (details.cycles < 1 or missing).' };
}

type Plan = {
  call: RolloutCall & { state: RolloutState };
  /** The version the ledger entry is about. */
  subject: string;
  sha256?: string;
  /** Versions the service must serve before the change, with the sha256 of their package. */
  serve: { version: string; sha256: string }[];
  statuses: { version: string; status: 'staging' | 'production' | 'deprecated'; reason: string }[];
  forcedPast?: string;
};

export async function rollOutCountModel(ux: RolloutUx, request: CountRolloutRequest): Promise<CountRollout> {
  const { modelsDir, model } = request;
  const registry = await readRegistry(modelsDir);
  const entry = requireModel(registry, model);
  const champion = entry.aliases.champion;
  if (!champion) throw messages.createError('error.noChampion', [model]);
  const championPkg = await loadPackage(modelsDir, model, champion);
  const task = championPkg.manifest.task;
  if (task === 'binary-classification') throw messages.createError('error.notCountModel', [model, task]);
  const before: RolloutState = entry.rollout ?? { enabled: false, canary: 0, shadow: false };
  const actor = currentActor();
  const changedAt = new Date().toISOString();

  const statusOf = (version: string) => entry.versions[version]?.status;
  const plan = await planStep(request, { champion, championPkg, challenger: entry.aliases.challenger, before, changedAt, actor, statusOf });
  const { state, ...call } = plan.call;

  // Write the registry first: a restart or reload of the service reads this state.
  const previousAliases = { champion, challenger: entry.aliases.challenger ?? null };
  await setRollout(modelsDir, model, { champion: call.champion, challenger: call.challenger, state });
  const ledgerBase = {
    action: 'rollout' as const,
    model,
    version: plan.subject,
    ...(plan.sha256 ? { sha256: plan.sha256 } : {}),
    actor,
    ...(request.reason ? { reason: request.reason } : {}),
  };
  const wanted = { champion: call.champion ?? champion, challenger: call.challenger === undefined ? (entry.aliases.challenger ?? null) : call.challenger, state };

  let answer: ServiceRollout;
  const loaded: string[] = [];
  try {
    const client = new ServiceClient({ baseUrl: request.serviceUrl, apiKey: process.env.SCORING_API_KEY, adminKey: process.env.SCORING_ADMIN_KEY });
    for (const v of plan.serve) {
      const check = await ensureServed(client, request.serviceUrl, 'flag', model, v.version, v.sha256);
      if (check.loaded) loaded.push(v.version);
    }
    answer = await client.putRollout(model, { ...call, enabled: state.enabled, canary: state.canary, shadow: state.shadow, previousChampion: state.previousChampion ?? null, changedBy: actor });
    const problems = mismatches(answer, wanted);
    if (problems.length > 0)
      throw scoringError('RolloutMismatchError', messages.getMessage('error.mismatch', [request.serviceUrl, model, problems.join('; ')]), messages.getMessages('error.mismatch.actions'));
  } catch (err) {
    const kept = request.step === 'off';
    if (!kept) await setRollout(modelsDir, model, { ...previousAliases, state: before });
    await appendLedger(modelsDir, { ...ledgerBase, result: 'fail', details: { step: request.step, asked: wanted, error: (err as Error).message, registry: kept ? 'kept off' : 'restored' } });
    throw applyFailed(err as SfError, model, kept);
  }

  for (const s of plan.statuses) await setStatus(modelsDir, model, s.version, s.status, s.reason);
  if (!answer.persisted.ok) ux.warn(messages.getMessage('warn.notPersisted', [answer.persisted.reason ?? 'no reason given']));
  const forced = plan.forcedPast !== undefined;
  if (forced) ux.warn(messages.getMessage('warn.forced', [plan.forcedPast!]));
  const ledger = await appendLedger(modelsDir, {
    ...ledgerBase,
    result: forced ? 'forced' : 'ok',
    details: {
      step: request.step,
      champion: answer.champion,
      challenger: answer.challenger,
      enabled: answer.rollout.enabled,
      canary: answer.rollout.canary,
      shadow: answer.rollout.shadow,
      ...(state.previousChampion ? { previousChampion: state.previousChampion } : {}),
      before: { ...previousAliases, enabled: before.enabled, canary: before.canary, shadow: before.shadow },
      rolloutKey: answer.rolloutKey,
      serviceUrl: request.serviceUrl,
      servingSet: answer.servingSet,
      servicePersisted: answer.persisted.ok,
      ...(loaded.length ? { loaded } : {}),
      ...(forced ? { forcedPast: plan.forcedPast } : {}),
    },
  });
  return {
    step: request.step,
    champion: answer.champion,
    challenger: answer.challenger,
    rollout: state,
    rolloutKey: answer.rolloutKey,
    servingSet: answer.servingSet,
    servicePersisted: answer.persisted.ok,
    loaded,
    forced,
    ...(forced ? { forcedPast: plan.forcedPast } : {}),
    ledger,
  };
}

type Current = {
  champion: string;
  championPkg: Awaited<ReturnType<typeof loadPackage>>;
  challenger?: string;
  before: RolloutState;
  changedAt: string;
  actor: string;
  statusOf(version: string): string | undefined;
};

async function planStep(request: CountRolloutRequest, current: Current): Promise<Plan> {
  const { modelsDir, model } = request;
  const { champion, before, changedAt, actor } = current;
  const stamp = { changedAt, changedBy: actor };
  const keep = before.previousChampion ? { previousChampion: before.previousChampion } : {};

  if (request.step === 'off') {
    const subject = current.challenger ?? champion;
    return { call: { state: { ...before, enabled: false, ...stamp } }, subject, serve: [], statuses: [] };
  }

  if (request.step === 'canary') {
    const challenger = request.challenger ?? current.challenger;
    if (!challenger) throw messages.createError('error.noChallenger', [model]);
    if (challenger === champion) throw messages.createError('error.challengerIsChampion', [model, challenger]);
    const pkg = await loadPackage(modelsDir, model, challenger);
    // Without --canary the percent carries on only while this same challenger is on; switching one on
    // (a new challenger, or after --off) starts at 0: shadow only, until a percent is asked for.
    const carried = before.enabled && challenger === current.challenger ? before.canary : 0;
    const canary = request.canary ?? carried;
    if (canary > 0 && !current.championPkg.manifest.rollout?.key) throw messages.createError('error.noRolloutKey', [model, champion]);
    const state: RolloutState = { enabled: true, canary, shadow: request.shadow ?? before.shadow, ...keep, ...stamp };
    const statuses: Plan['statuses'] = [];
    if (current.statusOf(challenger) === 'candidate')
      statuses.push({ version: challenger, status: 'staging', reason: `challenger in a flagged rollout (canary ${canary}%)` });
    return {
      call: { challenger, state },
      subject: challenger,
      sha256: pkg.manifest.sha256,
      serve: [
        { version: champion, sha256: current.championPkg.manifest.sha256 },
        { version: challenger, sha256: pkg.manifest.sha256 },
      ],
      statuses,
    };
  }

  if (request.step === 'promote') {
    const challenger = current.challenger;
    if (!challenger) throw messages.createError('error.noChallenger', [model]);
    const pkg = await loadPackage(modelsDir, model, challenger);
    const verdict = fullCycleVerdict(await readLedger(modelsDir), model, challenger, pkg.manifest.sha256);
    if (!verdict.ok && !request.force)
      throw scoringError('FullCycleVerdictMissingError', messages.getMessage('error.noVerdict', [model, challenger, verdict.missing]), messages.getMessages('error.noVerdict.actions', [model]));
    return {
      call: { champion: challenger, challenger: null, state: { enabled: false, canary: 0, shadow: false, previousChampion: champion, ...stamp } },
      subject: challenger,
      sha256: pkg.manifest.sha256,
      serve: [
        { version: champion, sha256: current.championPkg.manifest.sha256 },
        { version: challenger, sha256: pkg.manifest.sha256 },
      ],
      statuses: [
        { version: challenger, status: 'production', reason: verdict.ok ? `promoted after a full ordering cycle (compare of ${verdict.entry.ts})` : `promoted with --force: ${request.reason ?? ''}` },
        { version: champion, status: 'deprecated', reason: `previous champion, kept for quick reversion (sf scoring model rollout --name ${model} --revert)` },
      ],
      ...(verdict.ok ? {} : { forcedPast: verdict.missing }),
    };
  }

  // revert
  if (!request.reason) throw messages.createError('error.reasonRequired');
  const previous = before.previousChampion;
  if (!previous) throw messages.createError('error.noPrevious', [model]);
  const pkg = await loadPackage(modelsDir, model, previous);
  return {
    call: { champion: previous, challenger: null, state: { enabled: false, canary: 0, shadow: false, ...stamp } },
    subject: champion,
    sha256: current.championPkg.manifest.sha256,
    serve: [{ version: previous, sha256: pkg.manifest.sha256 }],
    statuses: [
      { version: previous, status: 'production', reason: `restored by --revert: ${request.reason}` },
      { version: champion, status: 'deprecated', reason: `reverted: ${request.reason}` },
    ],
  };
}

function mismatches(answer: ServiceRollout, wanted: { champion: string; challenger: string | null; state: RolloutState }): string[] {
  const out: string[] = [];
  const compare = (what: string, got: unknown, want: unknown) => {
    if (got !== want) out.push(`${what} ${String(got)} (asked ${String(want)})`);
  };
  compare('champion', answer.champion, wanted.champion);
  compare('challenger', answer.challenger, wanted.challenger);
  compare('enabled', answer.rollout?.enabled, wanted.state.enabled);
  compare('canary', answer.rollout?.canary, wanted.state.canary);
  compare('shadow', answer.rollout?.shadow, wanted.state.shadow);
  return out;
}

function applyFailed(err: SfError, model: string, keptOff: boolean): SfError {
  const registry = keptOff ? messages.getMessage('info.registryKeptOff') : messages.getMessage('info.registryRestored');
  return scoringError(
    err.name && err.name !== 'Error' ? err.name : 'RolloutApplyFailedError',
    messages.getMessage('error.applyFailed', [model, err.message, registry]),
    [...(err.actions ?? []), ...messages.getMessages('error.applyFailed.actions')],
  );
}
