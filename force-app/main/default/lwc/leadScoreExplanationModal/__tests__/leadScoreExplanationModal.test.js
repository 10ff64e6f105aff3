import { createElement } from '@lwc/engine-dom';
import LeadScoreExplanationModal from 'c/leadScoreExplanationModal';

const HOT = require('../../leadScore/__tests__/data/hotLead.json');

function render() {
    const element = createElement('c-lead-score-explanation-modal', { is: LeadScoreExplanationModal });
    element.label = 'Why this lead scores 87';
    element.view = HOT;
    document.body.appendChild(element);
    return element;
}

describe('c-lead-score-explanation-modal', () => {
    afterEach(() => {
        LeadScoreExplanationModal.reset();
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
    });

    it('titles the modal and hands the view to the explanation', () => {
        const element = render();
        expect(element.shadowRoot.querySelector('lightning-modal-header').label).toBe('Why this lead scores 87');
        expect(element.shadowRoot.querySelector('c-lead-score-explanation').view).toEqual(HOT);
    });

    it('closes from the Close button with the result "closed"', () => {
        const element = render();
        const closing = jest.fn();
        // LightningModal.close(result) asks its container to close through this bubbling event.
        document.body.addEventListener('privateclose', closing);
        element.shadowRoot.querySelector('[data-id="close"]').click();
        document.body.removeEventListener('privateclose', closing);
        expect(closing).toHaveBeenCalledTimes(1);
        expect(LeadScoreExplanationModal.closeCalls).toEqual(['closed']);
    });

    it('stays open while closing is disabled', () => {
        const element = render();
        element.disableClose = true;
        element.shadowRoot.querySelector('[data-id="close"]').click();
        expect(LeadScoreExplanationModal.closeCalls).toEqual([]);
    });

    it('is accessible', async () => {
        const element = render();
        await expect(element).toBeAccessible();
    });
});
