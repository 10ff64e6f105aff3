/**
 * The files of a package besides model.onnx and manifest.json: the background sample and the
 * lookup features' snapshot tables. One set of rules, applied by the importer before it writes a
 * package and by the loader before it serves one, so that what one accepts the other accepts.
 * Callers find the bytes (and report a missing file their own way); this module says whether
 * they are right, with a PackageError naming the file: json-invalid, background-invalid or
 * snapshot-invalid.
 */
import { snapshotTableSchema, type FeatureSpec, type Manifest, type SnapshotTable } from '../manifest/schema';
import { PackageError } from './errors';
import { parseJsonBytes, parseWithSchema } from './files';

export const MANIFEST_FILE = 'manifest.json';
export const MODEL_FILE = 'model.onnx';

/** background.json as a row-major float32 matrix (null -> NaN). */
export interface BackgroundSample {
  rows: number;
  columns: number;
  values: Float32Array;
}

type LookupFeature = Extract<FeatureSpec, { kind: 'lookup' }>;

/** Where a lookup table ships, relative to the package folder. */
export function snapshotFile(table: string): string {
  return `snapshots/${table}.json`;
}

/** The lookup features of a manifest, each with its snapshot file. */
export function lookupFeatures(manifest: Pick<Manifest, 'features'>): { feature: LookupFeature; relative: string }[] {
  return manifest.features.flatMap((f) =>
    f.kind === 'lookup' ? [{ feature: f, relative: snapshotFile(f.table) }] : [],
  );
}

/**
 * background.json: a non-empty array of manifest.background.rows rows, each model.columns
 * numbers or nulls (null is a missing value). `file` names it in messages.
 */
export function parseBackground(
  bytes: Uint8Array,
  manifest: Pick<Manifest, 'model' | 'background'>,
  file: string,
): BackgroundSample {
  const columns = manifest.model.columns;
  const json = parseJsonBytes(bytes, file);
  if (!Array.isArray(json) || json.length === 0)
    throw new PackageError('background-invalid', `${file}: must be a non-empty array of feature rows`, { file });
  const values = new Float32Array(json.length * columns);
  json.forEach((row: unknown, r) => {
    if (!Array.isArray(row)) {
      throw new PackageError(
        'background-invalid',
        `${file}: row ${r} must be an array of ${columns} numbers or nulls`,
        {
          file,
          expected: columns,
          actual: typeof row,
        },
      );
    }
    if (row.length !== columns) {
      throw new PackageError(
        'background-invalid',
        `${file}: row ${r} has ${row.length} columns; the model has ${columns}`,
        {
          file,
          expected: columns,
          actual: row.length,
        },
      );
    }
    row.forEach((v: unknown, c) => {
      if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) {
        throw new PackageError('background-invalid', `${file}: row ${r} column ${c} must be a number or null`, {
          file,
        });
      }
      values[r * columns + c] = v === null ? NaN : v;
    });
  });
  const declared = manifest.background?.rows;
  if (declared !== undefined && json.length !== declared) {
    throw new PackageError(
      'background-invalid',
      `${file} has ${json.length} rows, but manifest.json background.rows says ${declared}`,
      { file, expected: declared, actual: json.length },
    );
  }
  return { rows: json.length, columns, values };
}

/**
 * A snapshot table: the schema's shape, every column each of its lookup features reads, and
 * one value per column in its defaults and in every index row.
 */
export function parseSnapshot(bytes: Uint8Array, lookups: LookupFeature[], file: string): SnapshotTable {
  const table = parseWithSchema(snapshotTableSchema, parseJsonBytes(bytes, file), 'snapshot-invalid', file);
  const invalid = (message: string): never => {
    throw new PackageError('snapshot-invalid', `${file}: ${message}`, { file });
  };
  for (const f of lookups) {
    const absent = f.columns.filter((c) => !table.columns.includes(c));
    if (absent.length > 0)
      invalid(
        `has no column ${absent.join(', ')}, which the lookup feature on table "${f.table}" reads (its columns: ${table.columns.join(', ')})`,
      );
  }
  const width = table.columns.length;
  if (table.defaults.length !== width) invalid(`defaults has ${table.defaults.length} values for ${width} columns`);
  for (const [key, rows] of Object.entries(table.index)) {
    for (const [value, row] of Object.entries(rows)) {
      if (row.length !== width) invalid(`index.${key}["${value}"] has ${row.length} values for ${width} columns`);
    }
  }
  return table;
}

/**
 * Every lookup table of the manifest, parsed and checked, by table name. `bytesOf` returns a
 * snapshot file's bytes by its path relative to the package (the caller reports a missing one);
 * `pathOf` names it in messages.
 */
export function parseSnapshots(
  manifest: Pick<Manifest, 'features'>,
  bytesOf: (relative: string) => Uint8Array,
  pathOf: (relative: string) => string,
): Record<string, SnapshotTable> {
  const byTable = new Map<string, LookupFeature[]>();
  for (const { feature } of lookupFeatures(manifest))
    byTable.set(feature.table, [...(byTable.get(feature.table) ?? []), feature]);
  const snapshots: Record<string, SnapshotTable> = {};
  for (const [table, lookups] of byTable) {
    const relative = snapshotFile(table);
    snapshots[table] = parseSnapshot(bytesOf(relative), lookups, pathOf(relative));
  }
  return snapshots;
}
