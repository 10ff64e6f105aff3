/**
 * The demand-model use case (POST /predict): one row per product and group, expected counts
 * summed per product, with a confidence from the summed count (manifest/outputs countConfidence).
 */
import type { z } from 'zod';
import { DemandTotals, demandRecords } from '../../manifest/demand';
import { present } from '../../manifest/outputs';
import { InputsInvalid, RequestRefused } from '../errors';
import type { predictRequestSchema, predictResponseSchema } from '../http/schemas';
import type { ServingSet } from '../serving/serving-set';
import { checkKnownInputs, featuresFor, runVersion, type ScoringContext } from './score-records';

type PredictRequest = z.output<typeof predictRequestSchema>;
type PredictResponse = z.output<typeof predictResponseSchema>;

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

export async function forecastDemand(
  ctx: ScoringContext,
  set: ServingSet,
  request: PredictRequest,
): Promise<{ model: string; version: string; body: PredictResponse }> {
  const modelName = countModel(set, request.model);
  const model = set.model(modelName);
  const { served } = set.resolve(modelName, request.version);
  if (served.manifest.task !== 'poisson-regression' && served.manifest.task !== 'regression') {
    throw new RequestRefused(
      `${modelName} is a ${served.manifest.task} model; /predict serves count models. Use POST /v1/models/${modelName}/score.`,
    );
  }
  const { records, productIds, problems } = demandRecords(served.manifest, request.rows);
  if (problems.length > 0)
    throw new InputsInvalid(
      'Every row needs a product_id.',
      problems.map((p) => ({ path: `rows[${p.row}].product_id`, message: p.message })),
    );
  checkKnownInputs(model, records, (i, input) => `rows[${i}].${input}`);
  const features = featuresFor(model, served, records, request.asOf, (id, input) => `rows[${id}].${input}`);
  const { scores } = await runVersion(ctx, { served, records, features });

  const totals = new DemandTotals();
  totals.add(productIds, scores);
  if (ctx.prometheus) {
    const role = request.version ? 'explicit' : 'champion';
    ctx.prometheus.records.inc(
      { model: served.name, version: served.version, role, explained: 'false' },
      records.length,
    );
    ctx.prometheus.observeScores(
      served.manifest,
      scores,
      Array.from(scores, (q) => present(q, served.manifest).scaled),
    );
  }
  const body = totals.results(served.manifest);
  return { model: served.name, version: served.version, body };
}
