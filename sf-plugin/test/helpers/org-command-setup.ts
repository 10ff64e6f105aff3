/** Setup shared by the org commands' tests: a TestContext with a mock org, a fake org behind it, the fake service and a models dir. */
import { promises as fs } from 'node:fs';
import { MockTestOrgData, TestContext } from '@salesforce/core/testSetup';
import { stubSfCommandUx, stubSpinner } from '@salesforce/sf-plugins-core';
import type { Manifest } from '../../src/lib/library.js';
import { fakeOrgRequests, newFakeOrg, type FakeOrg } from './fake-org.js';
import { ADMIN_KEY, API_KEY, startFakeService, type FakeService } from './fake-service.js';
import { buildModelsDir } from './models.js';
import { CONFIG_4_0_0, mappingRows, readManifest } from './org-fixtures.js';

export type OrgCommandWorld = {
  $$: TestContext;
  testOrg: MockTestOrgData;
  modelsDir: string;
  service: FakeService;
  manifests: Record<string, Manifest>;
  org: FakeOrg;
  ux: ReturnType<typeof stubSfCommandUx>;
};

/** Registers beforeAll/beforeEach/afterEach hooks; the returned object is filled in before each test. */
export function orgCommandWorld(): OrgCommandWorld {
  const world = { $$: new TestContext(), testOrg: new MockTestOrgData() } as OrgCommandWorld;
  beforeAll(async () => {
    world.service = await startFakeService();
    process.env.SCORING_API_KEY = API_KEY;
    process.env.SCORING_ADMIN_KEY = ADMIN_KEY;
  });
  afterAll(async () => {
    await world.service.close();
    delete process.env.SCORING_API_KEY;
    delete process.env.SCORING_ADMIN_KEY;
  });
  beforeEach(async () => {
    world.modelsDir = await buildModelsDir();
    world.manifests = { '4.0.0': await readManifest(world.modelsDir, '4.0.0'), '4.1.0': await readManifest(world.modelsDir, '4.1.0') };
    world.service.served.clear();
    world.service.loadable.clear();
    world.service.calls.length = 0;
    world.service.replicaDigests = undefined;
    for (const [v, m] of Object.entries(world.manifests)) world.service.served.set(`lead-scoring@${v}`, m.sha256);
    world.org = newFakeOrg({ isSandbox: true, config: { ...CONFIG_4_0_0 }, mappings: mappingRows(world.manifests['4.1.0']) });
    await world.$$.stubAuths(world.testOrg);
    world.$$.stubAliases({});
    world.$$.fakeConnectionRequest = fakeOrgRequests(world.org);
    world.ux = stubSfCommandUx(world.$$.SANDBOX);
    stubSpinner(world.$$.SANDBOX);
  });
  afterEach(async () => {
    await fs.rm(world.modelsDir, { recursive: true, force: true });
    process.exitCode = undefined;
  });
  return world;
}
