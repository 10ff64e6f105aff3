/** The PackageError a call throws or a promise rejects with, for tests of refusals. */
import { PackageError } from '../../src/package/errors';

/**
 * Runs `run` (or awaits it) and returns the PackageError it fails with; the test fails when it
 * succeeds, and anything other than a PackageError is rethrown as it was.
 */
export function refusal(run: () => unknown): PackageError;
export function refusal(run: Promise<unknown>): Promise<PackageError>;
export function refusal(run: (() => unknown) | Promise<unknown>): PackageError | Promise<PackageError> {
  const accepted = () => new Error('expected a PackageError, but it was accepted');
  const packageError = (err: unknown): PackageError => {
    if (err instanceof PackageError) return err;
    throw err;
  };
  if (typeof run !== 'function')
    return run.then(() => {
      throw accepted();
    }, packageError);
  try {
    run();
  } catch (err) {
    return packageError(err);
  }
  throw accepted();
}
