import { baseMarginFor, parseXgboostModel, treeEnsembleFromXgboost } from '../../src/trees/from-xgboost';
import { predictMargin } from '../../src/trees/predict';
import { fixtureCase, fixtureText } from '../importer/golden';
import { refusal as refusalOf } from '../package/refusal';

// Tests edit arbitrary fields of the XGBoost JSON, so it is typed loosely on purpose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (name: string): any => JSON.parse(fixtureText(name));

const refusal = (model: unknown) => refusalOf(() => parseXgboostModel(model));

describe('parseXgboostModel', () => {
  it.each(['binary', 'poisson', 'regression'] as const)(
    'reproduces the XGBoost margins of the %s fixture exactly, missing values included',
    (name) => {
      const golden = fixtureCase(name);
      const ensemble = treeEnsembleFromXgboost(golden.xgboostText);
      golden.rows.forEach((row, i) => expect(predictMargin(ensemble, row)).toBe(golden.margin[i]));
    },
  );

  it('maps each objective to its link and base margin', () => {
    const binary = parseXgboostModel(fixtureText('binary'));
    expect(binary).toMatchObject({ objective: 'binary:logistic', baseScore: 0.1, xgboostVersion: '1.7.4' });
    expect(binary.ensemble.link).toBe('logit');
    expect(binary.ensemble.baseMargin).toBeCloseTo(Math.log(0.1 / 0.9), 6);
    expect(parseXgboostModel(fixtureText('poisson')).ensemble).toMatchObject({
      link: 'log',
      baseMargin: Math.fround(Math.log(0.5)),
    });
    const regression = parseXgboostModel(fixtureText('regression'));
    expect(regression.ensemble.link).toBe('identity');
    expect(regression.ensemble.baseMargin).toBe(Math.fround(regression.baseScore));
  });

  it('keeps sum_hessian as node covers, default_left as the missing direction and feature names', () => {
    const raw = json('binary');
    const tree = raw.learner.gradient_booster.model.trees[0];
    const model = parseXgboostModel(raw);
    const parsed = model.ensemble.trees[0];
    expect(parsed.cover[0]).toBe(Math.fround(tree.sum_hessian[0]));
    expect(parsed.missingYes[0]).toBe(tree.default_left[0]);
    expect(parsed.threshold[0]).toBe(Math.fround(tree.split_conditions[0]));
    expect(parsed.feature[0]).toBe(tree.split_indices[0]);
    // Covers add up: a node's cover is the sum of its children's.
    for (let n = 0; n < parsed.feature.length; n++) {
      if (parsed.feature[n] >= 0)
        expect(parsed.cover[parsed.yes[n]] + parsed.cover[parsed.no[n]]).toBeCloseTo(parsed.cover[n], 3);
    }
    expect(model.featureNames).toEqual(['tenure', 'seniority', 'opens', 'clicks', 'visits', 'aum']);
  });

  it('reads base_score in every form XGBoost writes', () => {
    const forms = ['5E-1', '[5E-1]', ' [ 5E-1 ] ', 0.5, '0.5'];
    const margins = forms.map((form) => {
      const raw = json('binary');
      raw.learner.learner_model_param.base_score = form;
      return parseXgboostModel(raw).ensemble.baseMargin;
    });
    expect(new Set(margins)).toEqual(new Set([0]));
  });

  it('takes an estimated base_score (any value) as the starting margin, shifting every prediction by link(base_score)', () => {
    const golden = fixtureCase('poisson');
    const raw = json('poisson');
    raw.learner.learner_model_param.base_score = '[2.3716E0]';
    const ensemble = treeEnsembleFromXgboost(raw);
    expect(ensemble.baseMargin).toBe(Math.fround(Math.log(Math.fround(2.3716))));
    const shift = ensemble.baseMargin - Math.fround(Math.log(0.5));
    golden.rows
      .slice(0, 20)
      .forEach((row, i) => expect(predictMargin(ensemble, row)).toBeCloseTo(golden.margin[i] + shift, 5));
  });

  it('computes base margins like XGBoost (float32 logit and log)', () => {
    expect(baseMarginFor('binary:logistic', 0.5)).toBe(0);
    expect(baseMarginFor('binary:logistic', 0.2)).toBe(
      Math.fround(-Math.log(Math.fround(Math.fround(1 / Math.fround(0.2)) - 1))),
    );
    expect(baseMarginFor('count:poisson', 3)).toBe(Math.fround(Math.log(3)));
    expect(baseMarginFor('reg:squarederror', -3.5)).toBe(-3.5);
    expect(() => baseMarginFor('binary:logistic', 1)).toThrow(/strictly between 0 and 1/);
    expect(() => baseMarginFor('count:poisson', 0)).toThrow(/positive mean count/);
  });

  it('ignores nodes that pruning left unreachable', () => {
    const golden = fixtureCase('binary');
    const raw = json('binary');
    const tree = raw.learner.gradient_booster.model.trees[0];
    // Append an orphan node: nothing points at it.
    for (const key of ['left_children', 'right_children']) tree[key].push(-1);
    for (const key of ['split_indices', 'default_left', 'split_type']) tree[key].push(0);
    tree.split_conditions.push(123);
    tree.sum_hessian.push(1);
    const ensemble = treeEnsembleFromXgboost(raw);
    expect(ensemble.trees[0].feature.length).toBe(tree.left_children.length - 1);
    golden.rows.forEach((row, i) => expect(predictMargin(ensemble, row)).toBe(golden.margin[i]));
  });

  it('warns when early stopping picked fewer trees than the file holds', () => {
    const raw = json('binary');
    raw.learner.attributes = { best_iteration: '9' };
    expect(parseXgboostModel(raw).warnings.join(' ')).toMatch(/best_iteration 9.*all 40 trees/);
    raw.learner.attributes = { best_iteration: '39' };
    expect(parseXgboostModel(raw).warnings).toEqual([]);
  });
});

describe('refusals name what is unsupported and why', () => {
  it('refuses categorical splits', () => {
    const err = refusal(fixtureText('categorical'));
    expect(err.code).toBe('categorical-splits');
    expect(err.message).toMatch(/column 2 .*categorical/);
    expect(err.message).toMatch(/onehot or ordinal/);
  });

  it('refuses a categorical split even when feature_types was not saved', () => {
    const raw = JSON.parse(fixtureText('categorical').replace(/NaN/g, '0'));
    raw.learner.feature_types = [];
    const err = refusal(raw);
    expect(err.code).toBe('categorical-splits');
    expect(err.message).toMatch(/tree \d+ node \d+ is a categorical split on column 2 \(split_type 1\)/);
  });

  it('refuses multi-class models', () => {
    const err = refusal(fixtureText('multiclass'));
    expect(err.code).toBe('multi-class');
    expect(err.message).toMatch(/multi:softprob.*multi-class/);
  });

  it('refuses a num_class above 1 even under a supported objective', () => {
    const raw = json('binary');
    raw.learner.learner_model_param.num_class = '3';
    expect(refusal(raw)).toMatchObject({ code: 'multi-class', message: expect.stringMatching(/num_class 3/) });
  });

  it('refuses other objectives, saying which and why', () => {
    const err = refusal(fixtureText('gamma'));
    expect(err.code).toBe('unsupported-objective');
    expect(err.message).toMatch(/"reg:gamma" is not supported: .*count:poisson/);
    for (const [objective, why] of [
      ['binary:logitraw', /raw log-odds/],
      ['binary:hinge', /0\/1 labels/],
      ['rank:pairwise', /query group/],
      ['survival:cox', /survival/],
      ['reg:absoluteerror', /only reg:squarederror/],
    ] as const) {
      const raw = json('binary');
      raw.learner.objective.name = objective;
      expect(refusal(raw).message).toMatch(why);
    }
  });

  it('refuses multi-target models', () => {
    const raw = json('regression');
    raw.learner.learner_model_param.num_target = '2';
    expect(refusal(raw)).toMatchObject({ code: 'multi-target', message: expect.stringMatching(/num_target 2/) });
    const vector = json('regression');
    vector.learner.learner_model_param.base_score = '[1E0,2E0]';
    expect(refusal(vector)).toMatchObject({ code: 'multi-target', message: expect.stringMatching(/2 values/) });
  });

  it('refuses linear and dart boosters', () => {
    const raw = json('binary');
    raw.learner.gradient_booster.name = 'gblinear';
    expect(refusal(raw)).toMatchObject({ code: 'unsupported-booster', message: expect.stringMatching(/linear model/) });
    raw.learner.gradient_booster.name = 'dart';
    expect(refusal(raw).message).toMatch(/dropout weight/);
  });

  it('names the field of a malformed model', () => {
    const raw = json('binary');
    delete raw.learner.learner_model_param.num_feature;
    expect(refusal(raw)).toMatchObject({
      code: 'json-invalid',
      message: expect.stringMatching(/learner\.learner_model_param\.num_feature/),
    });
    const tree = json('binary');
    tree.learner.gradient_booster.model.trees[3].sum_hessian = 'x';
    expect(refusal(tree).message).toMatch(/trees\[3\]\.sum_hessian/);
    expect(refusal('{"learner": ').message).toMatch(/not an XGBoost JSON model/);
  });

  it('refuses a split on a column the model does not have', () => {
    const raw = json('binary');
    raw.learner.gradient_booster.model.trees[0].split_indices[0] = 6;
    expect(refusal(raw)).toMatchObject({
      code: 'invalid-tree',
      message: expect.stringMatching(/tree 0: node 0 splits on column 6, but the model has 6 columns/),
    });
  });
});
