/**
 * Stands in for the Metadata API behind SDR: ComponentSet.deploy is stubbed to report
 * progress and finish with the given outcome, and the deployed records are captured
 * (parsed from the in-memory source the command built).
 */
import { ComponentSet } from '@salesforce/source-deploy-retrieve';
import type { SinonSandbox } from 'sinon';

export type DeployedRecord = { fullName: string; type: string; values: Record<string, unknown> };

/** `timeouts`: the seconds each deploy was given to finish (pollStatus's timeout). */
export type FakeDeploy = { deployed: DeployedRecord[][]; progress: number; timeouts: number[] };

type Failure = { fullName: string; problem: string };

export function stubMetadataDeploy(sandbox: SinonSandbox, outcome: { success: boolean; failures?: Failure[] } = { success: true }): FakeDeploy {
  const fake: FakeDeploy = { deployed: [], progress: 0, timeouts: [] };
  sandbox.stub(ComponentSet.prototype, 'deploy').callsFake(async function (this: ComponentSet) {
    const records: DeployedRecord[] = [];
    for (const component of this.getSourceComponents().toArray()) {
      const xml = (await component.parseXml()) as { CustomMetadata: { values: { field: string; value: unknown }[] | { field: string; value: unknown } } };
      const values = Array.isArray(xml.CustomMetadata.values) ? xml.CustomMetadata.values : [xml.CustomMetadata.values];
      records.push({
        fullName: component.fullName,
        type: component.type.name,
        values: Object.fromEntries(values.map((v) => [v.field, typeof v.value === 'object' && v.value !== null ? (v.value as { '#text'?: unknown })['#text'] ?? null : v.value])),
      });
    }
    fake.deployed.push(records);
    const total = records.length;
    const failures = outcome.failures ?? [];
    return {
      onUpdate(cb: (s: unknown) => void) {
        cb({ status: 'InProgress', numberComponentsDeployed: 0, numberComponentsTotal: total });
        fake.progress++;
      },
      async pollStatus(_frequency: number, timeout: number) {
        fake.timeouts.push(timeout);
        return {
          response: {
            id: '0Af000000000001AAA',
            status: outcome.success ? 'Succeeded' : 'Failed',
            success: outcome.success,
            numberComponentsDeployed: outcome.success ? total : 0,
            numberComponentsTotal: total,
            details: outcome.success
              ? {}
              : { componentFailures: failures.map((f) => ({ fullName: f.fullName, componentType: 'CustomMetadata', problem: f.problem, success: 'false' })) },
          },
        };
      },
    } as never;
  });
  return fake;
}
