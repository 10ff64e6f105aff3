/**
 * manifest/outputs.ts's presentation (scaled score, decile, tier) compiled to SQL expressions
 * over a score column, with the same rules: the scaled score interpolates in the 101
 * validation quantiles (last quantile <= score), the decile is 1 + the cut points at or below
 * the score, the tier the first (highest minDecile first) the decile reaches.
 */
import type { Manifest } from '../manifest/schema';
import { defaultTiers } from '../manifest/outputs';
import { type Dialect, doubleLiteral as lit } from './dialect';

export function scaledSql(score: string, manifest: Pick<Manifest, 'outputs' | 'task'>, dialect: Dialect): string {
  const qs = manifest.outputs.quantiles;
  const clamp = (x: string) => `CAST(LEAST(100, GREATEST(0, ROUND(${x}))) AS ${dialect.int64})`;
  if (!qs) return clamp(manifest.task === 'binary-classification' ? `100 * ${score}` : score);
  const whens = [`WHEN ${score} <= ${lit(qs[0])} THEN 0`, `WHEN ${score} >= ${lit(qs[100])} THEN 100`];
  // Reached only when q[k] <= score: the first k with score < q[k+1] is the last quantile <= score.
  for (let k = 0; k < 100; k++) {
    if (qs[k + 1] === qs[k]) continue;
    whens.push(
      `WHEN ${score} < ${lit(qs[k + 1])} THEN ${clamp(`${k} + (${score} - ${lit(qs[k])}) / (${lit(qs[k + 1])} - ${lit(qs[k])})`)}`,
    );
  }
  return `CASE ${whens.join(' ')} ELSE 100 END`;
}

export function decileSql(score: string, scaled: string, manifest: Pick<Manifest, 'outputs'>, dialect: Dialect): string {
  const cuts = manifest.outputs.deciles;
  if (!cuts) return `CAST(LEAST(10, GREATEST(1, CEIL(${scaled} / 10))) AS ${dialect.int64})`;
  return `1 + ${cuts.map((c) => `(CASE WHEN ${score} >= ${lit(c)} THEN 1 ELSE 0 END)`).join(' + ')}`;
}

export function tierSql(decile: string, manifest: Pick<Manifest, 'outputs'>, dialect: Dialect): string {
  const sorted = [...(manifest.outputs.tiers ?? defaultTiers)].sort((a, b) => b.minDecile - a.minDecile);
  const whens = sorted.map((t) => `WHEN ${decile} >= ${t.minDecile} THEN ${dialect.str(t.name)}`).join(' ');
  return `CASE ${whens} ELSE ${dialect.str(sorted[sorted.length - 1].name)} END`;
}

/**
 * A query over `source` (with columns lead_id and score) adding scaled, decile, tier and version,
 * as the service presents a score.
 */
export function presentSql(
  source: string,
  manifest: Pick<Manifest, 'outputs' | 'task' | 'version'>,
  dialect: Dialect,
  leadingCtes: string[] = [],
): string {
  const q = dialect.ident;
  return [
    `WITH ${leadingCtes.map((c) => `${c},\n`).join('')}scaled AS (\n  SELECT *, ${scaledSql(q('score'), manifest, dialect)} AS ${q('scaled')}\n  FROM ${source}\n),`,
    `deciled AS (\n  SELECT *, ${decileSql(q('score'), q('scaled'), manifest, dialect)} AS ${q('decile')}\n  FROM scaled\n)`,
    `SELECT ${q('lead_id')}, ${q('score')}, ${q('scaled')}, ${q('decile')}, ${tierSql(q('decile'), manifest, dialect)} AS ${q('tier')}, ${dialect.str(manifest.version)} AS ${q('version')}`,
    'FROM deciled',
  ].join('\n');
}
