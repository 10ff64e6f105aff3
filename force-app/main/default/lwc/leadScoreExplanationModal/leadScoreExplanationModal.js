import { api } from 'lwc';
import LightningModal from 'lightning/modal';
import Close from '@salesforce/label/c.LeadScore_Close';

/** The explanation waterfall in a modal, opened from the lead score card. */
export default class LeadScoreExplanationModal extends LightningModal {
    /** A LeadScoreView. */
    @api view;

    labels = { Close };

    handleClose() {
        this.close('closed');
    }
}
