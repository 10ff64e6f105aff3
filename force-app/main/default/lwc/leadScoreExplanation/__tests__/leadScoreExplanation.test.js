import { createElement } from '@lwc/engine-dom';
import LeadScoreExplanation from 'c/leadScoreExplanation';

const HOT = require('../../leadScore/__tests__/data/hotLead.json');

function render(view) {
    const element = createElement('c-lead-score-explanation', { is: LeadScoreExplanation });
    element.view = view;
    document.body.appendChild(element);
    return element;
}

const rows = (element) => Array.from(element.shadowRoot.querySelectorAll('tr[data-id="step"]'));
const cell = (row, id) => row.querySelector(`[data-id="${id}"]`).textContent;

describe('c-lead-score-explanation', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
    });

    it('walks from the base value through every stored contribution in order, with the input values', () => {
        const element = render(HOT);
        const steps = rows(element);
        const labels = steps.map((r) => cell(r, 'step-label'));
        expect(labels.slice(0, 6)).toEqual([
            'Mobility score',
            'Lead source',
            'Phone',
            'Email clicks (90 days)',
            'Tenure at current firm',
            'Website visits (30 days)'
        ]);
        expect(steps.slice(0, 6).map((r) => cell(r, 'step-value'))).toEqual([
            '88',
            'Referral',
            'missing',
            '9',
            '140',
            '6'
        ]);
        expect(steps.slice(0, 6).map((r) => cell(r, 'step-contribution'))).toEqual([
            '+1.21',
            '+0.74',
            '\u22120.52',
            '+0.41',
            '\u22120.18',
            '+0.12'
        ]);
        expect(steps.slice(0, 6).map((r) => r.dataset.direction)).toEqual([
            'raises',
            'raises',
            'lowers',
            'raises',
            'lowers',
            'raises'
        ]);
    });

    it('adds one step for the inputs the stored top reasons leave out, so the walk ends at the score', () => {
        const element = render(HOT);
        const steps = rows(element);
        const other = steps[steps.length - 1];
        expect(cell(other, 'step-label')).toBe('All other inputs');
        // margin(0.412) - base(-3.35) - sum(shown 1.78) = -0.3868 + 3.35 - 1.78
        const margin = Math.log(0.412 / 0.588);
        const expected = margin + 3.35 - 1.78;
        expect(cell(other, 'step-contribution')).toBe((expected < 0 ? '\u2212' : '+') + Math.abs(expected).toFixed(2));
        expect(element.shadowRoot.querySelector('[data-id="score-after"]').textContent).toBe('41.2%');
    });

    it('has no extra step when the reasons cover the whole margin', () => {
        const reasons = [{ input: 'a', label: 'A', value: 1, contribution: 1, direction: 'raises', text: 'A is 1' }];
        const score = 1 / (1 + Math.exp(-(-2 + 1)));
        const element = render({ baseValue: -2, score, unit: 'log-odds', reasons });
        expect(rows(element)).toHaveLength(1);
    });

    it('places each bar where the previous step ended', () => {
        const reasons = [
            { input: 'a', label: 'A', value: 1, contribution: 2, direction: 'raises', text: '' },
            { input: 'b', label: 'B', value: 2, contribution: -1, direction: 'lowers', text: '' }
        ];
        const score = 1 / (1 + Math.exp(-(0 + 2 - 1)));
        const element = render({ baseValue: 0, score, unit: 'log-odds', reasons });
        const bars = rows(element).map((r) => r.querySelector('.waterfall-bar').style);
        // span 0..2: A from 0% to 100%, B from 50% to 100%
        expect([parseFloat(bars[0].left), parseFloat(bars[0].width)]).toEqual([0, 100]);
        expect([parseFloat(bars[1].left), parseFloat(bars[1].width)]).toEqual([50, 50]);
    });

    it('says when nothing was stored', () => {
        const element = render({ hasScore: true, baseValue: null, score: 0.2, reasons: [] });
        expect(element.shadowRoot.querySelector('[data-id="no-explanation"]')).not.toBeNull();
    });

    it('is accessible', async () => {
        const element = render(HOT);
        await expect(element).toBeAccessible();
    });
});
