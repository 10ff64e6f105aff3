/** Org-side fixtures derived from a real package: the mapping records force-app would hold for its inputs. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Manifest } from '../../src/lib/library.js';

export async function readManifest(modelsDir: string, version: string): Promise<Manifest> {
  return JSON.parse(await fs.readFile(path.join(modelsDir, 'lead-scoring', version, 'manifest.json'), 'utf8')) as Manifest;
}

export function mappingRows(manifest: Manifest): { Input_Name__c: string; Field_Path__c: string }[] {
  return manifest.inputs.map((i) => ({ Input_Name__c: i.name, Field_Path__c: (i.field ?? '').replace(/^Lead\./, '') }));
}

export const CONFIG_4_0_0 = {
  DeveloperName: 'Lead_Scoring',
  Model_Name__c: 'lead-scoring',
  Champion_Version__c: '4.0.0',
  Challenger_Version__c: null,
  Canary_Percent__c: 0,
  Named_Credential__c: 'Scoring_Service',
  Enabled__c: true,
  Top_K_Reasons__c: 5,
  Batch_Size__c: 200,
};
