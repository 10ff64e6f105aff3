/**
 * The demand-model use case (POST /predict): one row per product and group, expected counts
 * summed per product, with a confidence from the summed count (manifest/outputs countConfidence).
 */
import type { z } from 'zod';
import type { ScoringRecord } from '../../features/pipeline';
import { countConfidence, present } from '../../manifest/outputs';
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
  const productIsInput = served.manifest.inputs.some((i) => i.name === 'product_id');
  const productIds: (string | number)[] = [];
  const problems: { path: string; message: string }[] = [];
  const records: ScoringRecord[] = request.rows.map((row, i) => {
    const product = row.product_id;
    if ((typeof product !== 'string' && typeof product !== 'number') || product === '') {
      if (problems.length < 100)
        problems.push({
          path: `rows[${i}].product_id`,
          message: 'product_id is required (a string or number) on every row',
        });
    }
    productIds.push(product as string | number);
    if (productIsInput) return { id: String(i), inputs: row };
    const { product_id: _dropped, ...inputs } = row;
    return { id: String(i), inputs };
  });
  if (problems.length > 0) throw new InputsInvalid('Every row needs a product_id.', problems);
  checkKnownInputs(model, records, (i, input) => `rows[${i}].${input}`);
  const features = featuresFor(model, served, records, request.asOf, (id, input) => `rows[${id}].${input}`);
  const { scores } = await runVersion(ctx, { served, records, features });

  const totals = new Map<string, { product_id: string | number; q: number }>();
  scores.forEach((q, i) => {
    const key = `${typeof productIds[i]}:${productIds[i]}`;
    const entry = totals.get(key) ?? { product_id: productIds[i], q: 0 };
    entry.q += q;
    totals.set(key, entry);
  });
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
  const bounds = served.manifest.outputs.confidence;
  const body = [...totals.values()].map(({ product_id, q }) => ({
    product_id,
    expected_qty: q,
    confidence_score: countConfidence(q, bounds),
  }));
  return { model: served.name, version: served.version, body };
}
