/**
 * Several replicas behind a real balancer act as one: three service processes behind HAProxy keep
 * answering a load of single and 200-record calls while one is SIGKILLed, another SIGTERMed and
 * started again, and a new model version is rolled across the three; no answer mixes two serving
 * sets. Asserts correctness only; `npm run test:replicas` prints the figures (docs/operations.md).
 */
import { runFaultTest, type Figures } from './fault-run';

jest.setTimeout(300_000);

describe('three replicas behind HAProxy under faults', () => {
  let figures: Figures;

  beforeAll(async () => {
    figures = await runFaultTest();
  });

  it('sent load through every phase', () => {
    for (const [phase, { sent }] of Object.entries(figures.byPhase)) expect([phase, sent > 0]).toEqual([phase, true]);
  });

  it('failed no call while a replica was SIGTERMed and restarted, during the rollout, or in steady state', () => {
    const { steady, sigterm, rollout, after } = figures.byPhase;
    expect(figures.failures.filter((f) => f.phase !== 'sigkill')).toEqual([]);
    expect([steady.failed, sigterm.failed, rollout.failed, after.failed]).toEqual([0, 0, 0, 0]);
  });

  it('failed at most the calls in flight when a replica was SIGKILLed (HAProxy replays what it safely can)', () => {
    // HAProxy's own count of the killed replica's calls is read just before the kill, so a call can slip
    // in between; the load's own count of calls in flight at the kill bounds them without that race.
    expect(figures.byPhase.sigkill.failed).toBeLessThanOrEqual(figures.inFlightAtKill);
  });

  it('let the SIGTERMed replica finish its running calls and exit cleanly within its grace period', () => {
    expect(figures.sigtermExit).toBe(0);
  });

  it('never answered with one serving set in the header and another in the body', () => {
    expect(figures.mixed).toEqual([]);
  });

  it('moved every replica to the new serving set, with answers from both sets on the way', () => {
    expect(figures.digests.after).not.toBe(figures.digests.before);
    expect(Object.keys(figures.answersBySet).sort()).toEqual([figures.digests.before, figures.digests.after].sort());
  });
});
