import { promises as fs } from 'node:fs';
import { TestContext } from '@salesforce/core/testSetup';
import { stubSfCommandUx } from '@salesforce/sf-plugins-core';
import ModelSignoff from '../../../../src/commands/scoring/model/signoff.js';
import { buildModelsDir, readLedgerLines } from '../../../helpers/models.js';
import { expectMatchesSchema } from '../../../helpers/schema.js';

describe('scoring model signoff', () => {
  const $$ = new TestContext();
  let modelsDir: string;
  let ux: ReturnType<typeof stubSfCommandUx>;
  const args = (...extra: string[]): string[] => ['--models-dir', modelsDir, '--name', 'lead-scoring', '--version', '4.1.0', ...extra];

  beforeEach(async () => {
    modelsDir = await buildModelsDir();
    ux = stubSfCommandUx($$.SANDBOX);
    process.env.SCORING_ACTOR = 'dana@example.com';
  });
  afterEach(async () => {
    delete process.env.SCORING_ACTOR;
    await fs.rm(modelsDir, { recursive: true, force: true });
    process.exitCode = undefined;
  });

  it('records who signed which artifact for which role, and what is still missing', async () => {
    const result = await ModelSignoff.run(args('--role', 'data-science', '--note', 'AUC and lift checked', '--json'));
    expectMatchesSchema('scoring-model-signoff', result);
    expect(result).toMatchObject({ role: 'data-science', actor: 'dana@example.com', signed: ['data-science'], missing: ['engineering', 'business'] });
    expect((await readLedgerLines(modelsDir)).pop()).toMatchObject({
      action: 'signoff',
      role: 'data-science',
      actor: 'dana@example.com',
      result: 'pass',
      reason: 'AUC and lift checked',
      sha256: result.sha256,
    });
  });

  it('tells humans who has signed and who has not', async () => {
    await ModelSignoff.run(args('--role', 'engineering'));
    process.env.SCORING_ACTOR = 'sam@example.com'; // another person: one actor holds one role
    await ModelSignoff.run(args('--role', 'business'));
    expect(ux.log.lastCall.args[0]).toBe('lead-scoring 4.1.0: business sign-off recorded. Signed: business, engineering. Still needed: data-science.');
  });

  it('withdraws a sign-off', async () => {
    await ModelSignoff.run(args('--role', 'business', '--json'));
    const result = await ModelSignoff.run(args('--role', 'business', '--withdraw', '--json'));
    expect(result.signed).toEqual([]);
    expect(result.missing).toContain('business');
  });

  it('refuses a role the checklist does not know', async () => {
    await expect(ModelSignoff.run(args('--role', 'marketing', '--json'))).rejects.toThrow(/Expected --role=marketing to be one of/);
  });
});
