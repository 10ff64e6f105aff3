/**
 * A Bulk API 2.0 CSV cell -> the JSON value Apex sends the service for that field
 * (ScoringClient.toInputValue): the one place the bulk path types its inputs. Bulk CSV carries
 * every value as text and an empty cell for null, so the field's describe type decides:
 * missing stays null, blank text is missing, booleans and numbers are JSON values, dates are ISO
 * days, datetimes ISO 8601 in GMT with milliseconds, anything else the text as it is.
 */
import { Messages } from '@salesforce/core';
import { COMPATIBLE_TYPES } from '../org/field-check.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@lead-scoring/sf-plugin-scoring', 'scoring.score');

/** The describe types a number input is read from: the same list the mapping's field check accepts. */
const NUMERIC = new Set(COMPATIBLE_TYPES.number);

export type InputValue = string | number | boolean | null;

export function toInputValue(cell: string | undefined, fieldType: string, fieldPath: string): InputValue {
  if (cell === undefined || cell === '') return null;
  const type = fieldType.toLowerCase();
  if (type === 'boolean') {
    if (cell === 'true') return true;
    if (cell === 'false') return false;
  } else if (NUMERIC.has(type)) {
    const n = Number(cell);
    if (cell.trim() !== '' && Number.isFinite(n)) return n;
  } else if (type === 'date') {
    if (/^\d{4}-\d{2}-\d{2}$/.test(cell)) return cell;
  } else if (type === 'datetime') {
    const t = Date.parse(cell);
    if (!Number.isNaN(t)) return new Date(t).toISOString();
  } else {
    // String.isBlank in Apex: whitespace only is missing; other text is sent untrimmed.
    return cell.trim() === '' ? null : cell;
  }
  // The value itself is lead data: the error names the field and its type only.
  throw messages.createError('error.valueUnreadable', [fieldPath, type]);
}
