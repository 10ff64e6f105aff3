/** A TestContext whose org is the Bulk API 2.0 test server: the command's REST calls and its bulk fetches both reach it. */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockTestOrgData, TestContext } from '@salesforce/core/testSetup';
import { stubSfCommandUx, stubSpinner } from '@salesforce/sf-plugins-core';
import type { AnyJson } from '@salesforce/ts-types';
import type { Manifest } from '../../src/lib/library.js';
import { buildModelsDir } from '../helpers/models.js';
import { mappingRows, readManifest } from '../helpers/org-fixtures.js';
import { BulkServer, MemoryLeads } from './bulk-server.js';
import { DESCRIBE, leadRows, type GoldenLead } from './leads.js';

export type BulkWorld = {
  $$: TestContext;
  testOrg: MockTestOrgData;
  modelsDir: string;
  stateDir: string;
  manifest: Manifest;
  server: BulkServer;
  leads: MemoryLeads;
  url: string;
  golden: GoldenLead[];
};

export function bulkWorld(goldenCount = 23): BulkWorld {
  const w = { $$: new TestContext(), testOrg: new MockTestOrgData() } as BulkWorld;
  beforeEach(async () => {
    w.modelsDir = await buildModelsDir();
    w.stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'scoring-bulk-state-'));
    w.manifest = await readManifest(w.modelsDir, '4.1.0');
    const golden = JSON.parse(
      await fs.readFile(path.join(w.modelsDir, 'golden', 'lead-scoring-4.1.0.json'), 'utf8'),
    ) as { rows: GoldenLead[] };
    w.golden = golden.rows.slice(0, goldenCount);
    w.leads = new MemoryLeads(leadRows(w.manifest, w.golden));
    w.server = new BulkServer({
      leads: w.leads,
      describe: DESCRIBE,
      mappings: mappingRows(w.manifest),
      config: {
        Model_Name__c: 'lead-scoring',
        Champion_Version__c: '4.1.0',
        Top_K_Reasons__c: 5,
        Batch_Size__c: 200,
        Enabled__c: true,
      },
      grants: DESCRIBE.filter((f) => f.permissionable !== false).map((f) => `Lead.${f.name}`),
    });
    w.url = await w.server.start();
    w.testOrg.instanceUrl = w.url;
    await w.$$.stubAuths(w.testOrg);
    w.$$.stubAliases({});
    w.$$.fakeConnectionRequest = async (request: AnyJson) => {
      const req = (typeof request === 'string' ? { url: request } : request) as { method?: string; url: string };
      return w.server.rest(req.method ?? 'GET', req.url) as AnyJson;
    };
    stubSfCommandUx(w.$$.SANDBOX);
    stubSpinner(w.$$.SANDBOX);
  });
  afterEach(async () => {
    await w.server.close();
    await fs.rm(w.modelsDir, { recursive: true, force: true });
    await fs.rm(w.stateDir, { recursive: true, force: true });
    process.exitCode = undefined;
  });
  return w;
}
