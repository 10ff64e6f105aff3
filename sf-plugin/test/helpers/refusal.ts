/** The error a command refused with: fails the test when the command succeeded instead. */
import type { SfError } from '@salesforce/core';

export async function refusal(running: Promise<unknown>): Promise<SfError> {
  const outcome = await running.then(
    (result) => ({ refused: false as const, result }),
    (error: unknown) => ({ refused: true as const, error: error as SfError }),
  );
  if (!outcome.refused) throw new Error(`expected a refusal, the command returned ${JSON.stringify(outcome.result)?.slice(0, 300)}`);
  return outcome.error;
}
