/** Flags several commands share; their text is in messages/scoring.common.md. */
import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.common');

export const modelsDirFlag = Flags.directory({
  summary: messages.getMessage('flags.models-dir.summary'),
  description: messages.getMessage('flags.models-dir.description'),
  env: 'SCORING_MODELS_DIR',
});

export const nameFlag = Flags.string({ char: 'n', summary: messages.getMessage('flags.name.summary'), required: true });
export const versionFlag = Flags.string({ char: 'v', summary: messages.getMessage('flags.version.summary'), required: true });

export const serviceUrlFlag = Flags.url({
  summary: messages.getMessage('flags.service-url.summary'),
  description: messages.getMessage('flags.service-url.description'),
  env: 'SCORING_SERVICE_URL',
});

/** The flags of every command that works on one model in one org: spread them first. */
export const orgModelFlags = {
  'target-org': Flags.requiredOrg(),
  'api-version': Flags.orgApiVersion(),
  'models-dir': modelsDirFlag,
  name: nameFlag,
};

export { messages as commonMessages };
