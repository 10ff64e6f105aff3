/** Flags several commands share; their text is in messages/scoring.common.md. */
import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { parseSince } from './since.js';
import { PERIODS } from './library.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.common');

export const modelsDirFlag = Flags.directory({
  summary: messages.getMessage('flags.models-dir.summary'),
  description: messages.getMessage('flags.models-dir.description'),
  env: 'SCORING_MODELS_DIR',
});

export const nameFlag = Flags.string({ char: 'n', summary: messages.getMessage('flags.name.summary'), required: true });
export const versionFlag = Flags.string({ summary: messages.getMessage('flags.version.summary'), required: true });

export const serviceUrlFlag = Flags.url({
  summary: messages.getMessage('flags.service-url.summary'),
  description: messages.getMessage('flags.service-url.description'),
  env: 'SCORING_SERVICE_URL',
});

/** How long to wait for a Metadata API deploy: a whole number of minutes, as users type it today (--wait 10). */
export const waitFlag = Flags.duration({ unit: 'minutes', defaultValue: 10, min: 1, summary: messages.getMessage('flags.wait.summary') });

/**
 * --since: "7d", "36h", "2w" or an ISO date, parsed to the instant it names. Flags.duration
 * takes one fixed unit and reads "7d" as parseInt("7d") = 7 of it (and an ISO date as its year),
 * so the units and dates users type today need this custom flag.
 */
export const sinceFlag = Flags.custom<Date>({
  summary: messages.getMessage('flags.since.summary'),
  parse: async (input) => parseSince(input),
  default: async () => parseSince('7d'),
  defaultHelp: async () => '7d',
})();

/** --since without a default: the instant it names, or undefined when not given. */
export const optionalSinceFlag = Flags.custom<Date>({
  summary: messages.getMessage('flags.optional-since.summary'),
  parse: async (input) => parseSince(input),
})();

/** The flags of every command that works on one model version in the models directory (no org): spread them first. */
export const packageVersionFlags = {
  'models-dir': modelsDirFlag,
  name: nameFlag,
  version: versionFlag,
};

/** The flags of every command that works on one model in one org: spread them first. */
export const orgModelFlags = {
  'target-org': Flags.requiredOrg(),
  'api-version': Flags.orgApiVersion(),
  'models-dir': modelsDirFlag,
  name: nameFlag,
};

/** The flags of every release (deploy, promote, rollback): which service, and how long to wait for the org. */
export const releaseFlags = {
  'service-url': serviceUrlFlag,
  wait: waitFlag,
};

/**
 * compare and monitor: the org is needed for lead models only (count models are judged from
 * --actuals, locally), so it is optional here and the command asks for it when it is missing.
 */
export const monitoringFlags = {
  ...orgModelFlags,
  'target-org': Flags.optionalOrg({ summary: messages.getMessage('flags.monitoring-target-org.summary') }),
  actuals: Flags.file({
    summary: messages.getMessage('flags.actuals.summary'),
    description: messages.getMessage('flags.actuals.description'),
    exists: true,
  }),
  period: Flags.option({ summary: messages.getMessage('flags.period.summary'), options: PERIODS })(),
};

export { messages as commonMessages };
