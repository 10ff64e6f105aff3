/** What deploy, promote and rollback tell a human once the org runs its new config. */
import { Messages } from '@salesforce/core';
import type { ModelDeployResult } from '../commands/scoring/model/deploy.js';
import type { ModelPromoteResult } from '../commands/scoring/model/promote.js';
import type { ModelRollbackResult } from '../commands/scoring/model/rollback.js';
import type { ModelRolloutResult } from '../commands/scoring/model/rollout.js';
import { orgLabel } from '../lib/org/identity.js';
import type { CommandOutput, Formatter } from './formatter.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const deployMessages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.model.deploy');
const promoteMessages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.model.promote');
const rollbackMessages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.model.rollback');
const rolloutMessages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.model.rollout');

/** The deploy line, then the org's config before and after. */
export class ModelDeployFormatter implements Formatter {
  public constructor(private readonly result: ModelDeployResult, private readonly previousCanary: number) {}

  public display(out: CommandOutput): void {
    const r = this.result;
    out.log(deployMessages.getMessage('info.deployed', [r.model, r.version, orgLabel(r.org), r.role, r.deployId]));
    out.table({
      data: [
        { setting: 'champion', before: r.previous.champion ?? '', after: r.config.championVersion ?? '' },
        { setting: 'challenger', before: r.previous.challenger ?? '', after: r.config.challengerVersion ?? '' },
        { setting: 'canary %', before: this.previousCanary, after: r.config.canaryPercent },
      ],
    });
  }
}

export class ModelPromoteFormatter implements Formatter {
  public constructor(private readonly result: ModelPromoteResult) {}

  public display(out: CommandOutput): void {
    const r = this.result;
    out.log(promoteMessages.getMessage('info.promoted', [r.model, r.version, orgLabel(r.org), r.previousChampion ?? 'none']));
  }
}

export class ModelRollbackFormatter implements Formatter {
  public constructor(private readonly result: ModelRollbackResult) {}

  public display(out: CommandOutput): void {
    const r = this.result;
    out.log(rollbackMessages.getMessage('info.rolledBack', [r.model, orgLabel(r.org), r.rolledBack, r.restored, r.model, r.rolledBack]));
  }
}

/** The rollout the service now serves for a count model. */
export class ModelRolloutFormatter implements Formatter {
  public constructor(private readonly result: ModelRolloutResult) {}

  public display(out: CommandOutput): void {
    const r = this.result;
    out.log(
      rolloutMessages.getMessage('info.applied', [
        r.model,
        r.step,
        r.champion,
        r.challenger ?? 'none',
        r.rollout.enabled ? 'on' : 'off (kill switch)',
        r.rollout.canary,
        r.rollout.shadow ? 'on' : 'off',
        r.servingSet,
      ]),
    );
  }
}
