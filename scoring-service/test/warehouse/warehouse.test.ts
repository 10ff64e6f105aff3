/**
 * The warehouse path against the library: the feature SQL, run in DuckDB on the bundled models'
 * golden rows (and rows added for the cases they miss), gives exactly the pipeline's float32
 * features; the presentation SQL gives present()'s scaled/decile/tier; the per-column ONNX gives
 * the original model's outputs; scoreFile on CSV and Parquet gives the library's scores.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadPackageDir, type LoadedPackage } from '../../src/package/loader';
import { present } from '../../src/manifest/outputs';
import { murmurhash3Signed } from '../../src/features/hasher';
import { createSession, predictRows } from '../../src/inference/session';
import { decodeModel, encodeModel, onnx } from '../../src/onnx/proto';
import {
  BIGQUERY_ONNX_LIMITS,
  duckDbDialect,
  exportWarehouse,
  featuresFromFile,
  hashUdfBody,
  onnxVersions,
  perColumnOnnx,
  presentSql,
  registerWarehouseFunctions,
  scoreFile,
  sqlColumnNames,
  WarehouseInputError,
} from '../../src/warehouse';

jest.setTimeout(120_000);

const models = path.join(__dirname, '../../../models');

interface GoldenRow {
  id: string;
  inputs: Record<string, unknown>;
  asOf: string;
}

function golden(name: string, version: string): GoldenRow[] {
  return JSON.parse(readFileSync(path.join(models, 'golden', `${name}-${version}.json`), 'utf8')).rows;
}

/** One NDJSON line per lead: id plus every input (null when missing). */
async function writeLeads(pkg: LoadedPackage, rows: GoldenRow[], dir: string, file = 'leads.json'): Promise<string> {
  const lines = rows.map((r) => {
    const line: Record<string, unknown> = { id: r.id };
    for (const input of pkg.manifest.inputs) line[input.name] = r.inputs[input.name] ?? null;
    return JSON.stringify(line);
  });
  const out = path.join(dir, file);
  await fs.writeFile(out, lines.join('\n'));
  return out;
}

/** Writes the leads as CSV and Parquet through DuckDB from the NDJSON file (typed columns). */
async function convert(pkg: LoadedPackage, json: string, dir: string): Promise<{ csv: string; parquet: string }> {
  const types: Record<string, string> = { number: 'DOUBLE', boolean: 'BOOLEAN', string: 'VARCHAR', date: 'VARCHAR' };
  const cols = [`id: 'VARCHAR'`, ...pkg.manifest.inputs.map((i) => `"${i.name}": '${types[i.type]}'`)].join(', ');
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const csv = path.join(dir, 'leads.csv');
  const parquet = path.join(dir, 'leads.parquet');
  const src = `(SELECT * FROM read_json('${json}', format = 'newline_delimited', columns = {${cols}}))`;
  await conn.run(`COPY ${src} TO '${csv}' (FORMAT csv, HEADER)`);
  await conn.run(`COPY ${src} TO '${parquet}' (FORMAT parquet)`);
  conn.closeSync();
  instance.closeSync();
  return { csv, parquet };
}

function sameFloat32(a: number, b: number): boolean {
  return Number.isNaN(a) ? Number.isNaN(b) : Object.is(a, b);
}

/** Only the inputs the manifest requires: every other input missing. */
function requiredOnly(pkg: LoadedPackage, base: GoldenRow): Record<string, unknown> {
  return Object.fromEntries(pkg.manifest.inputs.filter((i) => i.required).map((i) => [i.name, base.inputs[i.name]]));
}

/** Rows the golden files lack: unknown categories, everything missing, lookup fallbacks, awkward text. */
function addedGiftRows(pkg: LoadedPackage, base: GoldenRow): GoldenRow[] {
  const snap = pkg.snapshots.shop_features;
  const shop = Object.keys(snap.index.shop_id)[0];
  const branch = Object.keys(snap.index.branch_id).find((b) => !b.startsWith(shop)) ?? Object.keys(snap.index.branch_id)[0];
  const strings = Object.fromEntries(pkg.manifest.inputs.filter((i) => i.type === 'string').map((i) => [i.name, `Ünï "${i.name}" 'q' \\ 😀`]));
  return [
    { id: 'added-unknown-categories', asOf: base.asOf, inputs: { ...base.inputs, gender: 'nonbinary', budget_tier: 'ultra', product_category: 'Garden' } },
    { id: 'added-all-missing', asOf: base.asOf, inputs: requiredOnly(pkg, base) },
    { id: 'added-lookup-second-key', asOf: base.asOf, inputs: { ...base.inputs, shop_id: 'S-NOT-A-SHOP', branch_id: branch } },
    { id: 'added-lookup-first-key', asOf: base.asOf, inputs: { ...base.inputs, shop_id: shop, branch_id: 'BR-NOT-A-BRANCH' } },
    { id: 'added-lookup-defaults', asOf: base.asOf, inputs: { ...base.inputs, shop_id: 'S-NOT-A-SHOP', branch_id: 'BR-NOT-A-BRANCH' } },
    { id: 'added-unicode-text', asOf: base.asOf, inputs: { ...base.inputs, ...strings, product_price: 0.1 + 0.2, cycle_month: 1e21 } },
    { id: 'added-empty-strings', asOf: base.asOf, inputs: { ...base.inputs, gender: '', shop_id: '' } },
  ];
}

const cases: [string, string][] = [
  ['lead-scoring', '4.0.0'],
  ['lead-scoring', '4.1.0'],
  ['gift-demand', '2.1.0'],
];

describe.each(cases)('%s %s: feature SQL in DuckDB', (name, version) => {
  let pkg: LoadedPackage;
  let dir: string;
  let rows: GoldenRow[];

  beforeAll(async () => {
    pkg = await loadPackageDir(path.join(models, name, version));
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'warehouse-'));
    rows = golden(name, version);
    if (name === 'gift-demand') rows = [...rows, ...addedGiftRows(pkg, rows[0])];
    else
      rows = [
        ...rows,
        { id: 'added-unknown-categories', asOf: rows[0].asOf, inputs: { ...rows[0].inputs, lead_source: 'Billboard', industry: 'Mining', seniority: 'Intern', firm_type: 'Hedge Fund' } },
        { id: 'added-all-missing', asOf: rows[0].asOf, inputs: requiredOnly(pkg, rows[0]) },
      ];
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('equals the library pipeline on every row and column, bit for bit in float32', async () => {
    const width = pkg.pipeline.columns.length;
    const byDay = new Map<string, GoldenRow[]>();
    for (const r of rows) byDay.set(r.asOf, [...(byDay.get(r.asOf) ?? []), r]);
    let compared = 0;
    const mismatches: string[] = [];
    for (const [asOf, group] of byDay) {
      const file = await writeLeads(pkg, group, dir, `leads-${asOf}.json`);
      const sql = await featuresFromFile(pkg, file, { scoringDate: asOf });
      const at = new Map(sql.ids.map((id, i) => [id, i]));
      expect(sql.ids).toHaveLength(group.length);
      const lib = pkg.pipeline.transform(
        group.map((r) => ({ id: r.id, inputs: Object.fromEntries(Object.entries(r.inputs).filter(([, v]) => v !== null)) })),
        { asOf },
      );
      group.forEach((r, i) => {
        const j = at.get(r.id) as number;
        for (let c = 0; c < width; c++) {
          const want = lib[i * width + c];
          const got = sql.features[j * width + c];
          compared++;
          if (!sameFloat32(want, got) && mismatches.length < 10) mismatches.push(`${r.id} ${pkg.pipeline.columns[c]}: library ${want}, SQL ${got}`);
        }
      });
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBe(rows.length * width);
  });

  it('covers every transform kind of the manifest', () => {
    const kinds = new Set(pkg.manifest.features.map((f) => f.kind));
    if (name === 'gift-demand') expect([...kinds].sort()).toEqual(['bucket', 'cross', 'days_since', 'hash', 'lookup', 'number', 'onehot', 'ordinal']);
    else expect(kinds.has('onehot') && kinds.has('ordinal') && kinds.has('days_since') && kinds.has('number')).toBe(true);
  });

  it('the per-column ONNX model gives the original model outputs on the same rows, within BigQuery ML limits', async () => {
    const columns = sqlColumnNames(pkg.pipeline.columns);
    const perColumn = perColumnOnnx(pkg.onnxBytes, pkg.manifest.model.inputName, columns);
    expect(perColumn.irVersion).toBeLessThanOrEqual(8);
    expect(perColumn.opsets['ai.onnx.ml']).toBeLessThanOrEqual(3);
    expect(BIGQUERY_ONNX_LIMITS).toEqual({ irVersion: 8, mlOpset: 3, defaultOpset: 13 });
    const sessionA = await ort.InferenceSession.create(pkg.onnxBytes);
    const sessionB = await ort.InferenceSession.create(perColumn.bytes);
    expect(sessionB.inputNames).toEqual(columns);
    for (const m of sessionB.inputMetadata) expect(m.isTensor && m.shape[1]).toBe(1);
    for (const m of sessionB.outputMetadata) expect(m.isTensor).toBe(true);
    const live = rows.filter((r) => r.asOf === rows[0].asOf);
    const n = live.length;
    const width = columns.length;
    const features = pkg.pipeline.transform(
      live.map((r) => ({ id: r.id, inputs: Object.fromEntries(Object.entries(r.inputs).filter(([, v]) => v !== null)) })),
      { asOf: rows[0].asOf },
    );
    const outA = await sessionA.run({ [pkg.manifest.model.inputName]: new ort.Tensor('float32', features, [n, width]) });
    const feeds: Record<string, ort.Tensor> = {};
    columns.forEach((c, k) => {
      const col = new Float32Array(n);
      for (let r = 0; r < n; r++) col[r] = features[r * width + k];
      feeds[c] = new ort.Tensor('float32', col, [n, 1]);
    });
    const outB = await sessionB.run(feeds);
    expect(Object.keys(outB).sort()).toEqual(Object.keys(outA).sort());
    for (const key of Object.keys(outA)) expect(Array.from(outB[key].data as Float32Array)).toEqual(Array.from(outA[key].data as Float32Array));
  });

  it('scoreFile on CSV and on Parquet gives the library scores, scaled, decile and tier', async () => {
    const asOf = rows[0].asOf;
    const live = rows.filter((r) => r.asOf === asOf);
    const json = await writeLeads(pkg, live, dir, 'score.json');
    const { csv, parquet } = await convert(pkg, json, dir);
    const session = await createSession(pkg.onnxBytes, { threads: 1 });
    const features = pkg.pipeline.transform(
      live.map((r) => ({ id: r.id, inputs: Object.fromEntries(Object.entries(r.inputs).filter(([, v]) => v !== null)) })),
      { asOf },
    );
    const scores = await predictRows(session, pkg.manifest.model, features, live.length);
    const want = new Map(live.map((r, i) => [r.id, { score: scores[i], ...present(scores[i], pkg.manifest) }]));
    for (const file of [csv, parquet]) {
      const got = await scoreFile(pkg, file, { scoringDate: asOf });
      expect(got).toHaveLength(live.length);
      for (const g of got) {
        const w = want.get(g.lead_id);
        expect({ lead_id: g.lead_id, score: g.score, scaled: g.scaled, decile: g.decile, tier: g.tier }).toEqual({ lead_id: g.lead_id, ...w });
        expect(g.version).toBe(version);
      }
    }
  });
});

describe.each([
  ['lead-scoring', '4.1.0'],
  ['gift-demand', '2.1.0'],
])('%s %s: the exported DuckDB files', (name, version) => {
  it('load_snapshots.sql + features.sql run in DuckDB give the library features; present.sql gives present()', async () => {
    const pkg = await loadPackageDir(path.join(models, name, version));
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'warehouse-files-'));
    const asOf = golden(name, version)[0].asOf;
    const rows = golden(name, version).filter((r) => r.asOf === asOf);
    const json = await writeLeads(pkg, rows, dir);
    const exported = exportWarehouse(pkg, { target: 'duckdb' });
    const file = (f: string) => exported.files.find((x) => x.name === f)?.content as string;
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    await registerWarehouseFunctions(conn);
    await conn.run(`CREATE TABLE leads AS SELECT * FROM read_json('${json}', format = 'newline_delimited')`);
    await conn.run(file('load_snapshots.sql'));
    await conn.run(`SET VARIABLE scoring_date = DATE '${asOf}'`);
    await conn.run(file('features.sql'));
    const got = (await conn.runAndReadAll(`SELECT * FROM "${exported.tables.features}"`)).getRows();
    const width = pkg.pipeline.columns.length;
    const lib = pkg.pipeline.transform(
      rows.map((r) => ({ id: r.id, inputs: Object.fromEntries(Object.entries(r.inputs).filter(([, v]) => v !== null)) })),
      { asOf },
    );
    const at = new Map(rows.map((r, i) => [r.id, i]));
    let differing = 0;
    for (const row of got) {
      const i = at.get(row[0] as string) as number;
      for (let c = 0; c < width; c++) if (!sameFloat32(lib[i * width + c], Math.fround(row[c + 1] as number))) differing++;
    }
    expect(got).toHaveLength(rows.length);
    expect(differing).toBe(0);

    const session = await createSession(pkg.onnxBytes, { threads: 1 });
    const scores = await predictRows(session, pkg.manifest.model, lib, rows.length);
    await conn.run('CREATE TABLE raw_scores (lead_id VARCHAR, score DOUBLE)');
    const appender = await conn.createAppender('raw_scores');
    rows.forEach((r, i) => {
      appender.appendVarchar(r.id);
      appender.appendDouble(scores[i]);
      appender.endRow();
    });
    appender.closeSync();
    await conn.run(file('present.sql'));
    const presented = (await conn.runAndReadAll(`SELECT * FROM "${exported.tables.scores}"`)).getRowObjects();
    conn.closeSync();
    instance.closeSync();
    expect(presented).toHaveLength(rows.length);
    for (const p of presented) {
      const s = scores[at.get(p.lead_id as string) as number];
      expect({ scaled: Number(p.scaled), decile: Number(p.decile), tier: p.tier, version: p.version }).toEqual({ ...present(s, pkg.manifest), version });
    }
    await fs.rm(dir, { recursive: true, force: true });
  });
});

describe('gift-demand 2.1.0: lookup fallback rows', () => {
  it('the added rows take the first key, the second key and the defaults', async () => {
    const pkg = await loadPackageDir(path.join(models, 'gift-demand', '2.1.0'));
    const snap = pkg.snapshots.shop_features;
    const added = addedGiftRows(pkg, golden('gift-demand', '2.1.0')[0]);
    const path1 = (r: GoldenRow) =>
      snap.index.shop_id[r.inputs.shop_id as string] ? 'first' : snap.index.branch_id[r.inputs.branch_id as string] ? 'second' : 'defaults';
    expect(added.filter((r) => r.id.startsWith('added-lookup')).map(path1)).toEqual(['second', 'first', 'defaults']);
  });
});

describe('the hash UDF', () => {
  it('is the library Murmur3: scikit-learn\'s vectors, through the BigQuery UDF body run as JavaScript', () => {
    const vectors: { token: string; hash: number }[] = JSON.parse(readFileSync(path.join(models, 'golden', 'feature-hasher.json'), 'utf8')).murmur;
    const udf = new Function('token', hashUdfBody()) as (token: string | null) => number | null;
    expect(vectors.length).toBeGreaterThan(10);
    for (const v of vectors) {
      expect(udf(v.token)).toBe(v.hash);
      expect(murmurhash3Signed(v.token)).toBe(v.hash);
    }
    expect(udf(null)).toBeNull();
  });
});

describe('presentation SQL', () => {
  it('gives present()\'s scaled, decile and tier for scores across and between the quantiles', async () => {
    for (const [name, version] of cases) {
      const pkg = await loadPackageDir(path.join(models, name, version));
      const qs = pkg.manifest.outputs.quantiles as number[];
      const scores = [qs[0] - 1e-3, qs[0], qs[100], qs[100] + 1, ...qs.slice(1, 100), ...qs.slice(0, 100).map((q, k) => (q + qs[k + 1]) / 2), ...(pkg.manifest.outputs.deciles ?? [])];
      const d = duckDbDialect();
      const instance = await DuckDBInstance.create(':memory:');
      const conn = await instance.connect();
      await conn.run('CREATE TABLE raw_scores (lead_id VARCHAR, score DOUBLE)');
      const appender = await conn.createAppender('raw_scores');
      scores.forEach((s, i) => {
        appender.appendVarchar(String(i));
        appender.appendDouble(s);
        appender.endRow();
      });
      appender.closeSync();
      const got = (await conn.runAndReadAll(presentSql('raw_scores', pkg.manifest, d))).getRowObjects();
      conn.closeSync();
      instance.closeSync();
      expect(got).toHaveLength(scores.length);
      for (const g of got) {
        const s = scores[Number(g.lead_id)];
        expect({ s, scaled: Number(g.scaled), decile: Number(g.decile), tier: g.tier }).toEqual({ s, ...present(s, pkg.manifest) });
      }
    }
  });
});

describe('scoreFile refuses bad files', () => {
  it('names the missing columns and a value that is not a number', async () => {
    const pkg = await loadPackageDir(path.join(models, 'lead-scoring', '4.1.0'));
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'warehouse-bad-'));
    const a = path.join(dir, 'a.csv');
    await fs.writeFile(a, 'id,lead_source\n1,Web\n');
    await expect(scoreFile(pkg, a)).rejects.toThrow(/lacks the columns industry, seniority/);
    const header = ['id', ...pkg.manifest.inputs.map((i) => i.name)];
    const row = header.map((h) => (h === 'id' ? 'L1' : h === 'years_experience' ? 'ten' : ''));
    const b = path.join(dir, 'b.csv');
    await fs.writeFile(b, `${header.join(',')}\n${row.join(',')}\n`);
    await expect(scoreFile(pkg, b)).rejects.toThrow(WarehouseInputError);
    await expect(scoreFile(pkg, path.join(dir, 'leads.xlsx'))).rejects.toThrow(/no such file/);
    await fs.rm(dir, { recursive: true, force: true });
  });
});

describe('BigQuery export of lead-scoring', () => {
  const sqlglot = (() => {
    try {
      execFileSync('/usr/bin/python3', ['-c', 'import sqlglot'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it('4.0.0 -> 4.1.0: 22 inputs, and the model columns lose exactly the four redundant features', async () => {
    const a = await loadPackageDir(path.join(models, 'lead-scoring', '4.0.0'));
    const b = await loadPackageDir(path.join(models, 'lead-scoring', '4.1.0'));
    const ea = exportWarehouse(a, { target: 'bigquery' });
    const eb = exportWarehouse(b, { target: 'bigquery' });
    expect(b.manifest.inputs).toHaveLength(22);
    expect(a.manifest.inputs).toHaveLength(23);
    const removed = ea.columns.filter((c) => !eb.columns.includes(c));
    const added = eb.columns.filter((c) => !ea.columns.includes(c));
    expect(added).toEqual([]);
    // The four names, as manifest 4.0.0 has them and 4.1.0 does not.
    expect(removed.sort()).toEqual(['industry_tenure_months', 'independent_ria_x_ia_rep', 'recent_mover_x_bleeding', 'tenure_bucket_x_mobility'].sort());
    const featuresSql = eb.files.find((f) => f.name === 'features.sql')?.content as string;
    for (const r of removed) expect(featuresSql).not.toContain(`\`${r}\``);
  });

  it('matches the committed expected file (UPDATE_WAREHOUSE_SQL=1 rewrites it)', async () => {
    const pkg = await loadPackageDir(path.join(models, 'lead-scoring', '4.1.0'));
    const exported = exportWarehouse(pkg, { target: 'bigquery' });
    const features = exported.files.find((f) => f.name === 'features.sql')?.content as string;
    const expectedFile = path.join(__dirname, '../../../sf-plugin/test/warehouse/expected/lead-scoring-4.1.0.features.bigquery.sql');
    if (process.env.UPDATE_WAREHOUSE_SQL === '1') {
      await fs.mkdir(path.dirname(expectedFile), { recursive: true });
      await fs.writeFile(expectedFile, features);
    }
    if (!existsSync(expectedFile)) throw new Error(`${expectedFile} is missing: run this test with UPDATE_WAREHOUSE_SQL=1 and review the file.`);
    expect(features).toBe(readFileSync(expectedFile, 'utf8'));
  });

  it.each([
    ['lead-scoring', '4.1.0'],
    ['gift-demand', '2.1.0'],
  ])('%s %s: every generated statement parses with sqlglot (BigQuery dialect)', async (name, version) => {
    if (!sqlglot) {
      const why = '/usr/bin/python3 cannot import sqlglot (apt-get install -y python3-sqlglot).';
      // .ci/run installs it: in CI a missing parser is a failure, not a skip.
      if (process.env.CI) throw new Error(`The BigQuery parse cannot run: ${why}`);
      console.warn(`SKIPPED the BigQuery parse: ${why}`);
      return;
    }
    const pkg = await loadPackageDir(path.join(models, name, version));
    const exported = exportWarehouse(pkg, { target: 'bigquery' });
    const names = ['features.sql', 'create_model.sql', 'predict.sql', ...(pkg.manifest.features.some((f) => f.kind === 'lookup') ? ['load_snapshots.sql'] : [])];
    for (const name of names) {
      let sql = exported.files.find((f) => f.name === name)?.content as string;
      // sqlglot 10.6 (Debian's) does not know ML.PREDICT's MODEL and TABLE keywords; without them the
      // arguments parse as the table references they are. Everything else is parsed as generated.
      if (name === 'predict.sql') sql = sql.replace(/ML\.PREDICT\(MODEL (`[^`]+`), TABLE /g, 'ML.PREDICT($1, ');
      const out = execFileSync(
        '/usr/bin/python3',
        ['-c', 'import sys, sqlglot; s = sqlglot.parse(sys.stdin.read(), read="bigquery", error_level=sqlglot.ErrorLevel.RAISE); print(len([x for x in s if x is not None]))'],
        { input: sql, encoding: 'utf8' },
      );
      expect(Number(out.trim())).toBeGreaterThan(0);
    }
  });
});

describe('perColumnOnnx on models BigQuery ML would refuse', () => {
  it('refuses an ai.onnx.ml opset above 3 and an IR version above 8, naming both', async () => {
    const pkg = await loadPackageDir(path.join(models, 'lead-scoring', '4.1.0'));
    const model = decodeModel(pkg.onnxBytes);
    model.irVersion = 9 as never;
    model.opsetImport = model.opsetImport.map((o) => (o.domain === 'ai.onnx.ml' ? { ...o, version: 4 } : o)) as never;
    const columns = sqlColumnNames(pkg.pipeline.columns);
    expect(() => perColumnOnnx(encodeModel(model), pkg.manifest.model.inputName, columns)).toThrow(/IR version 9 \(at most 8\) and ai\.onnx\.ml opset 4 \(at most 3\)/);
  });

  it('drops a ZipMap and exposes the probabilities tensor it read', async () => {
    const pkg = await loadPackageDir(path.join(models, 'lead-scoring', '4.1.0'));
    const model = decodeModel(pkg.onnxBytes);
    const graph = model.graph as onnx.GraphProto;
    const seqOfMaps: onnx.ITypeProto = {
      sequenceType: { elemType: { mapType: { keyType: onnx.TensorProto.DataType.INT64, valueType: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } } } },
    };
    graph.node.push(
      onnx.NodeProto.fromObject({
        opType: 'ZipMap',
        domain: 'ai.onnx.ml',
        input: [pkg.manifest.model.outputName],
        output: ['output_probability'],
        attribute: [{ name: 'classlabels_int64s', type: onnx.AttributeProto.AttributeType.INTS, ints: [0, 1] }],
      }),
    );
    graph.output = graph.output.filter((o) => o.name !== pkg.manifest.model.outputName) as never;
    graph.output.push(onnx.ValueInfoProto.fromObject({ name: 'output_probability', type: seqOfMaps }));
    const columns = sqlColumnNames(pkg.pipeline.columns);
    const perColumn = perColumnOnnx(encodeModel(model), pkg.manifest.model.inputName, columns);
    expect(perColumn.outputs.sort()).toEqual(['label', pkg.manifest.model.outputName].sort());
    const session = await ort.InferenceSession.create(perColumn.bytes);
    for (const m of session.outputMetadata) expect(m.isTensor).toBe(true);
    const feeds: Record<string, ort.Tensor> = {};
    for (const c of columns) feeds[c] = new ort.Tensor('float32', Float32Array.of(Number.NaN), [1, 1]);
    const out = await session.run(feeds);
    const reference = await (await ort.InferenceSession.create(pkg.onnxBytes)).run({
      [pkg.manifest.model.inputName]: new ort.Tensor('float32', new Float32Array(columns.length).fill(Number.NaN), [1, columns.length]),
    });
    expect(Array.from(out[pkg.manifest.model.outputName].data as Float32Array)).toEqual(Array.from(reference[pkg.manifest.model.outputName].data as Float32Array));
  });
});

describe('onnxVersions', () => {
  it('reads the bundled models as IR 8, ai.onnx.ml 3', async () => {
    const pkg = await loadPackageDir(path.join(models, 'gift-demand', '2.1.0'));
    expect(onnxVersions(pkg.onnxBytes)).toEqual({ irVersion: 8, opsets: { 'ai.onnx': 13, 'ai.onnx.ml': 3 } });
  });
});
