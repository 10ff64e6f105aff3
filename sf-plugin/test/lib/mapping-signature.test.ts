/**
 * The mapping signature is what the production gate compares between a sandbox and production,
 * so it is checked by value: the expected hashes are sha256 of the canonical JSON written out
 * here by hand (inputs sorted, each {"field", "input"}, keys sorted, no spaces), computed outside
 * the code under test (python3 hashlib).
 */
import { mappingSignature } from '../../src/lib/package/mapping-signature.js';

describe('mappingSignature', () => {
  const inputs = ['tenure_at_firm_months', 'lead_source', 'industry'];
  const mapping = [
    { input: 'lead_source', field: 'LeadSource' },
    { input: 'industry', field: 'Industry' },
    { input: 'tenure_at_firm_months', field: 'Tenure__c' },
  ];

  it('is sha256 over the sorted input -> field path pairs', () => {
    // [{"field":"Industry","input":"industry"},{"field":"LeadSource","input":"lead_source"},{"field":"Tenure__c","input":"tenure_at_firm_months"}]
    expect(mappingSignature(mapping, inputs)).toBe('177eb2b68403ba74dc9b6c458077dfc69dc8f292517425eb3768b501ce92b7ad');
  });

  it('changes when one field path changes', () => {
    const moved = mapping.map((m) => (m.input === 'lead_source' ? { ...m, field: 'Lead_Source__c' } : m));
    // [{"field":"Industry","input":"industry"},{"field":"Lead_Source__c","input":"lead_source"},{"field":"Tenure__c","input":"tenure_at_firm_months"}]
    expect(mappingSignature(moved, inputs)).toBe('7d15a426136dfccd4217f8ff034f3d093adebaa691b9281c772ff7f2de20afe0');
  });

  it('counts an input with no mapping record as unmapped (field null)', () => {
    const missing = mapping.filter((m) => m.input !== 'tenure_at_firm_months');
    // [{"field":"Industry","input":"industry"},{"field":"LeadSource","input":"lead_source"},{"field":null,"input":"tenure_at_firm_months"}]
    expect(mappingSignature(missing, inputs)).toBe('cda50321ae49c7dfbe4ed16db99226e6cd96d7a99c9df2e8134451c076e291eb');
  });

  it('ignores mapping records of inputs the version does not have, and the order records come in', () => {
    const extra = [...mapping].reverse().concat({ input: 'not_an_input', field: 'Other__c' });
    expect(mappingSignature(extra, inputs)).toBe('177eb2b68403ba74dc9b6c458077dfc69dc8f292517425eb3768b501ce92b7ad');
  });
});
