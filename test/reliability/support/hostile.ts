/**
 * fast-check arbitraries for hostile request bodies. Every value they produce carries at least
 * one defect the service must refuse (wrong type, bad shape, limit exceeded, unparseable text,
 * prototype keys, wrong content type...), so every one must be answered with a 4xx problem.
 * Bodies are mostly small, so ten thousand of them run in seconds.
 */
import fc from 'fast-check';

export interface Hostile {
  /** Which defect this is (shown when a case fails). */
  kind: string;
  method?: string;
  path: string;
  contentType?: string;
  body: string | Buffer;
}

/** Limits the service under test is started with (small, so over-limit bodies stay cheap). */
export const LIMITS = { records: 50, bodyBytes: 64 * 1024 };

const DEEP = '"@@DEEP@@"';

/** A JSON text with the placeholder string replaced by raw JSON text (for text JSON.stringify cannot write). */
const withRaw = (value: unknown, raw: string) => JSON.stringify(value).replace(DEEP, raw);
const placeholder = JSON.parse(DEEP) as string;

/** Any JSON value that is not a plain object. */
const notObject = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 20 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
);
/** Any JSON value that is not an array. */
const notArray = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 20 }),
  fc.boolean(),
  fc.constant(null),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);
/** Any JSON value that is not a string. */
const notString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
);
/** JSON values no input may hold (inputs are numbers, strings, booleans or null). */
const notInputValue = fc.oneof(
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

/** Nested arrays/objects deeper than any route accepts, as JSON text. */
const deepJson = fc.tuple(fc.integer({ min: 34, max: 20_000 }), fc.constantFrom('[', '{"a":')).map(([depth, open]) => {
  const close = open === '[' ? ']' : '}';
  return open.repeat(depth) + '1' + close.repeat(depth);
});

/** Numbers JSON does not have, or that JavaScript reads as infinite. */
const badNumberText = fc.constantFrom(
  'NaN',
  '-NaN',
  'Infinity',
  '-Infinity',
  '1e999',
  '-1e400',
  '0x10',
  '+1',
  '.5',
  '1.',
  '01',
  '1e',
  '--1',
  'undefined',
  "'1'",
);

const protoKey = fc.constantFrom('__proto__');
const objectKeys = fc.constantFrom(
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
  '__lookupSetter__',
  'isPrototypeOf',
);

/** Content types the JSON routes must refuse, each with a valid JSON body. */
const wrongContentType = fc.constantFrom(
  undefined,
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  'application/octet-stream',
  'application/json-patch+json',
  'application/vnd.api+json',
  'application/jsonx',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'image/png',
);

const unicodeName = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
  .filter((s) => [...s].some((ch) => ch.codePointAt(0)! > 0x7f));
const hugeString = fc
  .tuple(fc.integer({ min: 1001, max: 40_000 }), fc.constantFrom('a', 'é', '𝕏', '\u0000', '"', '\\'))
  .map(([n, ch]) => ch.repeat(n));

const idOf = (i: number) => `00Q${String(i).padStart(15, '0')}`;

/** Cuts a JSON text short (a proper prefix of an object is never valid JSON). */
const truncate = (text: string) => fc.integer({ min: 0, max: text.length - 1 }).map((n) => text.slice(0, n));

/** Bytes that are not UTF-8, placed where no string can absorb them. */
const invalidUtf8 = (text: string) =>
  fc
    .tuple(
      fc.constantFrom([0xff], [0xc3, 0x28], [0xe2, 0x28, 0xa1], [0xf0, 0x28, 0x8c, 0x28], [0xc0, 0xaf]),
      fc.boolean(),
    )
    .map(([bytes, before]) =>
      before
        ? Buffer.concat([Buffer.from(bytes), Buffer.from(text)])
        : Buffer.concat([Buffer.from(text.slice(0, 1)), Buffer.from(bytes), Buffer.from(text.slice(1))]),
    );

type Json = Record<string, unknown>;

/** Builds the hostile cases for one JSON route from its valid base body. */
function common(path: string, base: () => Json, extraKeys: readonly string[]): fc.Arbitrary<Hostile>[] {
  const text = JSON.stringify(base());
  const json =
    (kind: string) =>
    (body: string): Hostile => ({ kind, path, body, contentType: 'application/json' });
  return [
    notObject.map((v) => json('top level is not an object')(JSON.stringify(v))),
    fc.constantFrom('', ' ', 'null', '[]', '{}', '""', 'true').map(json('empty or trivial body')),
    fc
      .tuple(fc.string({ maxLength: 30 }), fc.anything({ maxDepth: 2 }))
      .filter(([k]) => !extraKeys.includes(k) && k !== '__proto__')
      .map(([k, v]) => json('unknown top-level key')(JSON.stringify({ ...base(), [k]: v ?? null }))),
    deepJson.map((raw) => json('deep nesting')(withRaw({ ...base(), [extraKeys[0]]: placeholder }, raw))),
    protoKey.chain((k) =>
      fc.constantFrom('top', 'nested').map((where) => {
        const raw =
          where === 'top'
            ? text.replace(/^\{/, `{"${k}":{"polluted":true},`)
            : text.replace(/\{"([a-z_]+)":/, `{"${k}":{"isAdmin":true},"$1":`);
        return json('prototype-pollution key')(raw);
      }),
    ),
    objectKeys.map((k) => json('Object.prototype name as a top-level key')(text.replace(/^\{/, `{"${k}":{"x":1},`))),
    truncate(text).map(json('truncated JSON')),
    invalidUtf8(text).map((body) => ({ kind: 'invalid UTF-8', path, body, contentType: 'application/json' })),
    badNumberText.map((raw) =>
      json('NaN/Infinity as JSON text')(withRaw({ ...base(), [extraKeys[0]]: placeholder }, raw)),
    ),
    wrongContentType.map((contentType) => ({ kind: 'wrong content type', path, body: text, contentType })),
    fc
      .integer({ min: LIMITS.bodyBytes + 1, max: LIMITS.bodyBytes * 2 })
      .map((n) =>
        json('body over the byte limit')(JSON.stringify(base()).replace(/\}$/, `,"pad":"${'x'.repeat(n)}"}`)),
      ),
  ];
}

// ---- POST /v1/models/{model}/score -------------------------------------------------------

export function scoreCases(sampleLead: () => Json): fc.Arbitrary<Hostile> {
  const path = '/v1/models/lead-scoring/score';
  const record = (i = 1, inputs: Json = sampleLead()) => ({ id: idOf(i), inputs });
  const base = (): Json => ({ records: [record()] });
  const json =
    (kind: string, p = path) =>
    (value: unknown): Hostile => ({ kind, path: p, body: JSON.stringify(value), contentType: 'application/json' });
  const validVersion = /^(?:champion|challenger|\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/;
  const validDate = /^\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

  return fc.oneof(
    ...common(path, base, ['asOf', 'version', 'shadow', 'canary', 'explain', 'records']),
    notArray.map((v) => json('records is not an array')({ records: v })),
    fc.constant(json('records is empty')({ records: [] })),
    notObject.map((v) => json('a record is not an object')({ records: [record(), v] })),
    notString.map((v) => json('record id is not a string')({ records: [{ id: v, inputs: sampleLead() }] })),
    fc
      .oneof(fc.constant(''), fc.string({ minLength: 256, maxLength: 400 }))
      .map((id) => json('record id empty or too long')({ records: [{ id, inputs: sampleLead() }] })),
    fc.constantFrom('id', 'inputs').map((k) => {
      const r: Json = record();
      delete r[k];
      return json('record without id or inputs')({ records: [r] });
    }),
    fc
      .oneof(
        fc.integer(),
        fc.string({ maxLength: 10 }),
        fc.boolean(),
        fc.constant(null),
        fc.array(fc.integer(), { maxLength: 2 }),
      )
      .map((v) => json('inputs is not an object')({ records: [{ id: idOf(1), inputs: v }] })),
    fc
      .tuple(fc.constantFrom(...Object.keys(sampleLead())), notInputValue)
      .map(([k, v]) =>
        json('input value is an array or object')({ records: [record(1, { ...sampleLead(), [k]: v })] }),
      ),
    fc
      .tuple(fc.constantFrom('lead_source', 'industry', 'seniority', 'firm_type'), fc.oneof(fc.integer(), fc.boolean()))
      .map(([k, v]) =>
        json('string input holds a number or boolean')({ records: [record(1, { ...sampleLead(), [k]: v })] }),
      ),
    fc
      .tuple(
        fc.constantFrom('tenure_at_firm_months', 'years_experience', 'mobility_score', 'firm_aum_musd'),
        fc.oneof(
          fc.string({ minLength: 1, maxLength: 10 }).filter((v) => v.trim() !== ''),
          fc.boolean(),
          fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e999', '12'),
        ),
      )
      .map(([k, v]) =>
        json('number input holds text or a boolean')({ records: [record(1, { ...sampleLead(), [k]: v })] }),
      ),
    fc
      .tuple(
        fc.constantFrom('last_activity_date', 'lead_created_date'),
        fc.oneof(
          fc.integer(),
          fc.boolean(),
          fc.constantFrom('yesterday', '2026-13-45', '25/11/2026', 'NaN', '0000-00-00', '2026-02-30'),
        ),
      )
      .map(([k, v]) => json('date input is not a date')({ records: [record(1, { ...sampleLead(), [k]: v })] })),
    fc
      .tuple(
        fc.oneof(unicodeName, objectKeys, fc.string({ minLength: 1, maxLength: 30 })),
        fc.oneof(fc.integer(), fc.string({ maxLength: 5 })),
      )
      .filter(([k]) => !Object.hasOwn(sampleLead(), k) && k !== '__proto__')
      .map(([k, v]) =>
        json('unknown input name (typo, unicode, Object.prototype name)')({
          records: [record(1, { ...sampleLead(), [k]: v })],
        }),
      ),
    fc
      .string({ minLength: 101, maxLength: 3000 })
      .filter((k) => k !== '__proto__')
      .map((k) => json('input name too long')({ records: [record(1, { [k]: 1 })] })),
    hugeString.map((s) => json('huge string value')({ records: [record(1, { ...sampleLead(), industry: s })] })),
    fc.tuple(fc.integer({ min: 2, max: 6 }), fc.nat()).map(([n, seed]) => {
      const records = Array.from({ length: n }, (_, i) => record(i));
      records[n - 1].id = records[seed % (n - 1)].id;
      return json('duplicated record ids')({ records });
    }),
    fc.integer({ min: LIMITS.records + 1, max: LIMITS.records + 40 }).map((n) =>
      json('records over the limit')({
        records: Array.from({ length: n }, (_, i) => record(i, { industry: 'Finance' })),
      }),
    ),
    fc
      .oneof(
        fc.string({ maxLength: 20 }).filter((v) => !validVersion.test(v)),
        fc.integer(),
        fc.constant(null),
        unicodeName,
      )
      .map((v) => json('bad version')({ ...base(), version: v })),
    fc
      .oneof(
        notArray,
        fc.array(fc.constant('4.0.0'), { minLength: 6, maxLength: 10 }),
        fc.array(
          fc.string({ maxLength: 8 }).filter((v) => !validVersion.test(v)),
          { minLength: 1, maxLength: 3 },
        ),
      )
      .map((v) => json('bad shadow list')({ ...base(), shadow: v })),
    fc
      .constantFrom<unknown>(
        { top: 0 },
        { top: 101 },
        { top: 1.5 },
        { top: '5' },
        { all: false },
        { top: 5, all: true },
        {},
        'top',
        5,
        [],
        { top: -1 },
        { all: 'yes' },
      )
      .map((v) => json('bad explain option')({ ...base(), explain: v })),
    fc
      .oneof(
        fc.constantFrom<unknown>({ percent: -1 }, { percent: 101 }, { percent: 1.5 }, { percent: '50' }, {}, 50, {
          percent: 50,
          extra: 1,
        }),
      )
      .map((v) => json('bad canary')({ ...base(), canary: v })),
    fc.constant(json('canary with an explicit version')({ ...base(), version: '4.1.0', canary: { percent: 10 } })),
    fc
      .oneof(
        fc.string({ maxLength: 20 }).filter((v) => !validDate.test(v)),
        fc.integer(),
        fc.boolean(),
      )
      .map((v) => json('bad asOf')({ ...base(), asOf: v })),
    notObject.map((v) => json('extra key inside a record')({ records: [{ ...record(), extra: v }] })),
    fc
      .oneof(
        fc
          .oneof(
            unicodeName,
            fc.string({ minLength: 1, maxLength: 300 }),
            fc.constantFrom('..', 'constructor', '__proto__', 'LEAD-SCORING'),
          )
          .map((m) => encodeURIComponent(m)),
        // Written as they are: encoded dots and slashes, a NUL, and broken percent-encoding.
        fc.constantFrom('%2e%2e', 'lead-scoring%00', '%E0%A4%A', '%', '%ZZ', 'lead%2Fscoring', '%C0%AF', '%FF'),
      )
      .filter((m) => m !== 'lead-scoring' && m !== 'gift-demand')
      .map((m) => json('unknown or malformed model name in the path', `/v1/models/${m}/score`)(base())),
    badNumberText.map((raw) => ({
      kind: 'NaN/Infinity as JSON text in a number input',
      path,
      contentType: 'application/json',
      body: JSON.stringify(base()).replace(/"tenure_at_firm_months":[0-9.]+/, `"tenure_at_firm_months":${raw}`),
    })),
  );
}

// ---- POST /predict ------------------------------------------------------------------------

export function predictCases(sampleRow: () => Json): fc.Arbitrary<Hostile> {
  const path = '/predict';
  const base = (): Json => ({ rows: [sampleRow()] });
  const json =
    (kind: string) =>
    (value: unknown): Hostile => ({ kind, path, body: JSON.stringify(value), contentType: 'application/json' });
  return fc.oneof(
    ...common(path, base, ['asOf', 'model', 'version', 'shadow', 'rows']),
    fc
      .oneof(fc.constantFrom<unknown>('true', 1, 0, [], {}), fc.string({ maxLength: 5 }))
      .map((v) => json('shadow is not a boolean')({ ...base(), shadow: v })),
    notArray.map((v) => json('rows is not an array')({ rows: v })),
    fc.constant(json('rows is empty')({ rows: [] })),
    notObject.map((v) => json('a row is not an object')({ rows: [sampleRow(), v] })),
    fc
      .oneof(notInputValue, fc.constantFrom<unknown>(null, '', true))
      .map((v) => json('product_id missing, empty or not a scalar')({ rows: [{ ...sampleRow(), product_id: v }] })),
    fc.constant(
      json('row without product_id')({
        rows: [Object.fromEntries(Object.entries(sampleRow()).filter(([k]) => k !== 'product_id'))],
      }),
    ),
    fc
      .tuple(fc.oneof(unicodeName, objectKeys, fc.string({ minLength: 1, maxLength: 20 })), fc.integer())
      .filter(([k]) => !Object.hasOwn(sampleRow(), k) && k !== '__proto__')
      .map(([k, v]) => json('unknown input name')({ rows: [{ ...sampleRow(), [k]: v }] })),
    fc
      .tuple(
        fc.constantFrom('product_price', 'product_rating', 'cycle_month'),
        fc.oneof(
          fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s.trim() !== ''),
          fc.boolean(),
          notInputValue,
        ),
      )
      .map(([k, v]) => json('number input holds text')({ rows: [{ ...sampleRow(), [k]: v }] })),
    fc
      .tuple(fc.constantFrom('product_launch_date'), fc.oneof(fc.integer(), fc.constantFrom('soon', '2026-02-31x')))
      .map(([k, v]) => json('date input is not a date')({ rows: [{ ...sampleRow(), [k]: v }] })),
    hugeString.map((s) => json('huge string value')({ rows: [{ ...sampleRow(), product_brand: s }] })),
    fc
      .integer({ min: LIMITS.records + 1, max: LIMITS.records + 40 })
      .map((n) => json('rows over the limit')({ rows: Array.from({ length: n }, () => ({ product_id: 'P1' })) })),
    fc
      .oneof(
        fc.constantFrom('lead-scoring', 'no-such-model', '', 'constructor'),
        unicodeName,
        fc.integer(),
        fc.string({ minLength: 101, maxLength: 200 }),
      )
      .map((m) => json('bad or non-count model')({ ...base(), model: m })),
    fc
      .oneof(fc.constantFrom('9.9.9', 'v2', '', 'latest'), fc.integer())
      .map((v) => json('bad or unknown version')({ ...base(), version: v })),
  );
}

// ---- POST /v2/models/{model}/infer --------------------------------------------------------

export function inferCases(columns: number, maxRows: number, outputNames: readonly string[]): fc.Arbitrary<Hostile> {
  const path = '/v2/models/lead-scoring/infer';
  const tensor = (over: Json = {}): Json => ({
    name: 'input',
    shape: [1, columns],
    datatype: 'FP32',
    data: Array.from({ length: columns }, (_, i) => i % 7),
    ...over,
  });
  const base = (): Json => ({ inputs: [tensor()] });
  const json =
    (kind: string, p = path) =>
    (value: unknown): Hostile => ({ kind, path: p, body: JSON.stringify(value), contentType: 'application/json' });
  return fc.oneof(
    ...common(path, base, ['id', 'parameters', 'outputs', 'inputs']),
    notArray.map((v) => json('inputs is not an array')({ inputs: v })),
    fc.constant(json('inputs is empty')({ inputs: [] })),
    notObject.map((v) => json('a tensor is not an object')({ inputs: [v] })),
    fc
      .oneof(
        fc.string({ maxLength: 12 }).filter((n) => n !== 'input'),
        unicodeName,
        notString,
      )
      .map((n) => json('unknown or non-string tensor name')({ inputs: [tensor({ name: n })] })),
    fc
      .oneof(fc.constantFrom('FP16', 'BYTES', 'fp32', 'UINT8', 'INT64', 'INT32', 'BOOL', 'FP 32', ''), notString)
      .map((d) => json('wrong datatype')({ inputs: [tensor({ datatype: d })] })),
    fc
      .oneof(
        fc.constant<unknown>([]),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 3, maxLength: 9 }),
        fc.tuple(
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: 1, max: 200 }).filter((c) => c !== columns),
        ),
        fc.tuple(fc.integer({ min: -5, max: -1 }), fc.constant(columns)),
        fc.tuple(
          fc.double({ min: 0.1, max: 3, noNaN: true }).filter((x) => !Number.isInteger(x)),
          fc.constant(columns),
        ),
        notArray,
      )
      .map((shape) => json('wrong shape')({ inputs: [tensor({ shape })] })),
    fc
      .integer({ min: 0, max: columns * 3 })
      .filter((n) => n !== columns)
      .map((n) =>
        json('value count does not match the shape')({
          inputs: [tensor({ data: Array.from({ length: n }, () => 1) })],
        }),
      ),
    fc
      .tuple(
        fc.nat({ max: columns - 1 }),
        fc.oneof(
          fc.string({ maxLength: 5 }),
          fc.boolean(),
          fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { minKeys: 1, maxKeys: 2 }),
        ),
      )
      .map(([i, v]) => {
        const data: unknown[] = Array.from({ length: columns }, () => 0);
        data[i] = v;
        return json('a value is not a number')({ inputs: [tensor({ data })] });
      }),
    fc
      .integer({ min: maxRows + 1, max: maxRows * 1000 })
      .map((rows) => json('rows over the limit')({ inputs: [tensor({ shape: [rows, columns] })] })),
    fc
      .string({ minLength: 1, maxLength: 12 })
      .filter((n) => !outputNames.includes(n))
      .map((n) => json('unknown output requested')({ ...base(), outputs: [{ name: n }] })),
    fc
      .oneof(
        fc.string({ minLength: 256, maxLength: 400 }),
        notString.filter((v) => v !== null),
      )
      .map((id) => json('bad request id')({ ...base(), id })),
    fc
      .constantFrom(
        'no-such-model',
        'gift-demand/versions/9.9.9',
        'lead-scoring/versions/not-a-version',
        'lead-scoring/versions/4.1.0-rc.1',
      )
      .map((m) => json('unknown model or version', `/v2/models/${m}/infer`)(base())),
    fc.constant(
      json('a tensor for another model (gift-demand has more columns)', '/v2/models/gift-demand/infer')(base()),
    ),
  );
}

/** The status each kind of defect must get, where it is fixed (other kinds: any 4xx). */
export const EXPECTED_STATUS: Readonly<Record<string, readonly number[]>> = {
  'empty or trivial body': [400],
  'top level is not an object': [400],
  'truncated JSON': [400],
  'invalid UTF-8': [400],
  'NaN/Infinity as JSON text': [400],
  'NaN/Infinity as JSON text in a number input': [400],
  'prototype-pollution key': [400],
  'Object.prototype name as a top-level key': [400],
  'unknown top-level key': [400],
  'deep nesting': [400, 413],
  'duplicated record ids': [400],
  'input name too long': [400, 422],
  'records is empty': [400],
  'rows is empty': [400],
  'inputs is empty': [400],
  'records over the limit': [413],
  'rows over the limit': [413],
  'body over the byte limit': [413],
  'huge string value': [400, 413],
  // A JSON type with a charset body-parser can decode (utf-16) fails as JSON instead: 400.
  'wrong content type': [400, 415],
  'unknown input name': [422],
  'unknown input name (typo, unicode, Object.prototype name)': [422],
  'string input holds a number or boolean': [422],
  'number input holds text': [400, 422],
  'number input holds text or a boolean': [422],
  'date input is not a date': [422],
  'row without product_id': [422],
  'unknown model or version': [404],
  'unknown or malformed model name in the path': [400, 404],
  'wrong shape': [400],
  'wrong datatype': [400],
  'value count does not match the shape': [400],
  'a value is not a number': [400],
  'unknown output requested': [400],
};
