import { LightningElement, api } from 'lwc';
import { buildWaterfall } from 'c/leadScoreUtils';

/**
 * Every stored contribution as a waterfall: from the model's base value (the average lead),
 * each input moves the score up or down until it lands on this lead's score.
 * Shown as a table so the numbers are readable by everyone, with bars for the eye.
 */
export default class LeadScoreExplanation extends LightningElement {
    /** A LeadScoreView (baseValue, score, unit, reasons). */
    @api view;

    get waterfall() {
        return buildWaterfall(this.view);
    }

    get hasWaterfall() {
        return !!this.waterfall && this.waterfall.steps.length > 0;
    }

    get unitLabel() {
        return this.view && this.view.unit === 'log-count' ? 'log-count' : 'log-odds';
    }

    get caption() {
        return `How each input moved this lead from the average lead (${this.waterfall.baseText}) to its score (${this.waterfall.scoreText}). Contributions are in ${this.unitLabel}.`;
    }
}
