/**
 * Temporary folding of contributions into reasons until the explain module's reasons land;
 * then this file becomes a re-export.
 */
import type { FeaturePipeline, ScoringRecord } from '../features/pipeline';
import type { Manifest } from '../manifest/schema';

export interface Reason {
  input: string;
  label: string;
  value: number | string | boolean | null;
  contribution: number;
  direction: 'raises' | 'lowers';
  text: string;
}

export function foldReasons(pipeline: FeaturePipeline, manifest: Manifest, record: ScoringRecord, row: ArrayLike<number>): Reason[] {
  const byInput = new Map<string, number>();
  for (const block of pipeline.blocks) {
    let sum = 0;
    for (let c = block.start; c < block.start + block.width; c++) sum += row[c];
    const key = block.inputs.length === 1 ? block.inputs[0] : block.name;
    byInput.set(key, (byInput.get(key) ?? 0) + sum);
  }
  const specs = new Map(manifest.inputs.map((i) => [i.name, i]));
  const reasons: Reason[] = [];
  for (const [input, contribution] of byInput) {
    const spec = specs.get(input);
    const raw = record.inputs[input];
    const value = raw === undefined || raw === '' ? null : (raw as Reason['value']);
    const label = spec?.label ?? input;
    const text = value === null ? `${label} is missing` : `${label} is ${String(value)}${spec?.unit ? ` ${spec.unit}` : ''}`;
    reasons.push({ input, label, value, contribution, direction: contribution >= 0 ? 'raises' : 'lowers', text });
  }
  return reasons.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
}
