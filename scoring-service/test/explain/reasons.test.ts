import { readFileSync } from 'fs';
import { join, resolve } from 'path';
import { compilePipeline } from '../../src/features/pipeline';
import { manifestSchema, snapshotTableSchema, type SnapshotTable } from '../../src/manifest/schema';
import { createReasonBuilder, type Explanation } from '../../src/explain/reasons';
import { createTreeExplainer } from '../../src/explain/treeshap';
import { formatNumber, phraseInput } from '../../src/explain/phrasing';
import { treeEnsembleFromXgboost } from '../../src/trees/from-xgboost';

const MODELS = resolve(__dirname, '../../../models');

function loadModel(name: string, version: string) {
  const dir = join(MODELS, name, version);
  const manifest = manifestSchema.parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  const snapshots: Record<string, SnapshotTable> = {};
  for (const f of manifest.features) {
    if (f.kind === 'lookup')
      snapshots[f.table] = snapshotTableSchema.parse(
        JSON.parse(readFileSync(join(dir, 'snapshots', `${f.table}.json`), 'utf8')),
      );
  }
  const pipeline = compilePipeline(manifest, snapshots);
  const ensemble = treeEnsembleFromXgboost(
    readFileSync(join(MODELS, 'training/artifacts', name, version, 'xgboost.json'), 'utf8'),
  );
  const explainer = createTreeExplainer(ensemble);
  const reasons = createReasonBuilder({ blocks: pipeline.blocks, inputs: pipeline.inputs, link: ensemble.link });
  const explain = (inputs: Record<string, unknown>, options: { asOf: string; top?: number }): Explanation => {
    const row = pipeline.transform([{ id: 'r', inputs }], { asOf: options.asOf });
    return reasons.fromColumns(explainer.explain(row, 1), { inputs, ...options });
  };
  return { manifest, pipeline, ensemble, explainer, reasons, explain };
}

const lead40 = loadModel('lead-scoring', '4.0.0');
const gift = loadModel('gift-demand', '2.1.0');

const LEAD = {
  lead_source: 'Web',
  industry: 'Banking',
  seniority: 'Director',
  firm_type: 'Independent RIA',
  is_ia_rep: true,
  tenure_at_firm_months: 30,
  years_experience: 12,
  prior_firms: 1,
  mobility_score: 72.5,
  recent_mover: false,
  firm_bleeding: true,
  firm_aum_musd: 250,
  firm_headcount_change_pct: -3.5,
  licenses_count: 3,
  has_series_65: true,
  email_opens_90d: 9,
  email_clicks_90d: 2,
  web_visits_30d: 5,
  event_attended: false,
  last_activity_date: '2026-11-13',
  lead_created_date: '2026-10-01',
  has_phone: null,
  industry_tenure_months: 34,
};
const AS_OF = '2026-11-25';

describe('folding column contributions into reasons', () => {
  it('groups one-hot columns under their input and keeps crosses, hash sets and lookups as one reason each', () => {
    const keys = lead40.reasons.groups.map((g) => g.key);
    expect(keys).toHaveLength(26); // 23 inputs + 3 crosses
    const source = lead40.reasons.groups.find((g) => g.key === 'lead_source')!;
    expect(source.columns).toHaveLength(8); // 7 categories + unknown
    const cross = lead40.reasons.groups.find((g) => g.key === 'tenure_bucket_x_mobility')!;
    expect(cross).toMatchObject({
      kind: 'cross',
      label: 'Tenure bucket x mobility',
      inputs: ['tenure_at_firm_months', 'mobility_score'],
    });

    const labels = gift.reasons.groups.map((g) => g.label);
    expect(labels).toEqual(expect.arrayContaining(['Product x gender interactions', 'Shop profile', 'New x female']));
    // price feeds a number and a bucket block: one reason
    expect(gift.reasons.groups.find((g) => g.key === 'product_price')!.columns).toHaveLength(2);
    expect(gift.reasons.groups.find((g) => g.key === 'hash_product_gender')!.columns).toHaveLength(32);
  });

  it.each([
    ['lead-scoring', '4.1.0'],
    ['lead-scoring', '4.0.0'],
    ['gift-demand', '2.1.0'],
  ])('keeps the total for every golden row of %s %s (base + reasons = margin)', (name, version) => {
    const model = name === 'gift-demand' ? gift : version === '4.0.0' ? lead40 : loadModel(name, version);
    const golden = JSON.parse(readFileSync(join(MODELS, 'golden', `${name}-${version}.json`), 'utf8')) as {
      rows: Array<{ inputs: Record<string, unknown>; asOf: string; margin: number; contribs: number[] }>;
    };
    const width = model.ensemble.nFeatures;
    for (const row of golden.rows) {
      const folded = model.reasons.fold(row.contribs);
      const columnsTotal = row.contribs.slice(0, width).reduce((a, b) => a + b, 0);
      expect(folded.reduce((a, b) => a + b, 0)).toBeCloseTo(columnsTotal, 12);
      const explanation = model.reasons.fromColumns(row.contribs, { inputs: row.inputs, asOf: row.asOf });
      expect(explanation.reasons).toHaveLength(model.reasons.groups.length);
      expect(Math.abs(explanation.margin - row.margin)).toBeLessThan(1e-5);
      expect(explanation.base).toBe(row.contribs[width]);
    }
  });

  it('orders reasons by size, keeps the top k, and gives each a direction', () => {
    const all = lead40.explain(LEAD, { asOf: AS_OF });
    const sizes = all.reasons.map((r) => Math.abs(r.contribution));
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    for (const r of all.reasons) expect(r.direction).toBe(r.contribution > 0 ? 'raises' : 'lowers');
    expect(all.reasons.some((r) => r.direction === 'raises') && all.reasons.some((r) => r.direction === 'lowers')).toBe(
      true,
    );
    const top = lead40.explain(LEAD, { asOf: AS_OF, top: 5 });
    expect(top.reasons).toEqual(all.reasons.slice(0, 5));
    expect(top.margin).toBe(all.margin); // the margin is the whole model's, not the top 5's
    expect(all.unit).toBe('log-odds');
    expect(all.method).toBe('treeshap');
    expect(() => lead40.explain(LEAD, { asOf: AS_OF, top: 0 })).toThrow(/top must be a positive integer/);
  });
});

describe('reason text a rep can read', () => {
  const byInput = (e: Explanation) => new Map(e.reasons.map((r) => [r.input, r]));
  const reasons = byInput(lead40.explain(LEAD, { asOf: AS_OF }));

  it('phrases numbers with their units', () => {
    expect(reasons.get('industry_tenure_months')).toMatchObject({
      label: 'Industry tenure',
      value: 34,
      text: 'Industry tenure is 34 months',
    });
    expect(reasons.get('firm_aum_musd')!.text).toBe('Firm assets under management is $250M');
    expect(reasons.get('firm_headcount_change_pct')!.text).toBe('Firm headcount change (12 months) is -3.5%');
    expect(reasons.get('years_experience')!.text).toBe('Years in the industry is 12 years');
    expect(reasons.get('prior_firms')!.text).toBe('Prior firms is 1');
    expect(formatNumber(1, 'months')).toBe('1 month');
    expect(formatNumber(2534.3, '$M')).toBe('$2,534.3M');
    expect(formatNumber(-12.5, '$M')).toBe('-$12.5M');
    expect(formatNumber(4.5, 'stars')).toBe('4.5 stars');
  });

  it('phrases categories, including a value the model does not know', () => {
    expect(reasons.get('lead_source')).toMatchObject({ value: 'Web', text: 'Lead source is Web' });
    expect(reasons.get('seniority')!.text).toBe('Seniority is Director');
    const odd = byInput(lead40.explain({ ...LEAD, lead_source: 'Podcast' }, { asOf: AS_OF }));
    expect(odd.get('lead_source')!.text).toBe('Lead source is Podcast (not one of the values the model knows)');
  });

  it('phrases booleans as yes or no', () => {
    expect(reasons.get('has_series_65')).toMatchObject({ value: true, text: 'Holds Series 65: yes' });
    expect(reasons.get('event_attended')!.text).toBe('Attended an event: no');
  });

  it('phrases dates as how long ago, and ages as durations', () => {
    expect(reasons.get('last_activity_date')).toMatchObject({
      value: '2026-11-13',
      text: 'Last activity was 12 days ago',
    });
    expect(reasons.get('lead_created_date')!.text).toBe('Lead age is 55 days');
    const spec = lead40.manifest.inputs.find((i) => i.name === 'last_activity_date')!;
    const day = 20_000; // 2024-10-04
    expect(phraseInput(spec, '2024-10-04', day)).toBe('Last activity was today');
    expect(phraseInput(spec, '2024-10-03', day)).toBe('Last activity was yesterday');
    expect(phraseInput(spec, '2024-10-07T09:30:00Z', day)).toBe('Last activity was in 3 days');
  });

  it('says when a value is missing', () => {
    expect(reasons.get('has_phone')).toMatchObject({ value: null, text: 'Phone is missing' });
    const sparse = byInput(
      lead40.explain(
        { ...LEAD, industry_tenure_months: null, lead_source: '', last_activity_date: undefined },
        { asOf: AS_OF },
      ),
    );
    expect(sparse.get('industry_tenure_months')!.text).toBe('Industry tenure is missing');
    expect(sparse.get('lead_source')!.text).toBe('Lead source is missing');
    expect(sparse.get('last_activity_date')!.text).toBe('Last activity is missing');
  });

  it('phrases crosses from the inputs they combine', () => {
    const cross = reasons.get('tenure_bucket_x_mobility')!;
    expect(cross.text).toBe('Tenure bucket x mobility (Tenure at current firm is 30 months, Mobility score is 72.5)');
    expect(cross.value).toBe('Tenure at current firm: 30, Mobility score: 72.5');
  });
});

describe('count models', () => {
  const ITEM = {
    product_id: 'P0004',
    product_brand: 'Aurform',
    product_category: 'Electronics',
    product_price: 40,
    product_rating: null,
    is_new_product: true,
    product_launch_date: '2025-11-17',
    gender: 'female',
    shop_id: null,
    branch_id: 'BR-0007-2',
    shop_region: 'South',
    budget_tier: 'low',
    products_in_cycle: 47,
    cycle_month: 3,
  };

  it('reports log-count contributions with a note on reading them as multipliers', () => {
    const e = gift.explain(ITEM, { asOf: '2026-03-29', top: 4 });
    expect(e.unit).toBe('log-count');
    expect(e.note).toMatch(/multiplies the expected count by e\^contribution/);
    expect(e.reasons).toHaveLength(4);
    const all = gift.explain(ITEM, { asOf: '2026-03-29' });
    const shop = all.reasons.find((r) => r.input === 'shop_features')!;
    expect(shop.text).toBe('Shop profile (Shop is missing, Branch is BR-0007-2)');
    expect(shop.value).toBe('Branch: BR-0007-2');
    const price = all.reasons.find((r) => r.input === 'product_price')!;
    expect(price.text).toBe('Price is 40 EUR');
    expect(all.reasons.find((r) => r.input === 'product_rating')!.text).toBe('Rating is missing');
    expect(all.reasons.find((r) => r.input === 'hash_product_gender')!.label).toBe('Product x gender interactions');
  });
});

describe('sampling explanations', () => {
  it("carry each reason's standard error and say how they were made", () => {
    const groups = lead40.reasons.groups.length;
    const values = Float64Array.from({ length: groups + 1 }, (_, i) => (i === groups ? -3 : (i % 3) - 1) / 10);
    const errors = Float64Array.from({ length: groups }, (_, i) => i / 1000);
    const e = lead40.reasons.fromGroups(values, errors, { inputs: LEAD, asOf: AS_OF });
    expect(e.method).toBe('sampling');
    expect(e.base).toBeCloseTo(-0.3, 12);
    expect(e.note).toMatch(/standard error/);
    for (const r of e.reasons) {
      const g = lead40.reasons.groups.findIndex((x) => x.key === r.input);
      expect(r.standardError).toBe(errors[g]);
      expect(r.contribution).toBe(values[g]);
    }
  });
});
