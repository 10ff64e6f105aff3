/**
 * How a lead's value reads to a person, for the reason text: "Industry tenure is 34 months",
 * "Firm assets under management is $250M", "Lead source is Web", "Holds Series 65: yes",
 * "Last activity was 12 days ago", "Phone is missing". Pure functions of the manifest's
 * input spec and the raw value the caller sent; no model numbers here.
 */
import type { InputSpec } from '../manifest/schema';
import { parseEpochDay } from '../features/dates';

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** Missing as the pipeline counts it: absent, null or "". */
export function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** A number with its unit: "$250M", "-0.9%", "34 months", "1 month", "4.5 stars". */
export function formatNumber(value: number, unit?: string): string {
  const text = numberFormat.format(value);
  if (!unit) return text;
  // Currency symbols go in front ("$M" -> "$250M"); a percent sign sticks to the number.
  const currency = /^[$€£¥]/.exec(unit);
  if (currency) {
    const sign = value < 0 ? '-' : '';
    return `${sign}${currency[0]}${numberFormat.format(Math.abs(value))}${unit.slice(1)}`;
  }
  if (unit === '%') return `${text}%`;
  // "1 months" reads wrong: drop a plural s for exactly one.
  const singular = Math.abs(value) === 1 && /[^s]s$/.test(unit) ? unit.slice(0, -1) : unit;
  return `${text} ${singular}`;
}

/** "12 days ago", "yesterday", "today", "in 3 days". */
function daysAgo(days: number): string {
  if (days === 0) return 'today';
  if (days === 1) return 'yesterday';
  if (days === -1) return 'tomorrow';
  return days > 0 ? `${numberFormat.format(days)} days ago` : `in ${numberFormat.format(-days)} days`;
}

/** The input's value, phrased: a sentence fragment starting with the input's label. */
export function phraseInput(spec: InputSpec, value: unknown, asOfDay: number): string {
  const label = spec.label;
  if (isMissing(value)) return `${label} is missing`;
  switch (spec.type) {
    case 'boolean':
      return `${label}: ${value === true ? 'yes' : value === false ? 'no' : String(value)}`;
    case 'number':
      return typeof value === 'number'
        ? `${label} is ${formatNumber(value, spec.unit)}`
        : `${label} is ${String(value)}`;
    case 'date': {
      const day = typeof value === 'string' ? parseEpochDay(value) : undefined;
      if (day === undefined) return `${label} is ${String(value)}`;
      const days = asOfDay - day;
      // "Lead age" is a duration ("Lead age is 55 days"); other dates are events ("Last activity was 12 days ago").
      if (/\bage$/i.test(label)) return `${label} is ${formatNumber(days, 'days')}`;
      return `${label} was ${daysAgo(days)}`;
    }
    case 'string': {
      const text = String(value);
      const unlisted = spec.allowed && !spec.allowed.includes(text);
      return `${label} is ${text}${unlisted ? ' (not one of the values the model knows)' : ''}`;
    }
  }
}

/** snake_case block names as a label: "tenure_bucket_x_mobility" -> "Tenure bucket x mobility". */
export function humanize(name: string): string {
  const words = name.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
