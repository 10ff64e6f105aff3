/**
 * Several replicas behind one URL must act as one before an org is pointed at a version: every
 * answer names its serving set (the Serving-Set header), so the CLI samples the URL on fresh
 * connections and goes on only when every sample comes from the same set, and that set serves
 * the package's artifact. A replica still loading, or one that got the version and others not,
 * gets a bounded time to catch up; past it the check refuses, naming each set seen and its count.
 */
import type { ReplicaSample, ServiceClient } from './client.js';
import { serviceError } from './messages.js';

export type ReplicaCheckOptions = {
  /** Answers per round; enough that a balancer reaches every replica (12 covers 4 replicas 3 times in round robin). */
  samples: number;
  /** How long replicas may take to agree before the check refuses. */
  withinMs: number;
  /** Pause between rounds. */
  pauseMs: number;
};

export type ReplicaAgreement = { digest: string; samples: number; rounds: number };

const DEFAULTS: ReplicaCheckOptions = { samples: 12, withinMs: 60_000, pauseMs: 2_000 };

/** The defaults, or SCORING_REPLICA_SAMPLES / SCORING_REPLICA_WAIT_SECONDS when set. */
export function replicaCheckOptions(env: NodeJS.ProcessEnv = process.env): ReplicaCheckOptions {
  const read = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) throw serviceError('error.replicaSetting', 'ServiceReplicaSettingError', [name, raw, min, max], true);
    return value;
  };
  return {
    samples: read('SCORING_REPLICA_SAMPLES', DEFAULTS.samples, 1, 200),
    withinMs: read('SCORING_REPLICA_WAIT_SECONDS', DEFAULTS.withinMs / 1000, 0, 3600) * 1000,
    pauseMs: DEFAULTS.pauseMs,
  };
}

/** What one answer says about the version, in the words of the refusal. */
function describe(sample: ReplicaSample, model: string, version: string, sha256: string): string {
  if (sample.status === null) return `no answer (${sample.error ?? 'connection failed'})`;
  if (sample.status === 404) return `does not serve ${model} ${version}`;
  if (sample.status !== 200) return `answered ${sample.status}`;
  if (sample.sha256 !== sha256) return `serves ${model} ${version} with sha256 ${sample.sha256 ?? '(none)'}, not the package's`;
  return `serves ${model} ${version} with the package's sha256`;
}

/** The one digest every sample agrees on while serving the artifact, or undefined. */
function agreedDigest(samples: ReplicaSample[], sha256: string): string | undefined {
  const first = samples[0]?.digest;
  if (!first) return undefined;
  return samples.every((s) => s.status === 200 && s.digest === first && s.sha256 === sha256) ? first : undefined;
}

export async function checkReplicasAgree(
  client: ServiceClient,
  url: string,
  target: { model: string; version: string; sha256: string },
  options: ReplicaCheckOptions = replicaCheckOptions(),
): Promise<ReplicaAgreement> {
  const { model, version, sha256 } = target;
  const deadline = Date.now() + options.withinMs;
  for (let rounds = 1; ; rounds++) {
    const samples: ReplicaSample[] = [];
    // One after another, each on its own connection: a round-robin balancer then cycles through every replica.
    for (let i = 0; i < options.samples; i++) samples.push(await client.sampleVersion(model, version));
    const digest = agreedDigest(samples, sha256);
    if (digest) return { digest, samples: samples.length, rounds };
    if (Date.now() + options.pauseMs > deadline) throw replicasDiffer(url, target, samples, rounds, options);
    await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
  }
}

function replicasDiffer(
  url: string,
  target: { model: string; version: string; sha256: string },
  samples: ReplicaSample[],
  rounds: number,
  options: ReplicaCheckOptions,
): Error {
  const seen = new Map<string, number>();
  for (const s of samples) {
    const line = `Serving-Set ${s.digest ?? '(none)'}: ${describe(s, target.model, target.version, target.sha256)}`;
    seen.set(line, (seen.get(line) ?? 0) + 1);
  }
  const lines = [...seen].sort(([, a], [, b]) => b - a).map(([line, count]) => `- ${line} (${count} of ${samples.length} answers)`);
  return serviceError(
    'error.replicasDiffer',
    'ServiceReplicasDifferError',
    [url, target.model, target.version, rounds, Math.round(options.withinMs / 1000), lines.join('\n')],
    true,
  ).setData({ replicas: [...seen].map(([line, count]) => ({ line, count })) });
}
