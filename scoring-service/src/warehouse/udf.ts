/**
 * The hashing the warehouse runs: the library's own Murmur3 (features/hasher.ts) shipped as the
 * body of a BigQuery JavaScript UDF (BigQuery has no MurmurHash3), and registered as a DuckDB
 * scalar function in-process. The UDF's source is the class's own source text, so the SQL path
 * hashes with the same code as the service, bit for bit.
 */
import { Murmur3, MURMUR3_CONSTANTS } from '../features/hasher';

export const HASH_UDF = 'fh_murmur3';
/** Numbers as text, as JavaScript's String(x) writes them (the pipeline's text form of a number input). */
export const NUMBER_TEXT_UDF = 'fh_number_text';

/** The JavaScript body of the hash UDF: `token` -> signed 32-bit MurmurHash3 of its UTF-8 bytes, null for null. */
export function hashUdfBody(): string {
  return [
    `const C1 = ${MURMUR3_CONSTANTS.C1};`,
    `const C2 = ${MURMUR3_CONSTANTS.C2};`,
    `const Murmur3 = ${Murmur3.toString()};`,
    'if (token === null || token === undefined) return null;',
    'return new Murmur3().reset(0).update(token).digest();',
  ].join('\n');
}

export function numberTextUdfBody(): string {
  return 'if (x === null || x === undefined) return null;\nreturn String(x);';
}

/** BigQuery temporary functions, declared at the top of the script that uses them. */
export function bigQueryUdfs(): string {
  // JavaScript UDFs take and return FLOAT64, not INT64; the hash is a 32-bit integer, exact in a double.
  // https://cloud.google.com/bigquery/docs/user-defined-functions#javascript-udf-structure
  return [
    `CREATE TEMP FUNCTION ${HASH_UDF}(token STRING) RETURNS FLOAT64 LANGUAGE js AS r"""\n${hashUdfBody()}\n""";`,
    `CREATE TEMP FUNCTION ${NUMBER_TEXT_UDF}(x FLOAT64) RETURNS STRING LANGUAGE js AS r"""\n${numberTextUdfBody()}\n""";`,
  ].join('\n');
}

/** The in-process functions for DuckDB: the same Murmur3 class and String(x). */
export function hashText(token: string): number {
  return shared.reset(0).update(token).digest();
}
const shared = new Murmur3();
