/**
 * Pure helpers shared by the lead score components: nothing here touches the DOM or Apex,
 * so every rule a rep sees (tiers, phrasing of time, bar widths, waterfall steps) is tested once.
 */

import HIDDEN_VALUE from '@salesforce/label/c.LeadScore_HiddenValue';
import UnknownError from '@salesforce/label/c.LeadScore_UnknownError';
import JustNow from '@salesforce/label/c.LeadScore_JustNow';
import MinuteAgo from '@salesforce/label/c.LeadScore_MinuteAgo';
import MinutesAgo from '@salesforce/label/c.LeadScore_MinutesAgo';
import HourAgo from '@salesforce/label/c.LeadScore_HourAgo';
import HoursAgo from '@salesforce/label/c.LeadScore_HoursAgo';
import DayAgo from '@salesforce/label/c.LeadScore_DayAgo';
import DaysAgo from '@salesforce/label/c.LeadScore_DaysAgo';
import RaisesScore from '@salesforce/label/c.LeadScore_RaisesScore';
import LowersScore from '@salesforce/label/c.LeadScore_LowersScore';
import StepRaises from '@salesforce/label/c.LeadScore_StepRaises';
import StepLowers from '@salesforce/label/c.LeadScore_StepLowers';
import ValueMissing from '@salesforce/label/c.LeadScore_ValueMissing';
import ValueYes from '@salesforce/label/c.LeadScore_ValueYes';
import ValueNo from '@salesforce/label/c.LeadScore_ValueNo';
import OtherInputs from '@salesforce/label/c.LeadScore_OtherInputs';
import OtherInputsText from '@salesforce/label/c.LeadScore_OtherInputsText';
import TrendRose from '@salesforce/label/c.LeadScore_TrendRose';
import TrendFell from '@salesforce/label/c.LeadScore_TrendFell';
import TrendFlat from '@salesforce/label/c.LeadScore_TrendFlat';

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Reduces one or more errors (Apex AuraHandledException, fetch/JS errors, arrays) to readable messages.
 * @param {*} errors an error or an array of errors
 * @returns {string[]} messages, never empty strings
 */
export function reduceErrors(errors) {
    const list = Array.isArray(errors) ? errors : [errors];
    return list
        .filter((error) => !!error)
        .map((error) => {
            if (Array.isArray(error.body)) {
                return error.body.map((e) => e.message).join(', ');
            }
            if (error.body && typeof error.body.message === 'string') {
                return error.body.message;
            }
            if (typeof error.message === 'string') {
                return error.message;
            }
            if (typeof error === 'string') {
                return error;
            }
            return error.statusText || UnknownError;
        })
        .filter((message) => !!message);
}

/**
 * True when an Apex error says the running user may not read the score.
 * The controller throws an AuraHandledException whose message names access; a platform
 * NoAccessException or a failed USER_MODE query say "insufficient access".
 * @param {*} error
 * @returns {boolean}
 */
export function isNoAccessError(error) {
    if (!error) return false;
    const type = error.body && error.body.exceptionType;
    if (type === 'System.NoAccessException') return true;
    if (error.status === 403) return true;
    return reduceErrors(error).some((m) =>
        /\b(no access|access to|insufficient access|insufficient privileges|not accessible)\b/i.test(m)
    );
}

/**
 * Fills a Custom Label's {0}, {1}, ... placeholders, the way Apex String.format does for the same labels.
 * @param {string} label the label text
 * @param {...*} values the values, in placeholder order
 * @returns {string}
 */
export function formatLabel(label, ...values) {
    return String(label).replace(/\{(\d+)\}/g, (match, index) =>
        Number(index) < values.length ? String(values[Number(index)]) : match
    );
}

/**
 * Phrases how long ago something happened, the way Salesforce record pages do.
 * @param {string|number|Date} when ISO date-time or epoch ms
 * @param {number} now epoch ms
 * @returns {string} e.g. "just now", "12 minutes ago", "3 hours ago", "2 days ago"; '' when unknown
 */
export function timeAgo(when, now) {
    if (when === null || when === undefined || when === '') return '';
    const then = when instanceof Date ? when.getTime() : new Date(when).getTime();
    if (Number.isNaN(then)) return '';
    const elapsed = Math.max(0, now - then);
    if (elapsed < MINUTE) return JustNow;
    if (elapsed < HOUR) return ago(Math.floor(elapsed / MINUTE), MinuteAgo, MinutesAgo);
    if (elapsed < DAY) return ago(Math.floor(elapsed / HOUR), HourAgo, HoursAgo);
    return ago(Math.floor(elapsed / DAY), DayAgo, DaysAgo);
}

function ago(count, one, many) {
    return count === 1 ? one : formatLabel(many, count);
}

const TIER_STYLES = {
    hot: { badgeClass: 'slds-badge tier-badge tier-hot', icon: 'utility:favorite', ringClass: 'ring-hot' },
    warm: { badgeClass: 'slds-badge tier-badge tier-warm', icon: 'utility:trending', ringClass: 'ring-warm' },
    cold: { badgeClass: 'slds-badge tier-badge tier-cold', icon: 'utility:routing_offline', ringClass: 'ring-cold' }
};

/**
 * Styling for a tier; the tier name is always shown as text too, colour is never the only signal.
 * @param {string} tier Hot, Warm or Cold (any case)
 */
export function tierStyle(tier) {
    return (
        TIER_STYLES[String(tier || '').toLowerCase()] || {
            badgeClass: 'slds-badge tier-badge',
            icon: 'utility:info',
            ringClass: 'ring-unknown'
        }
    );
}

/**
 * Splits reasons into what raises and what lowers the score, each ordered by magnitude,
 * keeping at most `limit` reasons overall (the strongest ones, as the service ranked them).
 * Bar widths are relative to the strongest reason shown, so the longest bar is 100%.
 * @param {Array<{input:string,label:string,value:*,contribution:number,direction:string,text:string}>} reasons
 * @param {number} limit
 * @returns {{raises: object[], lowers: object[], maxMagnitude: number}}
 */
export function groupReasons(reasons, limit) {
    const ranked = (reasons || [])
        .filter((r) => r && Number.isFinite(Number(r.contribution)))
        .slice()
        .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
        .slice(0, Math.max(0, limit || 0));
    const maxMagnitude = ranked.reduce((max, r) => Math.max(max, Math.abs(r.contribution)), 0);
    const decorate = (reason, index) => {
        const magnitude = Math.abs(reason.contribution);
        const share = maxMagnitude > 0 ? magnitude / maxMagnitude : 0;
        const raises = directionOf(reason) === 'raises';
        return {
            key: `${reason.input}-${index}`,
            input: reason.input,
            label: reason.label || reason.input,
            text: reason.text || `${reason.label || reason.input} is ${formatValue(reason.value)}`,
            contribution: reason.contribution,
            contributionText: formatSigned(reason.contribution),
            direction: raises ? 'raises' : 'lowers',
            directionLabel: raises ? RaisesScore : LowersScore,
            icon: raises ? 'utility:arrowup' : 'utility:arrowdown',
            barStyle: `width: ${Math.max(2, Math.round(share * 100))}%`,
            barClass: raises ? 'reason-bar reason-bar_raises' : 'reason-bar reason-bar_lowers',
            barPercent: Math.round(share * 100)
        };
    };
    const decorated = ranked.map(decorate);
    return {
        raises: decorated.filter((r) => r.direction === 'raises'),
        lowers: decorated.filter((r) => r.direction === 'lowers'),
        maxMagnitude
    };
}

function directionOf(reason) {
    if (reason.direction === 'raises' || reason.direction === 'lowers') return reason.direction;
    return reason.contribution >= 0 ? 'raises' : 'lowers';
}

/**
 * A signed number with a fixed number of decimals: "+0.42", "−0.13" (true minus sign for readability).
 */
export function formatSigned(value, decimals = 2) {
    const n = Number(value);
    if (!Number.isFinite(n)) return '';
    const fixed = Math.abs(n).toFixed(decimals);
    if (Number(fixed) === 0) return fixed;
    return (n > 0 ? '+' : '\u2212') + fixed;
}

/**
 * How an input value reads in a table cell: missing values say so, booleans are Yes/No.
 */
export function formatValue(value) {
    if (value === null || value === undefined || value === '') return ValueMissing;
    if (typeof value === 'boolean') return value ? ValueYes : ValueNo;
    if (typeof value === 'number') {
        return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
    }
    return String(value);
}

/** The model's link function inverse: margin -> what the score means in its own units. */
export function marginToScore(margin, unit) {
    if (unit === 'log-count') return Math.exp(margin);
    return 1 / (1 + Math.exp(-margin));
}

/** The model's link function: score -> margin. Probabilities are clamped away from 0 and 1. */
export function scoreToMargin(score, unit) {
    if (unit === 'log-count') return Math.log(Math.max(score, 1e-12));
    const p = Math.min(Math.max(score, 1e-12), 1 - 1e-12);
    return Math.log(p / (1 - p));
}

/**
 * Formats a score in the model's own units: a probability as a percentage, a count with two decimals.
 */
export function formatScore(score, unit) {
    if (!Number.isFinite(score)) return '';
    if (unit === 'log-count') return score.toFixed(2);
    const pct = score * 100;
    return (pct < 1 ? pct.toFixed(2) : pct.toFixed(1)) + '%';
}

/**
 * The waterfall from the model's base value to the lead's score: one step per reason, in the
 * service's order (largest first), then one step for whatever the listed reasons do not cover
 * (inputs outside the stored top-k), so the steps always end exactly at the score's margin.
 * Positions are percentages of the span the walk covers, ready for bar styles.
 * @param {{baseValue:number, score:number, unit:string, reasons:object[]}} view
 * @returns {{steps: object[], baseValue: number, margin: number, hasRemainder: boolean}|null}
 */
export function buildWaterfall(view) {
    if (!view || !Number.isFinite(view.baseValue) || !Number.isFinite(view.score)) return null;
    const unit = view.unit || 'log-odds';
    const margin = scoreToMargin(view.score, unit);
    const reasons = (view.reasons || []).filter((r) => Number.isFinite(Number(r.contribution)));
    const explained = reasons.reduce((sum, r) => sum + Number(r.contribution), 0);
    const remainder = margin - view.baseValue - explained;
    const hasRemainder = Math.abs(remainder) > 1e-4;

    const raw = reasons.map((r) => ({
        input: r.input,
        label: r.label || r.input,
        // A hidden reason's field is unreadable for this user: its value never reached the browser.
        value: r.hidden ? HIDDEN_VALUE : formatValue(r.value),
        text: r.text,
        contribution: Number(r.contribution)
    }));
    if (hasRemainder) {
        raw.push({
            input: '__other__',
            label: OtherInputs,
            value: '',
            text: OtherInputsText,
            contribution: remainder
        });
    }

    let running = view.baseValue;
    const walk = raw.map((step) => {
        const start = running;
        running += step.contribution;
        return { ...step, start, end: running };
    });
    const points = [view.baseValue, margin, ...walk.map((s) => s.end)];
    const low = Math.min(...points);
    const high = Math.max(...points);
    const span = high - low || 1;
    const pct = (x) => ((x - low) / span) * 100;

    const steps = walk.map((step, index) => {
        const left = pct(Math.min(step.start, step.end));
        const width = Math.max(0.5, Math.abs(pct(step.end) - pct(step.start)));
        const raises = step.contribution >= 0;
        return {
            key: `${step.input}-${index}`,
            label: step.label,
            value: step.value,
            text: step.text,
            contributionText: formatSigned(step.contribution),
            runningText: formatScore(marginToScore(step.end, unit), unit),
            direction: raises ? 'raises' : 'lowers',
            directionLabel: raises ? StepRaises : StepLowers,
            icon: raises ? 'utility:arrowup' : 'utility:arrowdown',
            barClass: raises ? 'waterfall-bar waterfall-bar_raises' : 'waterfall-bar waterfall-bar_lowers',
            barStyle: `left: ${left.toFixed(2)}%; width: ${width.toFixed(2)}%`
        };
    });
    return {
        steps,
        baseValue: view.baseValue,
        baseText: formatScore(marginToScore(view.baseValue, unit), unit),
        baseMarkerStyle: `left: ${pct(view.baseValue).toFixed(2)}%`,
        margin,
        scoreText: formatScore(view.score, unit),
        scoreMarkerStyle: `left: ${pct(margin).toFixed(2)}%`,
        hasRemainder
    };
}

/**
 * The champion's scores over time as an SVG polyline in a width x height box, plus a sentence
 * that says the same thing for screen readers. Needs at least two points to draw a trend.
 * @param {Array<{scoredAt:string, scaledScore:number, role?:string, modelVersion?:string}>} history
 * @returns {{points: string, dots: object[], summary: string, first: number, last: number, count: number}|null}
 */
export function buildTrend(history, width = 200, height = 40) {
    const series = (history || [])
        .filter(
            (h) =>
                h &&
                (!h.role || h.role === 'champion') &&
                Number.isFinite(Number(h.scaledScore)) &&
                !Number.isNaN(new Date(h.scoredAt).getTime())
        )
        .map((h) => ({ time: new Date(h.scoredAt).getTime(), score: Number(h.scaledScore), version: h.modelVersion }))
        .sort((a, b) => a.time - b.time);
    if (series.length < 2) return null;
    const pad = 4;
    const t0 = series[0].time;
    const t1 = series[series.length - 1].time;
    const x = (t) => (t1 === t0 ? width / 2 : pad + ((t - t0) / (t1 - t0)) * (width - 2 * pad));
    // Scaled scores are 0-100; a fixed axis keeps trends of different leads comparable.
    const y = (s) => pad + (1 - Math.min(100, Math.max(0, s)) / 100) * (height - 2 * pad);
    const dots = series.map((p, i) => ({ key: `p${i}`, cx: x(p.time).toFixed(1), cy: y(p.score).toFixed(1) }));
    const first = series[0].score;
    const last = series[series.length - 1].score;
    const change = last - first;
    const since = new Date(t0).toISOString().slice(0, 10);
    return {
        points: dots.map((d) => `${d.cx},${d.cy}`).join(' '),
        dots,
        first,
        last,
        count: series.length,
        direction: change > 0 ? 'up' : change < 0 ? 'down' : 'flat',
        summary: formatLabel(
            change > 0 ? TrendRose : change < 0 ? TrendFell : TrendFlat,
            Math.abs(change),
            last,
            series.length,
            since,
            first
        )
    };
}
