/**
 * From per-column contributions (worker output) to the explanation in a score result:
 * folded per input by the explain module's reasons, ordered by magnitude, top-k or all.
 */
import type { ScoringRecord } from '../features/pipeline';
import type { RunResult } from '../inference/protocol';
import type { ServedVersion } from './serving-set';
import { foldReasons } from './reasons-adapter';

export type ExplainOption = { top: number } | { all: true };

const units = { logit: 'log-odds', log: 'log-count', identity: 'value' } as const;

export interface ExplanationOut {
  base: number;
  margin: number;
  unit: 'log-odds' | 'log-count' | 'value';
  method?: string;
  reasons: ReturnType<typeof foldReasons>;
  note?: string;
}

export function explainRows(served: ServedVersion, records: readonly ScoringRecord[], out: RunResult, option: ExplainOption): ExplanationOut[] {
  const contributions = out.contributions!;
  const width = served.manifest.model.columns + 1;
  const unit = units[served.manifest.model.link];
  const top = 'top' in option ? option.top : Infinity;
  const note =
    unit === 'log-count'
      ? 'Contributions are in log-count units: a contribution c multiplies the expected count by exp(c).'
      : undefined;
  return records.map((record, r) => {
    const row = contributions.subarray(r * width, (r + 1) * width);
    const base = row[width - 1];
    let margin = base;
    for (let c = 0; c < width - 1; c++) margin += row[c];
    const reasons = foldReasons(served.pipeline, served.manifest, record, row).slice(0, top);
    const explanation: ExplanationOut = { base, margin, unit, method: out.method, reasons };
    if (note) explanation.note = note;
    return explanation;
  });
}
