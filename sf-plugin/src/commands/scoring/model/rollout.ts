import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { ModelRolloutFormatter } from '../../../formatters/release.js';
import { modelsDirFlag, nameFlag } from '../../../lib/flags.js';
import { rollOutCountModel, type RolloutStep } from '../../../lib/release/count-rollout.js';
import { scoringError, toSfError } from '../../../lib/errors.js';
import { resolveModelsDir } from '../../../lib/workspace.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.model.rollout');

export type ModelRolloutResult = {
  model: string;
  step: RolloutStep;
  champion: string;
  challenger: string | null;
  rollout: { enabled: boolean; canary: number; shadow: boolean; previousChampion?: string };
  rolloutKey: string | null;
  serviceUrl: string;
  servingSet: string;
  servicePersisted: boolean;
  loaded: string[];
  forced: boolean;
  forcedPast?: string;
  ledgerTs: string;
};

const STEPS = ['off', 'promote', 'revert'] as const;

export default class ModelRollout extends SfCommand<ModelRolloutResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'models-dir': modelsDirFlag,
    name: nameFlag,
    challenger: Flags.string({ summary: messages.getMessage('flags.challenger.summary'), exclusive: [...STEPS] }),
    // No default: without --canary the current percent is kept.
    // eslint-disable-next-line sf-plugin/flag-min-max-default
    canary: Flags.integer({ summary: messages.getMessage('flags.canary.summary'), min: 0, max: 100, exclusive: [...STEPS] }),
    shadow: Flags.boolean({ summary: messages.getMessage('flags.shadow.summary'), allowNo: true, exclusive: [...STEPS] }),
    off: Flags.boolean({ summary: messages.getMessage('flags.off.summary'), exclusive: ['promote', 'revert'] }),
    promote: Flags.boolean({ summary: messages.getMessage('flags.promote.summary'), exclusive: ['off', 'revert'] }),
    revert: Flags.boolean({ summary: messages.getMessage('flags.revert.summary'), exclusive: ['off', 'promote'] }),
    force: Flags.boolean({ summary: messages.getMessage('flags.force.summary'), dependsOn: ['reason'] }),
    reason: Flags.string({ summary: messages.getMessage('flags.reason.summary') }),
    'service-url': Flags.url({ summary: messages.getMessage('flags.service-url.summary'), env: 'SCORING_SERVICE_URL' }),
  };

  /** Refusals in sf's shape (PascalCase ...Error names, "Try this:" actions): lib/errors.ts. */
  protected catch(error: Error): Promise<never> {
    return super.catch(toSfError(error) as Error);
  }

  public async run(): Promise<ModelRolloutResult> {
    const { flags } = await this.parse(ModelRollout);
    const step: RolloutStep = flags.off ? 'off' : flags.promote ? 'promote' : flags.revert ? 'revert' : 'canary';
    if (step === 'canary' && flags.challenger === undefined && flags.canary === undefined && flags.shadow === undefined)
      throw messages.createError('error.nothingToDo');
    const serviceUrl = flags['service-url'];
    if (!serviceUrl) throw scoringError('ServiceUrlMissingError', messages.getMessage('error.serviceUrl'), messages.getMessages('error.serviceUrl.actions'));
    const done = await rollOutCountModel(this, {
      modelsDir: resolveModelsDir(flags['models-dir']),
      serviceUrl: serviceUrl.toString().replace(/\/+$/, ''),
      model: flags.name,
      step,
      challenger: flags.challenger,
      canary: flags.canary,
      shadow: flags.shadow,
      force: Boolean(flags.force),
      reason: flags.reason,
    });
    const result: ModelRolloutResult = {
      model: flags.name,
      step,
      champion: done.champion,
      challenger: done.challenger,
      rollout: { enabled: done.rollout.enabled, canary: done.rollout.canary, shadow: done.rollout.shadow, ...(done.rollout.previousChampion ? { previousChampion: done.rollout.previousChampion } : {}) },
      rolloutKey: done.rolloutKey,
      serviceUrl: serviceUrl.toString(),
      servingSet: done.servingSet,
      servicePersisted: done.servicePersisted,
      loaded: done.loaded,
      forced: done.forced,
      ...(done.forcedPast ? { forcedPast: done.forcedPast } : {}),
      ledgerTs: done.ledger.ts,
    };
    new ModelRolloutFormatter(result).display(this);
    return result;
  }
}
