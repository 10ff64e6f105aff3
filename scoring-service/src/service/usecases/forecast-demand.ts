/**
 * The demand-model use case (POST /predict): one row per product and group, expected counts
 * summed per product, with a confidence from the summed count (manifest/outputs countConfidence).
 *
 * Rollout (the registry's `rollout` of the model, changed by PUT /v1/admin/models/{model}/rollout):
 * without an explicit version, each row goes to the challenger when the rollout is enabled and the
 * canary hash (usecases/canary.ts) of the row's rollout-key value (the champion manifest's
 * `rollout.key`, e.g. shop_id) falls in the canary percent, else to the champion. So one shop sees
 * one version for as long as the percent holds. Rows without a key value go to the champion.
 * Shadow scoring runs the other version (challenger beside champion, champion beside challenger)
 * on the same rows, when the request or the rollout asks and the challenger is switched on.
 */
import type { z } from 'zod';
import { DemandTotals, demandRecords, type ProductId } from '../../manifest/demand';
import { present } from '../../manifest/outputs';
import type { ScoringRecord } from '../../features/pipeline';
import { InputsInvalid, RequestRefused } from '../errors';
import type { predictRequestSchema, predictResponseSchema } from '../http/schemas';
import type { Role, ServedModel, ServedVersion, ServingSet } from '../serving/serving-set';
import { goesToChallenger } from './canary';
import { checkKnownInputs, featuresFor, runVersion, type ScoringContext } from './score-records';

type PredictRequest = z.output<typeof predictRequestSchema>;
type PredictResponse = z.output<typeof predictResponseSchema>;
type Served = { served: ServedVersion; role: Role };

/** The model named in the request, or the only count model served. */
function countModel(set: ServingSet, name: string | undefined): string {
  if (name) return name;
  const counts = [...set.models.values()].filter((m) => m.champion?.manifest.task === 'poisson-regression');
  if (counts.length === 1) return counts[0].name;
  throw new RequestRefused(
    `Name the model: ${counts.length === 0 ? 'no count model is served' : `several count models are served (${counts.map((m) => m.name).join(', ')})`}.`,
    [{ path: 'model', message: 'required when the service does not serve exactly one count model' }],
  );
}

/** The challenger when the rollout switches it on; undefined while it is off (the kill switch) or absent. */
function activeChallenger(model: ServedModel): ServedVersion | undefined {
  return model.rollout?.enabled ? model.challenger : undefined;
}

/** Which version answers which rows: one explicit version, or champion and challenger by the rollout key. */
function route(set: ServingSet, model: ServedModel, request: PredictRequest, records: readonly ScoringRecord[]) {
  const all = records.map((_, i) => i);
  if (request.version) return [{ ...set.resolve(model.name, request.version), indexes: all }];
  const champion = set.resolve(model.name, undefined);
  const challenger = activeChallenger(model);
  const key = champion.served.manifest.rollout?.key;
  const percent = challenger && key ? (model.rollout?.canary ?? 0) : 0;
  if (percent === 0 || !challenger || !key) return [{ ...champion, indexes: all }];
  const toChampion: number[] = [];
  const toChallenger: number[] = [];
  request.rows.forEach((row, i) => {
    const value = row[key];
    const keyed = (typeof value === 'string' && value !== '') || typeof value === 'number';
    (keyed && goesToChallenger(String(value), percent) ? toChallenger : toChampion).push(i);
  });
  const groups: (Served & { indexes: number[] })[] = [];
  if (toChampion.length > 0) groups.push({ ...champion, indexes: toChampion });
  if (toChallenger.length > 0) groups.push({ served: challenger, role: 'challenger', indexes: toChallenger });
  return groups;
}

/** The version shadow-scored beside one that served: the challenger beside anything else, the champion beside the challenger. */
function counterpart(model: ServedModel, served: ServedVersion): Served | undefined {
  const challenger = activeChallenger(model);
  if (!challenger) return undefined;
  if (served !== challenger) return { served: challenger, role: 'challenger' };
  return model.champion ? { served: model.champion, role: 'champion' } : undefined;
}

export interface DemandForecast {
  model: string;
  /** The versions that answered, in answer order (the Model-Version header). */
  versions: string[];
  /** The shadow-scored versions (the Shadow-Model-Version header). */
  shadowVersions: string[];
  body: PredictResponse;
}

export async function forecastDemand(
  ctx: ScoringContext,
  set: ServingSet,
  request: PredictRequest,
): Promise<DemandForecast> {
  const modelName = countModel(set, request.model);
  const model = set.model(modelName);
  const primary = set.resolve(modelName, request.version).served;
  if (primary.manifest.task !== 'poisson-regression' && primary.manifest.task !== 'regression') {
    throw new RequestRefused(
      `${modelName} is a ${primary.manifest.task} model; /predict serves count models. Use POST /v1/models/${modelName}/score.`,
    );
  }
  const { records, productIds, problems } = demandRecords(primary.manifest, request.rows);
  if (problems.length > 0)
    throw new InputsInvalid(
      'Every row needs a product_id.',
      problems.map((p) => ({ path: `rows[${p.row}].product_id`, message: p.message })),
    );
  checkKnownInputs(model, records, (i, input) => `rows[${i}].${input}`);
  const pathOf = (id: string, input: string) => `rows[${id}].${input}`;
  const wantShadow = request.shadow === true || model.rollout?.shadow === true;

  // Features for every run first, so an input problem is reported before any inference.
  const runs = route(set, model, request, records).map((g) => {
    const subset = g.indexes.length === records.length ? records : g.indexes.map((i) => records[i]);
    const shadow = wantShadow ? counterpart(model, g.served) : undefined;
    return {
      ...g,
      subset,
      productIds: g.indexes.map((i) => productIds[i]),
      features: featuresFor(model, g.served, subset, request.asOf, pathOf),
      shadow: shadow && { ...shadow, features: featuresFor(model, shadow.served, subset, request.asOf, pathOf) },
    };
  });
  const outs = await Promise.all(
    runs.map((r) =>
      Promise.all([
        runVersion(ctx, { served: r.served, records: r.subset, features: r.features }),
        r.shadow
          ? runVersion(ctx, { served: r.shadow.served, records: r.subset, features: r.shadow.features })
          : undefined,
      ]),
    ),
  );

  const entries: { first: number; item: PredictResponse[number] }[] = [];
  runs.forEach((r, k) => {
    const [main, shadow] = outs[k];
    observe(ctx, r.served, r.role, main.scores);
    const served = totals(r.productIds, main.scores, r.served);
    const shadowed = r.shadow && shadow ? totals(r.productIds, shadow.scores, r.shadow.served) : undefined;
    if (r.shadow && shadow) observe(ctx, r.shadow.served, r.shadow.role, shadow.scores);
    const firstRow = firstIndexes(r.productIds, r.indexes);
    served.forEach((t, j) => {
      const item: PredictResponse[number] = { ...t, model_version: r.served.version, role: r.role };
      if (shadowed && r.shadow)
        item.shadow = {
          model_version: r.shadow.served.version,
          role: r.shadow.role,
          expected_qty: shadowed[j].expected_qty,
          confidence_score: shadowed[j].confidence_score,
        };
      entries.push({ first: firstRow[j], item });
    });
  });
  // Products in the order their first row came, as before the rollout split them.
  entries.sort((a, b) => a.first - b.first);
  return {
    model: model.name,
    versions: [...new Set(runs.map((r) => r.served.version))],
    shadowVersions: [...new Set(runs.flatMap((r) => (r.shadow ? [r.shadow.served.version] : [])))],
    body: entries.map((e) => e.item),
  };
}

function totals(productIds: readonly ProductId[], scores: Float64Array, served: ServedVersion) {
  const t = new DemandTotals();
  t.add(productIds, scores);
  return t.results(served.manifest);
}

/** The request row where each product (in DemandTotals' first-seen order) first appears. */
function firstIndexes(productIds: readonly ProductId[], indexes: readonly number[]): number[] {
  const seen = new Map<string, number>();
  productIds.forEach((p, j) => {
    const key = `${typeof p}:${p}`;
    if (!seen.has(key)) seen.set(key, indexes[j]);
  });
  return [...seen.values()];
}

function observe(ctx: ScoringContext, served: ServedVersion, role: Role, scores: Float64Array): void {
  if (!ctx.prometheus) return;
  ctx.prometheus.records.inc({ model: served.name, version: served.version, role, explained: 'false' }, scores.length);
  ctx.prometheus.observeScores(
    served.manifest,
    scores,
    Array.from(scores, (q) => present(q, served.manifest).scaled),
  );
}
