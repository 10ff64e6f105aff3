/**
 * Lets an inference worker lower its own CPU priority. On a machine with as many busy workers
 * as cores, the event loop's thread otherwise waits its turn behind TreeSHAP for whole
 * scheduler slices, and health checks and small requests wait with it. Linux keeps a nice
 * value per thread, so a worker can lower just its own (any thread may lower its priority;
 * raising it back would need privileges). Threads ONNX Runtime starts later inherit it.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

export type PriorityOutcome = { applied: true; tid: number; nice: number } | { applied: false; reason: string };

/** Sets the calling thread's nice value (1-19, higher = lower priority); 0 leaves it alone. */
export function lowerThreadPriority(nice: number): PriorityOutcome {
  if (nice <= 0) return { applied: false, reason: 'not requested' };
  try {
    // "/proc/thread-self" links to "<pid>/task/<tid>": the only way to this thread's id from JavaScript.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return { applied: false, reason: 'no thread id in /proc/thread-self' };
    setPriority(tid, nice);
    return { applied: true, tid, nice };
  } catch (err) {
    // Not Linux (no /proc/thread-self), or a sandbox that forbids it: the worker runs at normal priority.
    return { applied: false, reason: (err as Error).message };
  }
}
