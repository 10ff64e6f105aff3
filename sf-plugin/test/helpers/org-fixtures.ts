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

/**
 * The mapping signature of lead-scoring 4.1.0's 22 inputs mapped as force-app maps them (mappingRows),
 * derived outside the code under test from the documented algorithm: sha256 (hex) of the canonical
 * JSON of the inputs sorted by name, each {"field": <path>, "input": <name>}, keys sorted, no spaces:
 * [{"field":"Email_Clicks_90d__c","input":"email_clicks_90d"},{"field":"Email_Opens_90d__c","input":"email_opens_90d"},...]
 * (python3: hashlib.sha256(that_text.encode()).hexdigest()). The production gate compares exactly this.
 */
export const MAPPING_SIGNATURE_4_1_0 = '1d2b8cd007000f0a3b1ca0c59c502f21ad893297e46454bb15669af9e03aa347';
