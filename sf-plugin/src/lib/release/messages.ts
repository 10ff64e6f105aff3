/** The release layer's own texts (messages/scoring.release.md): spinners, the gate, shared errors. */
import { Messages } from '@salesforce/core';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
export const releaseMessages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.release');
