import type { FeatureSpec, InputSpec, SnapshotTable } from '../../src/manifest/schema';
import { FeatureSchemaError, InputValidationError } from '../../src/features/errors';
import { compilePipeline } from '../../src/features/pipeline';
import { featureHasher } from '../../src/features/hasher';

const input = (name: string, type: InputSpec['type'], extra: Partial<InputSpec> = {}): InputSpec => ({
  name,
  type,
  label: name.replace(/_/g, ' '),
  required: false,
  strict: false,
  ...extra,
});

const inputs: InputSpec[] = [
  input('lead_source', 'string'),
  input('seniority', 'string'),
  input('tenure_months', 'number'),
  input('mobility', 'number'),
  input('is_ia_rep', 'boolean'),
  input('firm_type', 'string'),
  input('last_activity', 'date'),
];
const features: FeatureSpec[] = [
  { kind: 'onehot', input: 'lead_source', categories: ['Web', 'Event'], unknown: true },
  { kind: 'ordinal', input: 'seniority', categories: ['IC', 'Manager', 'VP'] },
  { kind: 'number', input: 'tenure_months' },
  { kind: 'bucket', input: 'tenure_months', edges: [12, 36, 60], name: 'tenure_bucket' },
  { kind: 'number', input: 'is_ia_rep' },
  {
    kind: 'cross',
    name: 'tenure_x_mobility',
    terms: [{ input: 'tenure_months', edges: [12, 36] }, { input: 'mobility' }],
  },
  {
    kind: 'cross',
    name: 'ria_x_ia',
    terms: [{ input: 'firm_type', equals: 'Independent RIA' }, { input: 'is_ia_rep' }],
  },
  { kind: 'days_since', input: 'last_activity' },
];

const rows = (out: Float32Array, width: number) =>
  Array.from({ length: out.length / width }, (_, r) => Array.from(out.subarray(r * width, (r + 1) * width)));

function problemsOf(fn: () => unknown): InputValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputValidationError) return err;
    throw err;
  }
  throw new Error('expected an InputValidationError');
}

describe('feature pipeline', () => {
  const pipeline = compilePipeline({ inputs, features });

  it('names the columns in block order and maps each block to its columns', () => {
    expect(pipeline.columns).toEqual([
      'lead_source=Web',
      'lead_source=Event',
      'lead_source=__unknown__',
      'seniority',
      'tenure_months',
      'tenure_bucket',
      'is_ia_rep',
      'tenure_x_mobility',
      'ria_x_ia',
      'last_activity',
    ]);
    expect(pipeline.blocks.map((b) => [b.kind, b.inputs.join('+'), b.name, b.start, b.width])).toEqual([
      ['onehot', 'lead_source', 'lead source', 0, 3],
      ['ordinal', 'seniority', 'seniority', 3, 1],
      ['number', 'tenure_months', 'tenure months', 4, 1],
      ['bucket', 'tenure_months', 'tenure months', 5, 1],
      ['number', 'is_ia_rep', 'is ia rep', 6, 1],
      ['cross', 'tenure_months+mobility', 'tenure_x_mobility', 7, 1],
      ['cross', 'firm_type+is_ia_rep', 'ria_x_ia', 8, 1],
      ['days_since', 'last_activity', 'last activity', 9, 1],
    ]);
  });

  it('computes every kind, with NaN or zeros for missing values', () => {
    const out = pipeline.transform(
      [
        {
          id: 'full',
          inputs: {
            lead_source: 'Event',
            seniority: 'VP',
            tenure_months: 36,
            mobility: 0.5,
            is_ia_rep: true,
            firm_type: 'Independent RIA',
            last_activity: '2026-11-20',
          },
        },
        {
          id: 'unknowns',
          inputs: {
            lead_source: 'Billboard',
            seniority: 'Intern',
            tenure_months: 11.5,
            mobility: 2,
            is_ia_rep: false,
            firm_type: 'Bank',
            last_activity: '2026-11-25T23:59:59Z',
          },
        },
        { id: 'empty', inputs: { lead_source: '', seniority: null, firm_type: 'Independent RIA', is_ia_rep: true } },
      ],
      { asOf: '2026-11-25' },
    );
    const [full, unknowns, empty] = rows(out, pipeline.columns.length);
    // tenure 36 is in bucket 2 of [12,36,60] (bisect right) and in bucket 2 of [12,36]; 2 * 0.5 = 1.
    expect(full).toEqual([0, 1, 0, 2, 36, 2, 1, 1, 1, 5]);
    expect(unknowns).toEqual([0, 0, 1, -1, 11.5, 0, 0, 0, 0, 0]);
    expect(empty.slice(0, 3)).toEqual([0, 0, 0]);
    expect(empty.slice(3, 6).every(Number.isNaN)).toBe(true);
    expect(empty[6]).toBe(1);
    expect(Number.isNaN(empty[7])).toBe(true); // mobility missing
    expect(empty[8]).toBe(1);
    expect(Number.isNaN(empty[9])).toBe(true);
  });

  it('reads the calendar day written in a datetime, with or without an offset', () => {
    const days = (last_activity: string) =>
      pipeline.transform([{ id: 'x', inputs: { last_activity } }], { asOf: '2026-11-25' })[9];
    expect(days('2026-11-01T10:00:00.000+0000')).toBe(24);
    expect(days('2026-11-01T23:30:00-05:00')).toBe(24);
    expect(days('2026-11-01')).toBe(24);
    expect(days('2026-12-01')).toBe(-6);
  });

  it("refuses unknown inputs, wrong types and bad dates in the record's key order, naming the record and input but not the value", () => {
    const err = problemsOf(() =>
      pipeline.transform([
        { id: 'a', inputs: { lead_source: 'Web', leadsource: 'Web', Tenure_Months: 3 } },
        { id: 'b', inputs: { tenure_months: '36', is_ia_rep: 'true', last_activity: '2026-02-30', lead_source: 7 } },
        { id: 'c', inputs: { mobility: Number.NaN, seniority: ['VP'], last_activity: 20261125 } },
      ]),
    );
    expect(err.problems).toEqual([
      { recordId: 'a', input: 'leadsource', problem: 'is not an input of this model' },
      { recordId: 'a', input: 'Tenure_Months', problem: 'is not an input of this model' },
      { recordId: 'b', input: 'tenure_months', problem: 'must be a number, got a string' },
      { recordId: 'b', input: 'is_ia_rep', problem: 'must be true or false, got a string' },
      {
        recordId: 'b',
        input: 'last_activity',
        problem: 'must be a date such as 2026-11-25 or an ISO datetime, got a string that is not one',
      },
      { recordId: 'b', input: 'lead_source', problem: 'must be a string, got a number' },
      { recordId: 'c', input: 'mobility', problem: 'must be a number, got a non-finite number' },
      { recordId: 'c', input: 'seniority', problem: 'must be a string, got an array' },
      {
        recordId: 'c',
        input: 'last_activity',
        problem: 'must be a date such as 2026-11-25 or an ISO datetime, got a number',
      },
    ]);
    expect(err.message).not.toContain('36');
  });

  it('accepts and ignores the inputs it is told to ignore, refusing other unknown ones', () => {
    const records = [{ id: 'a', inputs: { tenure_months: 3, industry_tenure_months: 40, typo_input: 1 } }];
    const err = problemsOf(() => pipeline.transform(records, { ignoreInputs: new Set(['industry_tenure_months']) }));
    expect(err.problems).toEqual([{ recordId: 'a', input: 'typo_input', problem: 'is not an input of this model' }]);
    const ok = pipeline.transform([{ id: 'b', inputs: { tenure_months: 3, industry_tenure_months: 40 } }], {
      ignoreInputs: new Set(['industry_tenure_months']),
    });
    expect(ok[4]).toBe(3);
    expect(pipeline.validate(records, { ignoreInputs: new Set(['industry_tenure_months', 'typo_input']) })).toEqual([]);
  });

  it('refuses prototype keys as unknown inputs instead of reading them', () => {
    const record = JSON.parse('{"id":"p","inputs":{"__proto__":{"x":1},"constructor":"y"}}');
    const err = problemsOf(() => pipeline.transform([record]));
    expect(err.problems.map((p) => p.input)).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    const long = problemsOf(() => pipeline.transform([{ id: 'l', inputs: { ['k'.repeat(10_000)]: 1 } }]));
    expect(long.problems[0].input).toBe(`${'k'.repeat(100)}…`);
  });

  it('enforces required inputs and strict categories', () => {
    const strict = compilePipeline({
      inputs: [
        input('lead_source', 'string', { strict: true, required: true }),
        input('industry', 'string', { strict: true, allowed: ['Banking', 'Other'] }),
      ],
      features: [
        { kind: 'onehot', input: 'lead_source', categories: ['Web', 'Event'], unknown: false },
        { kind: 'onehot', input: 'industry', categories: ['Banking'], unknown: true },
      ],
    });
    expect(strict.columns).toEqual([
      'lead_source=Web',
      'lead_source=Event',
      'industry=Banking',
      'industry=__unknown__',
    ]);
    expect(Array.from(strict.transform([{ id: 'ok', inputs: { lead_source: 'Event', industry: 'Other' } }]))).toEqual([
      0, 1, 0, 1,
    ]);
    const err = problemsOf(() =>
      strict.transform([
        { id: 'x', inputs: { industry: 'Mining' } },
        { id: 'y', inputs: { lead_source: 'Billboard' } },
      ]),
    );
    expect(err.problems).toEqual([
      { recordId: 'x', input: 'industry', problem: 'is not one of the allowed values (Banking, Other)' },
      { recordId: 'x', input: 'lead_source', problem: 'is required but missing' },
      { recordId: 'y', input: 'lead_source', problem: 'is not one of the allowed values (Web, Event)' },
    ]);
    expect(strict.validate([{ id: 'z', inputs: { lead_source: 'Web', industry: 'Banking' } }])).toEqual([]);
    // null and "" count as missing; a required input of the wrong type is reported once, as wrong.
    expect(
      strict.validate([
        { id: 'n', inputs: { lead_source: null } },
        { id: 'e', inputs: { lead_source: '' } },
        { id: 't', inputs: { lead_source: 3 } },
      ]),
    ).toEqual([
      { recordId: 'n', input: 'lead_source', problem: 'is required but missing' },
      { recordId: 'e', input: 'lead_source', problem: 'is required but missing' },
      { recordId: 't', input: 'lead_source', problem: 'must be a string, got a number' },
    ]);
  });

  it('hashes tokens exactly like FeatureHasher and skips tokens with a missing input', () => {
    const hashed = compilePipeline({
      inputs: [
        input('product_id', 'string'),
        input('gender', 'string'),
        input('shop_id', 'string'),
        input('qty', 'number'),
        input('promo', 'boolean'),
      ],
      features: [
        {
          kind: 'hash',
          name: 'pg',
          nFeatures: 16,
          alternateSign: true,
          tokens: [
            ['product_id', 'gender'],
            ['product_id', 'shop_id'],
            ['qty', 'promo'],
          ],
        },
      ],
    });
    expect(hashed.columns[15]).toBe('pg[15]');
    const out = hashed.transform([
      { id: '1', inputs: { product_id: 'P-1', gender: 'female', shop_id: 'Zürich', qty: 2.5, promo: true } },
      { id: '2', inputs: { product_id: 'P-1', gender: 'female' } },
    ]);
    const expected = featureHasher(
      [
        ['product_id=P-1|gender=female', 'product_id=P-1|shop_id=Zürich', 'qty=2.5|promo=true'],
        ['product_id=P-1|gender=female'],
      ],
      16,
    );
    expect(Array.from(out)).toEqual(Array.from(expected));
  });

  it('looks up snapshot rows by the first key present and found, else the global defaults', () => {
    const shops: SnapshotTable = {
      columns: ['shop_size', 'shop_rate', 'unused'],
      index: { branch_id: { B1: [10, 0.1, 1] }, shop_id: { S1: [20, 0.2, 2] }, shop_no: { '42': [42, 0.42, 3] } },
      defaults: [15, 0.15, 0],
    };
    const lookup = compilePipeline(
      {
        inputs: [input('branch_id', 'string'), input('shop_id', 'string'), input('shop_no', 'number')],
        features: [
          { kind: 'lookup', table: 'shops', keys: ['branch_id', 'shop_id'], columns: ['shop_rate', 'shop_size'] },
          { kind: 'lookup', table: 'shops', keys: ['shop_no'], columns: ['unused'] },
        ],
      },
      { shops },
    );
    expect(lookup.columns).toEqual(['shop_rate', 'shop_size', 'unused']);
    const out = rows(
      lookup.transform([
        { id: 'branch', inputs: { branch_id: 'B1', shop_id: 'S1' } },
        { id: 'fallback', inputs: { branch_id: 'B9', shop_id: 'S1' } },
        { id: 'defaults', inputs: { branch_id: 'B9', shop_id: 'S9' } },
        { id: 'numeric key', inputs: { shop_no: 42 } },
      ]),
      3,
    );
    expect(out.map((r) => r.map((v) => Math.fround(v)))).toEqual(
      [
        [0.1, 10, 0],
        [0.2, 20, 0],
        [0.15, 15, 0],
        [0.15, 15, 3],
      ].map((r) => r.map(Math.fround)),
    );
  });

  it('refuses a feature schema that does not fit its inputs, listing every problem', () => {
    let err: FeatureSchemaError | undefined;
    try {
      compilePipeline({
        inputs: [input('a', 'string'), input('d', 'date'), input('n', 'number', { strict: true })],
        features: [
          { kind: 'number', input: 'a' },
          { kind: 'days_since', input: 'n' },
          { kind: 'bucket', input: 'missing_input', edges: [1] },
          { kind: 'lookup', table: 'shops', keys: ['a'], columns: ['x'] },
          { kind: 'number', input: 'n', name: 'a=__unknown__' },
          { kind: 'onehot', input: 'a', categories: ['__unknown__'], unknown: false },
        ],
      });
    } catch (e) {
      err = e as FeatureSchemaError;
    }
    expect(err).toBeInstanceOf(FeatureSchemaError);
    expect(err?.problems.map((p) => p.path)).toEqual([
      'features[0].input',
      'features[1].input',
      'features[2].input',
      'features[3].table',
      'columns[5]',
      'inputs[2].strict',
    ]);
    expect(err?.message).toContain('a number block needs a number or boolean input; a is a string');
    expect(err?.message).toContain('snapshot table shops is not in the package');
  });

  it('rejects a bad asOf', () => {
    expect(() => pipeline.transform([], { asOf: 'tomorrow' })).toThrow(/asOf/);
  });

  it('gives the results docs/model-package.md promises for each worked example', () => {
    const docs = compilePipeline({
      inputs: [
        input('lead_source', 'string'),
        input('seniority', 'string'),
        input('product_price', 'number'),
        input('tenure_at_firm_months', 'number'),
        input('mobility_score', 'number'),
        input('last_activity_date', 'date'),
      ],
      features: [
        { kind: 'onehot', input: 'lead_source', categories: ['Web', 'Referral', 'Event'], unknown: true },
        {
          kind: 'ordinal',
          input: 'seniority',
          categories: ['Individual Contributor', 'Manager', 'Director', 'VP', 'C-Level'],
        },
        { kind: 'bucket', input: 'product_price', edges: [25, 50, 100, 250], name: 'price_band' },
        {
          kind: 'cross',
          name: 'tenure_bucket_x_mobility',
          terms: [{ input: 'tenure_at_firm_months', edges: [12, 36, 60, 120] }, { input: 'mobility_score' }],
        },
        { kind: 'days_since', input: 'last_activity_date' },
      ],
    });
    const row = (inputs: Record<string, unknown>) =>
      Array.from(docs.transform([{ id: 'doc', inputs }], { asOf: '2026-11-25' }));
    expect(row({ lead_source: 'Event' }).slice(0, 4)).toEqual([0, 0, 1, 0]);
    expect(row({ lead_source: 'Billboard' }).slice(0, 4)).toEqual([0, 0, 0, 1]);
    expect(row({}).slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(row({ seniority: 'VP' })[4]).toBe(3);
    expect([24.99, 25, 300].map((product_price) => row({ product_price })[5])).toEqual([0, 1, 4]);
    expect(row({ tenure_at_firm_months: 40, mobility_score: 0.5 })[6]).toBe(1);
    expect(row({ last_activity_date: '2026-11-01' })[7]).toBe(24);
  });
});
