/** `npm run test:replicas`: runs the replica fault test once and prints its figures. */
import { runFaultTest } from './fault-run';

async function main(): Promise<void> {
  const figures = await runFaultTest({ log: (line) => process.stdout.write(`  ${line}\n`) });
  const { byPhase, latency } = figures;
  const rows = Object.entries(byPhase).map(
    ([phase, f]) =>
      `  ${phase.padEnd(8)} sent ${String(f.sent).padStart(5)}  failed ${f.failed}  retried by HAProxy ${figures.retriesByPhase[phase as keyof typeof byPhase].retries}`,
  );
  process.stdout.write(
    [
      '',
      `Replica fault test (3 replicas behind HAProxy, ${(figures.durationMs / 1000).toFixed(1)} s)`,
      `  requests sent ${figures.sent}, failed ${figures.failed}`,
      ...rows,
      `  SIGKILL: ${figures.inFlightOnKilled} in flight on the killed replica (${figures.inFlightAtKill} on all three); HAProxy retries ${figures.retries}, redispatches ${figures.redispatches}`,
      `  SIGTERM: the replica exited ${figures.sigtermExit} (0 = drained within its grace period)`,
      `  latency single p50 ${latency.single.p50} ms, p99 ${latency.single.p99} ms; 200-record p50 ${latency.batch.p50} ms, p99 ${latency.batch.p99} ms`,
      `  serving sets: ${figures.digests.before} (4.1.0 champion) -> ${figures.digests.after} (4.2.0 champion); answers per set ${JSON.stringify(figures.answersBySet)}`,
      `  answers mixing two serving sets: ${figures.mixed.length}`,
      ...figures.failures
        .slice(0, 10)
        .map((f) => `  failed: ${f.phase} ${f.kind} ${f.status ?? 'no answer'} ${f.error ?? ''}`),
      '',
    ].join('\n'),
  );
  const failedWhereGoalIsZero = figures.failed - byPhase.sigkill.failed;
  if (failedWhereGoalIsZero > 0 || byPhase.sigkill.failed > figures.inFlightAtKill || figures.mixed.length > 0)
    process.exitCode = 1;
}

main().catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exitCode = 1;
});
