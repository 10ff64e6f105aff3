/**
 * The whole release path across commands, with a sandbox and a production org: the proof that
 * `org validate` writes in the sandbox is exactly what `model deploy` and `model promote` accept
 * in production (same artifact, same mapping signature), and nothing less.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Connection } from '@salesforce/core';
import { MockTestOrgData, TestContext } from '@salesforce/core/testSetup';
import { stubSfCommandUx, stubSpinner } from '@salesforce/sf-plugins-core';
import type { AnyJson } from '@salesforce/ts-types';
import MappingDeploy from '../../../src/commands/scoring/mapping/deploy.js';
import ModelDeploy from '../../../src/commands/scoring/model/deploy.js';
import ModelList from '../../../src/commands/scoring/model/list.js';
import ModelPromote from '../../../src/commands/scoring/model/promote.js';
import ModelRollback from '../../../src/commands/scoring/model/rollback.js';
import ModelSignoff from '../../../src/commands/scoring/model/signoff.js';
import OrgValidate from '../../../src/commands/scoring/org/validate.js';
import type { Manifest } from '../../../src/lib/library.js';
import { stubMetadataDeploy, type DeployedRecord } from '../../helpers/fake-deploy.js';
import { fakeOrgRequests, LEAD_FIELDS, newFakeOrg, type FakeOrg } from '../../helpers/fake-org.js';
import { ADMIN_KEY, API_KEY, startFakeService, type FakeService } from '../../helpers/fake-service.js';
import { buildModelsDir, readLedgerLines } from '../../helpers/models.js';
import { CONFIG_4_0_0, readManifest } from '../../helpers/org-fixtures.js';

type GoldenRow = { id: string; inputs: Record<string, unknown>; asOf: string; prediction: number };

describe('the release path: sandbox proof, production gate, promotion, rollback', () => {
  const $$ = new TestContext();
  const sandboxOrg = new MockTestOrgData();
  const prodOrg = new MockTestOrgData();
  let modelsDir: string;
  let service: FakeService;
  let manifest: Manifest;
  let orgs: Record<string, FakeOrg>;

  /** A fake org that applies deployed custom metadata records to its own state, like the Metadata API would. */
  function makeOrg(isSandbox: boolean, golden: GoldenRow[]): FakeOrg {
    const known = new Set(manifest.inputs.map((i) => i.name));
    return newFakeOrg({
      isSandbox,
      config: { ...CONFIG_4_0_0 },
      leadFields: LEAD_FIELDS.map((f) => ({ ...f })),
      leads: golden.map((r) => ({ Id: r.id })),
      validate: ({ leadIds, version }) => {
        const rows = leadIds.map((id) => golden.find((r) => r.id === id)!);
        return {
          request: { version, asOf: rows[0].asOf, records: rows.map((r) => ({ id: r.id, inputs: Object.fromEntries(Object.entries(r.inputs).filter(([k]) => known.has(k))) })) },
          service: { version, signature: manifest.signature, results: rows.map((r) => ({ id: r.id, score: r.prediction })) },
        };
      },
    });
  }

  function apply(org: FakeOrg, records: DeployedRecord[]): void {
    for (const r of records) {
      if (r.type === 'CustomMetadata' && r.fullName.startsWith('Scoring_Model_Config.')) org.config = { ...org.config, ...r.values, Canary_Percent__c: Number(r.values.Canary_Percent__c) };
      if (r.fullName.startsWith('Scoring_Field_Mapping.')) {
        org.mappings = [...org.mappings.filter((m) => m.Input_Name__c !== r.values.Input_Name__c), { Input_Name__c: String(r.values.Input_Name__c), Field_Path__c: String(r.values.Field_Path__c) }];
      }
    }
  }

  beforeAll(async () => {
    service = await startFakeService();
    process.env.SCORING_API_KEY = API_KEY;
    process.env.SCORING_ADMIN_KEY = ADMIN_KEY;
  });
  afterAll(async () => {
    await service.close();
    delete process.env.SCORING_API_KEY;
    delete process.env.SCORING_ADMIN_KEY;
  });

  beforeEach(async () => {
    modelsDir = await buildModelsDir();
    manifest = await readManifest(modelsDir, '4.1.0');
    const golden = (JSON.parse(await fs.readFile(path.join(modelsDir, 'golden', 'lead-scoring-4.1.0.json'), 'utf8')) as { rows: GoldenRow[] }).rows;
    service.served.set('lead-scoring@4.0.0', (await readManifest(modelsDir, '4.0.0')).sha256);
    service.served.set('lead-scoring@4.1.0', manifest.sha256);
    orgs = { [sandboxOrg.username]: makeOrg(true, golden), [prodOrg.username]: makeOrg(false, golden) };
    await $$.stubAuths(sandboxOrg, prodOrg);
    $$.stubAliases({});
    $$.fakeConnectionRequest = function (this: Connection, request: AnyJson) {
      return fakeOrgRequests(orgs[this.getUsername()!])(request);
    } as never;
    stubSfCommandUx($$.SANDBOX);
    stubSpinner($$.SANDBOX);
  });
  afterEach(async () => {
    await fs.rm(modelsDir, { recursive: true, force: true });
    process.exitCode = undefined;
  });

  it('goes from sandbox to production champion and back, with every step in the ledger', async () => {
    const fake = stubMetadataDeploy($$.SANDBOX);
    const common = ['--models-dir', modelsDir, '--name', 'lead-scoring'];
    const inOrg = async <T>(org: MockTestOrgData, run: () => Promise<T>): Promise<T> => {
      const before = fake.deployed.length;
      const result = await run();
      for (const records of fake.deployed.slice(before)) apply(orgs[org.username], records);
      return result;
    };
    const sb = ['--target-org', sandboxOrg.username, ...common];
    const prod = ['--target-org', prodOrg.username, ...common, '--service-url', service.url];

    // Sandbox: mapping, challenger, proof.
    await inOrg(sandboxOrg, () => MappingDeploy.run([...sb, '--version', '4.1.0', '--version', '4.0.0', '--json']));
    await inOrg(sandboxOrg, () => ModelDeploy.run([...sb, '--version', '4.1.0', '--service-url', service.url, '--json']));
    const proof = await OrgValidate.run([...sb, '--sample', '300', '--json']);
    expect(proof.passed).toBe(true);

    // Production: same mapping, but no sign-offs yet -> refused.
    await inOrg(prodOrg, () => MappingDeploy.run([...prod.filter((a, i, all) => a !== '--service-url' && all[i - 1] !== '--service-url'), '--version', '4.1.0', '--version', '4.0.0', '--json']));
    await expect(ModelDeploy.run([...prod, '--version', '4.1.0', '--json'])).rejects.toThrow(/Missing sign-offs: data-science, engineering, business/);

    for (const role of ['data-science', 'engineering', 'business']) {
      process.env.SCORING_ACTOR = `${role}@example.com`; // one person, one role (the sign-off rules)
      await ModelSignoff.run(['--models-dir', modelsDir, '--name', 'lead-scoring', '--version', '4.1.0', '--role', role, '--json']);
    }
    delete process.env.SCORING_ACTOR;
    const deployed = await inOrg(prodOrg, () => ModelDeploy.run([...prod, '--version', '4.1.0', '--json']));
    expect(deployed.productionGate).toMatchObject({ required: true, passed: true });
    expect(deployed.mappingSignature).toBe(proof.mappingSignature);

    const promoted = await inOrg(prodOrg, () => ModelPromote.run([...prod, '--json']));
    expect(promoted).toMatchObject({ version: '4.1.0', previousChampion: '4.0.0', registryUpdated: true });

    const listed = await ModelList.run(['--models-dir', modelsDir, '--json']);
    expect(listed.versions.find((v) => v.version === '4.1.0')?.deployments).toEqual(
      expect.arrayContaining([
        { org: sandboxOrg.username, isSandbox: true, role: 'challenger', canaryPercent: 0 },
        { org: prodOrg.username, isSandbox: false, role: 'champion' },
      ]),
    );

    const rolledBack = await inOrg(prodOrg, () => ModelRollback.run([...prod, '--reason', 'lift 1.2x two weeks running', '--json']));
    expect(rolledBack).toMatchObject({ rolledBack: '4.1.0', restored: '4.0.0' });
    expect(orgs[prodOrg.username].config).toMatchObject({ Champion_Version__c: '4.0.0' });

    const actions = (await readLedgerLines(modelsDir)).filter((e) => e.action !== 'import').map((e) => `${e.action}:${e.result}`);
    expect(actions).toEqual([
      'mapping-deploy:ok', 'mapping-deploy:ok', 'deploy:ok', 'org-validate:pass',
      'mapping-deploy:ok', 'mapping-deploy:ok', 'deploy:fail',
      'signoff:pass', 'signoff:pass', 'signoff:pass',
      'deploy:ok', 'promote:ok', 'rollback:ok',
    ]);
  });

  it('refuses production when its mapping differs from the one proven in the sandbox', async () => {
    const fake = stubMetadataDeploy($$.SANDBOX);
    const sb = ['--target-org', sandboxOrg.username, '--models-dir', modelsDir, '--name', 'lead-scoring'];
    await MappingDeploy.run([...sb, '--version', '4.1.0', '--json']);
    apply(orgs[sandboxOrg.username], fake.deployed[0]);
    expect((await OrgValidate.run([...sb, '--version', '4.1.0', '--sample', '300', '--json'])).passed).toBe(true);
    for (const role of ['data-science', 'engineering', 'business']) {
      process.env.SCORING_ACTOR = `${role}@example.com`; // one person, one role (the sign-off rules)
      await ModelSignoff.run(['--models-dir', modelsDir, '--name', 'lead-scoring', '--version', '4.1.0', '--role', role, '--json']);
    }
    delete process.env.SCORING_ACTOR;
    // Production maps mobility_score to another field.
    orgs[prodOrg.username].mappings = fake.deployed[0].map((r) => ({
      Input_Name__c: String(r.values.Input_Name__c),
      Field_Path__c: r.values.Input_Name__c === 'mobility_score' ? 'Mobility_Score_V2__c' : String(r.values.Field_Path__c),
    }));
    await expect(
      ModelDeploy.run(['--target-org', prodOrg.username, '--models-dir', modelsDir, '--name', 'lead-scoring', '--version', '4.1.0', '--service-url', service.url, '--json']),
    ).rejects.toThrow(/only with a different field mapping/);
  });
});
