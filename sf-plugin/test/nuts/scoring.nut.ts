/**
 * NUTs: the plugin against a real org, through @salesforce/cli-plugins-testkit.
 *
 * Needs (see docs/cli.md, "Testing against a real org"):
 *   - an org: SCORING_NUT_ORG=<username or alias already authenticated with sf> (a sandbox or scratch org
 *     with force-app deployed), or a Dev Hub for testkit (TESTKIT_HUB_USERNAME / TESTKIT_AUTH_URL /
 *     TESTKIT_JWT_*), in which case a scratch org is created from config/project-scratch-def.json and force-app is deployed;
 *   - a scoring service the org can reach: SCORING_SERVICE_URL, SCORING_API_KEY, SCORING_ADMIN_KEY
 *     (and the org's Scoring_Service Named Credential pointing at it, with the key set).
 * Without an org the suite is skipped with a message saying what to set; nothing else is touched.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execCmd, TestSession } from '@salesforce/cli-plugins-testkit';
import { Org } from '@salesforce/core';

const PLUGIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const REPO = path.resolve(PLUGIN, '..');
const existingOrg = process.env.SCORING_NUT_ORG;
const hub = process.env.TESTKIT_HUB_USERNAME ?? process.env.TESTKIT_AUTH_URL ?? process.env.TESTKIT_JWT_KEY;
const serviceReady = Boolean(process.env.SCORING_SERVICE_URL && process.env.SCORING_API_KEY && process.env.SCORING_ADMIN_KEY);
const configured = Boolean((existingOrg || hub) && serviceReady);

if (!configured) {
  console.warn(
    'Skipping the sf-plugin NUTs: no Salesforce org configured. Set SCORING_NUT_ORG (or a testkit Dev Hub: TESTKIT_HUB_USERNAME/TESTKIT_AUTH_URL) ' +
      'and SCORING_SERVICE_URL, SCORING_API_KEY, SCORING_ADMIN_KEY; see docs/cli.md.',
  );
}

(configured ? describe : describe.skip)('scoring commands against a real org (NUT)', () => {
  let session: TestSession;
  let org: string;
  const run = <T>(args: string, exitCode = 0): T | undefined =>
    execCmd<T>(`${args} --models-dir ${path.join(REPO, 'models')} --target-org ${org} --json`, { ensureExitCode: exitCode, cli: 'inherit' }).jsonOutput?.result;

  beforeAll(async () => {
    process.env.TESTKIT_EXECUTABLE_PATH = path.join(PLUGIN, 'bin', 'run.js');
    session = await TestSession.create({
      project: { sourceDir: REPO },
      devhubAuthStrategy: existingOrg ? 'NONE' : 'AUTO',
      scratchOrgs: existingOrg ? [] : [{ config: 'config/project-scratch-def.json', setDefault: true, alias: 'scoring-nut', duration: 1 }],
    });
    org = existingOrg ?? 'scoring-nut';
    if (!existingOrg) execCmd('project deploy start --source-dir force-app --wait 30', { ensureExitCode: 0, cli: 'sf' });
    // Leads to validate on, with the inputs the model reads.
    const conn = (await Org.create({ aliasOrUsername: org })).getConnection();
    const leads = Array.from({ length: 20 }, (_, i) => ({
      LastName: `Nut ${i}`,
      Company: `Nut Co ${i}`,
      LeadSource: ['Web', 'Referral', 'Event'][i % 3],
      Tenure_At_Firm_Months__c: 6 + i * 7,
      Years_Experience__c: 3 + i,
      Mobility_Score__c: (i * 37) % 100,
    }));
    await conn.sobject('Lead').create(leads);
  }, 1_800_000);

  afterAll(async () => {
    await session?.clean();
  });

  it('deploys the mapping after checking every field through describe', () => {
    const result = run<{ fields: { ok: boolean }[] }>('scoring mapping deploy --name lead-scoring --version 4.1.0 --version 4.0.0');
    expect(result?.fields.every((f) => f.ok)).toBe(true);
  });

  it('deploys 4.1.0 as challenger, with the service checked', () => {
    const result = run<{ org: { isSandbox: boolean }; service: { sha256: string } }>('scoring model deploy --name lead-scoring --version 4.1.0 --role challenger --canary 0');
    expect(result?.org.isSandbox).toBe(true);
    expect(result?.service.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('validates 4.1.0 through the org’s own callout path', () => {
    const result = run<{ compared: number; maxAbsDiff: number }>('scoring org validate --name lead-scoring --version 4.1.0 --sample 20 --max-psi 10');
    expect(result?.compared).toBe(20);
    expect(result?.maxAbsDiff).toBeLessThanOrEqual(1e-6);
  });

  it('lists the deployment', () => {
    const result = run<{ versions: { version: string; deployments: { role: string }[] }[] }>('scoring model list --name lead-scoring');
    expect(result?.versions.find((v) => v.version === '4.1.0')?.deployments.map((d) => d.role)).toContain('challenger');
  });
});
