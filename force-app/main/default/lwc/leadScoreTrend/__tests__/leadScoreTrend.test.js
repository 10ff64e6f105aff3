import { createElement } from '@lwc/engine-dom';
import LeadScoreTrend from 'c/leadScoreTrend';

const HISTORY = [
    { scoredAt: '2026-11-02T09:00:00.000Z', scaledScore: 72, modelVersion: '4.1.0', role: 'champion' },
    { scoredAt: '2026-10-01T09:00:00.000Z', scaledScore: 55, modelVersion: '4.0.0', role: 'champion' },
    { scoredAt: '2026-10-20T09:00:00.000Z', scaledScore: 20, modelVersion: '4.0.0', role: 'challenger' },
    { scoredAt: '2026-11-25T14:00:00.000Z', scaledScore: 87, modelVersion: '4.1.0', role: 'champion' }
];

function render(history) {
    const element = createElement('c-lead-score-trend', { is: LeadScoreTrend });
    element.history = history;
    document.body.appendChild(element);
    return element;
}

describe('c-lead-score-trend', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
    });

    it('draws one point per champion score, oldest first, ignoring challenger scores', () => {
        const element = render(HISTORY);
        const points = element.shadowRoot.querySelector('polyline').getAttribute('points').split(' ');
        expect(points).toHaveLength(3);
        const ys = points.map((p) => Number(p.split(',')[1]));
        // higher scores sit higher on the chart (smaller y): 55 -> 72 -> 87
        expect(ys[0]).toBeGreaterThan(ys[1]);
        expect(ys[1]).toBeGreaterThan(ys[2]);
        expect(element.shadowRoot.querySelectorAll('circle')).toHaveLength(3);
    });

    it('says the same thing in words for screen readers and in a caption', () => {
        const element = render(HISTORY);
        const summary = 'Score rose by 32 to 87 over 3 scorings since 2026-10-01 (started at 55).';
        expect(element.shadowRoot.querySelector('[data-id="sparkline"]').getAttribute('aria-label')).toBe(summary);
        expect(element.shadowRoot.querySelector('[data-id="trend-summary"]').textContent).toBe(summary);
        expect(element.shadowRoot.querySelector('[data-id="trend-caption"]').textContent).toBe(
            '\u2191 +32 over 3 scorings'
        );
    });

    it('describes a falling score', () => {
        const element = render([
            { scoredAt: '2026-11-01T00:00:00Z', scaledScore: 60, role: 'champion' },
            { scoredAt: '2026-11-10T00:00:00Z', scaledScore: 45, role: 'champion' }
        ]);
        expect(element.shadowRoot.querySelector('[data-id="trend-caption"]').textContent).toBe(
            '\u2193 -15 over 2 scorings'
        );
    });

    it('renders nothing with fewer than two champion scores', () => {
        const element = render([HISTORY[0], HISTORY[2]]);
        expect(element.shadowRoot.querySelector('[data-id="trend"]')).toBeNull();
    });

    it('is accessible', async () => {
        const element = render(HISTORY);
        await expect(element).toBeAccessible();
    });
});
