import { LightningElement, api } from 'lwc';
import { buildWaterfall, formatLabel } from 'c/leadScoreUtils';
import WaterfallCaption from '@salesforce/label/c.LeadScore_WaterfallCaption';
import ColumnInput from '@salesforce/label/c.LeadScore_ColumnInput';
import ColumnValue from '@salesforce/label/c.LeadScore_ColumnValue';
import ColumnEffect from '@salesforce/label/c.LeadScore_ColumnEffect';
import ColumnContribution from '@salesforce/label/c.LeadScore_ColumnContribution';
import ColumnScoreAfter from '@salesforce/label/c.LeadScore_ColumnScoreAfter';
import BaseRow from '@salesforce/label/c.LeadScore_BaseRow';
import ScoreRow from '@salesforce/label/c.LeadScore_ScoreRow';
import NoExplanation from '@salesforce/label/c.LeadScore_NoExplanation';

const LABELS = {
    ColumnInput,
    ColumnValue,
    ColumnEffect,
    ColumnContribution,
    ColumnScoreAfter,
    BaseRow,
    ScoreRow,
    NoExplanation
};

/**
 * Every stored contribution as a waterfall: from the model's base value (the average lead),
 * each input moves the score up or down until it lands on this lead's score.
 * Shown as a table so the numbers are readable by everyone, with bars for the eye.
 */
export default class LeadScoreExplanation extends LightningElement {
    /** A LeadScoreView (baseValue, score, unit, reasons). */
    @api view;

    labels = LABELS;

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
        return formatLabel(WaterfallCaption, this.waterfall.baseText, this.waterfall.scoreText, this.unitLabel);
    }
}
