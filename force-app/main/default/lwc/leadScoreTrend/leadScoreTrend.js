import { LightningElement, api } from 'lwc';
import { buildTrend, formatLabel } from 'c/leadScoreUtils';
import TrendTitle from '@salesforce/label/c.LeadScore_TrendTitle';
import TrendCaption from '@salesforce/label/c.LeadScore_TrendCaption';

/**
 * The champion's scaled score over time, drawn as a sparkline, with the same facts in words
 * for screen readers (and as a tooltip-free caption for everyone).
 */
export default class LeadScoreTrend extends LightningElement {
    @api history = [];

    labels = { TrendTitle };

    get trend() {
        return buildTrend(this.history, 200, 40);
    }

    get hasTrend() {
        return !!this.trend;
    }

    get caption() {
        const t = this.trend;
        const arrow = t.direction === 'up' ? '\u2191' : t.direction === 'down' ? '\u2193' : '\u2192';
        const change = t.last - t.first;
        const signed = change > 0 ? `+${change}` : `${change}`;
        return formatLabel(TrendCaption, arrow, signed, t.count);
    }

    get lineClass() {
        return `trend-line trend-line_${this.trend.direction}`;
    }
}
