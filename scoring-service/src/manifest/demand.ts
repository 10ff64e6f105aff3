/**
 * The pure part of demand forecasting (POST /predict and `sf scoring predict`): rows -> records
 * (product_id kept as an input only when the model takes it), and expected counts summed per
 * product with the manifest's confidence. One implementation for the route and the CLI.
 */
import type { ScoringRecord } from '../features/pipeline';
import { countConfidence } from './outputs';
import type { Manifest } from './schema';

export type DemandRow = Record<string, unknown>;
export type ProductId = string | number;
export type DemandProblem = { row: number; message: string };
export type ProductTotal = { product_id: ProductId; expected_qty: number; confidence_score: number };

/** Records for the pipeline, the product of each, and the rows without a usable product_id. */
export function demandRecords(
  manifest: Pick<Manifest, 'inputs'>,
  rows: readonly DemandRow[],
  firstIndex = 0,
): { records: ScoringRecord[]; productIds: ProductId[]; problems: DemandProblem[] } {
  const productIsInput = manifest.inputs.some((i) => i.name === 'product_id');
  const productIds: ProductId[] = [];
  const problems: DemandProblem[] = [];
  const records = rows.map((row, k) => {
    const i = firstIndex + k;
    const product = row.product_id;
    if ((typeof product !== 'string' && typeof product !== 'number') || product === '') {
      if (problems.length < 100)
        problems.push({ row: i, message: 'product_id is required (a string or number) on every row' });
    }
    productIds.push(product as ProductId);
    if (productIsInput) return { id: String(i), inputs: row };
    const { product_id: _dropped, ...inputs } = row;
    return { id: String(i), inputs };
  });
  return { records, productIds, problems };
}

/** Sums expected counts per product (keyed by type and value, so 7 and "7" stay apart), in first-seen order. */
export class DemandTotals {
  private readonly totals = new Map<string, { product_id: ProductId; q: number }>();

  add(productIds: readonly ProductId[], scores: ArrayLike<number>): void {
    for (let i = 0; i < productIds.length; i++) {
      const key = `${typeof productIds[i]}:${productIds[i]}`;
      const entry = this.totals.get(key) ?? { product_id: productIds[i], q: 0 };
      entry.q += scores[i];
      this.totals.set(key, entry);
    }
  }

  results(manifest: Pick<Manifest, 'outputs'>): ProductTotal[] {
    const bounds = manifest.outputs.confidence;
    return [...this.totals.values()].map(({ product_id, q }) => ({
      product_id,
      expected_qty: q,
      confidence_score: countConfidence(q, bounds),
    }));
  }
}
