import { api } from 'lwc';
import LightningModal from 'lightning/modal';

/** The explanation waterfall in a modal, opened from the lead score card. */
export default class LeadScoreExplanationModal extends LightningModal {
    /** A LeadScoreView. */
    @api view;

    handleClose() {
        this.close('closed');
    }
}
