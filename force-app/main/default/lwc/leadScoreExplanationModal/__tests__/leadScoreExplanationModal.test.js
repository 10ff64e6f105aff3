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
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
    });

    it('titles the modal and hands the view to the explanation', () => {
        const element = render();
        expect(element.shadowRoot.querySelector('lightning-modal-header').label).toBe('Why this lead scores 87');
        expect(element.shadowRoot.querySelector('c-lead-score-explanation').view).toEqual(HOT);
    });

    it('closes from the Close button', () => {
        const element = render();
        const handler = jest.fn();
        element.addEventListener('close', handler);
        element.shadowRoot.querySelector('[data-id="close"]').click();
        expect(handler).toHaveBeenCalledTimes(1);
        expect(handler.mock.calls[0][0].detail).toBe('closed');
    });

    it('is accessible', async () => {
        const element = render();
        await expect(element).toBeAccessible();
    });
});
