/** The scoring service's errors as the CLI reports them (messages/scoring.service.md). */
import { Messages, type SfError } from '@salesforce/core';
import { scoringError } from '../errors.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.service');

/** An SfError with the name callers and --json users match on, its text and actions from the messages file. */
export function serviceError(key: string, name: string, tokens: Array<string | number>, withActions = false): SfError {
  return scoringError(name, messages.getMessage(key, tokens), withActions ? messages.getMessages(`${key}.actions`) : undefined);
}
