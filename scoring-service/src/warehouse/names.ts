/**
 * Warehouse names for a package's model columns and tables. BigQuery column names take
 * letters, digits and underscores and must not start with a digit; the per-column ONNX model
 * names its inputs the same way, so ML.PREDICT matches them by name.
 */
export function sqlColumnNames(columns: readonly string[]): string[] {
  const used = new Set<string>();
  return columns.map((column) => {
    let base = column
      .replace(/\[(\d+)\]$/, '_$1')
      .replace(/=/g, '__')
      .replace(/[^A-Za-z0-9_]+/g, '_')
      .replace(/^_+|_+$/g, '');
    if (base === '' || /^[0-9]/.test(base)) base = `f_${base}`;
    let name = base;
    for (let k = 2; used.has(name.toLowerCase()); k++) name = `${base}_${k}`;
    used.add(name.toLowerCase());
    return name;
  });
}

/** A table or model name for one package version: lead-scoring 4.1.0 -> lead_scoring_4_1_0. */
export function versionTableName(model: string, version: string, suffix?: string): string {
  const base = `${model}_${version}`.replace(/[^A-Za-z0-9_]+/g, '_');
  return suffix ? `${base}_${suffix}` : base;
}

/** The snapshot table a lookup joins: one per package snapshot. */
export function snapshotTableName(model: string, version: string, table: string): string {
  return versionTableName(model, version, `snapshot_${table.replace(/[^A-Za-z0-9_]+/g, '_')}`);
}
