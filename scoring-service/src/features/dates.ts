/**
 * Date inputs: "YYYY-MM-DD" or an ISO 8601 datetime ("2026-11-01T10:00:00Z",
 * "2026-11-01T10:00:00.000+0000" as Salesforce writes it). A date counts as the calendar
 * day written in it (the first ten characters), as the Python trainer reads it, so
 * training and serving agree; time and offset are checked for form but do not move the day.
 * Parsed by hand: this runs for every date input of every scored record.
 */
const TIME_PART = /[T ]([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?$/y;

const MS_PER_DAY = 86_400_000;

function digit(text: string, at: number): number {
  const c = text.charCodeAt(at) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Days since 1970-01-01 of the calendar day in `text`, or undefined when it is not a valid date. */
export function parseEpochDay(text: string): number | undefined {
  if (text.length < 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined; // '-'
  let year = 0;
  for (let k = 0; k < 4; k++) {
    const d = digit(text, k);
    if (d < 0) return undefined;
    year = year * 10 + d;
  }
  const m1 = digit(text, 5);
  const m2 = digit(text, 6);
  const d1 = digit(text, 8);
  const d2 = digit(text, 9);
  if (m1 < 0 || m2 < 0 || d1 < 0 || d2 < 0) return undefined;
  const month = m1 * 10 + m2;
  const day = d1 * 10 + d2;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (text.length > 10) {
    TIME_PART.lastIndex = 10;
    if (!TIME_PART.test(text)) return undefined;
  }
  return daysFromCivil(year, month, day);
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
