/**
 * Date inputs: "YYYY-MM-DD" or an ISO 8601 datetime ("2026-11-01T10:00:00Z",
 * "2026-11-01T10:00:00.000+0000" as Salesforce writes it). A date counts as the calendar
 * day written in it (the first ten characters), as the Python trainer reads it, so
 * training and serving agree; time and offset are checked for form but do not move the day.
 */
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of the calendar day in `text`, or undefined when it is not a valid date. */
export function parseEpochDay(text: string): number | undefined {
  const m = DATE_RE.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return undefined;
  const ms = Date.UTC(year, month - 1, day);
  if (new Date(ms).getUTCDate() !== day) return undefined; // 2026-02-30 and the like
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || (m[6] !== undefined && Number(m[6]) > 59))) return undefined;
  return ms / MS_PER_DAY;
}

/** The as-of day of a request: a date string, a Date, or (default) today in UTC. */
export function asOfEpochDay(asOf?: string | Date): number {
  if (asOf === undefined) return Math.floor(Date.now() / MS_PER_DAY);
  if (asOf instanceof Date) {
    if (Number.isNaN(asOf.getTime())) throw new RangeError('asOf is not a valid date');
    return Math.floor(asOf.getTime() / MS_PER_DAY);
  }
  const day = parseEpochDay(asOf);
  if (day === undefined) throw new RangeError('asOf must be a date such as 2026-11-25 or an ISO datetime');
  return day;
}
