import { createElement } from '@lwc/engine-dom';
import LeadScore from 'c/leadScore';
import LeadScoreExplanationModal from 'c/leadScoreExplanationModal';
const ShowToastEventName = 'lightning__showtoast';
import getLeadScore from '@salesforce/apex/LeadScoreController.getLeadScore';
import rescoreLead from '@salesforce/apex/LeadScoreController.rescoreLead';
import { refreshApex } from '@salesforce/apex';
import { notifyRecordUpdateAvailable } from 'lightning/uiRecordApi';
const { readCustomLabels } = require('../../../../../test/customLabels');

const HOT = require('./data/hotLead.json');
const COLD = require('./data/coldLead.json');
const NEVER_SCORED = require('./data/neverScored.json');
const PENDING_FIRST = require('./data/pendingFirstScore.json');
const PENDING_RESCORE = require('./data/pendingRescore.json');
const STALE = require('./data/staleLead.json');
const RESCORED = require('./data/rescoredHotLead.json');
const LABELS = readCustomLabels();

// getLeadScore is cacheable and wired; rescoreLead is imperative.
jest.mock(
    '@salesforce/apex/LeadScoreController.getLeadScore',
    () => {
        // Straight from wire-service-jest-util (what sfdx-lwc-jest re-exports): sfdx-lwc-jest's index also
        // requires @lwc/state-test-utils, which cannot be required when jest runs with
        // --experimental-vm-modules (the root test script sets it for the ESM sf plugin).
        const { createApexTestWireAdapter } = require('@salesforce/wire-service-jest-util');
        return { default: createApexTestWireAdapter(jest.fn()) };
    },
    { virtual: true }
);
jest.mock('@salesforce/apex/LeadScoreController.rescoreLead', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex', () => ({ refreshApex: jest.fn(() => Promise.resolve()) }), { virtual: true });

const NOW = new Date('2026-11-25T14:12:00.000Z').getTime();
const NO_ACCESS_MESSAGE =
    'You do not have access to lead scores. Ask your admin for the Lead Scoring User permission set.';

// Lets pending promises (imperative Apex) settle and the component re-render.
async function flushPromises() {
    for (let i = 0; i < 5; i++) {
        await Promise.resolve();
    }
}

/** Mounts the card and provisions the wire with a stored view, or with an Apex error ({ error: message }). */
async function render(provision, props = {}) {
    const element = createElement('c-lead-score', { is: LeadScore });
    Object.assign(element, { recordId: HOT.leadId }, props);
    document.body.appendChild(element);
    if (provision && provision.error) {
        getLeadScore.error({ message: provision.error });
    } else if (provision) {
        getLeadScore.emit(provision);
    }
    await flushPromises();
    return element;
}

const q = (element, selector) => element.shadowRoot.querySelector(selector);
const qa = (element, selector) => Array.from(element.shadowRoot.querySelectorAll(selector));
const reasonTexts = (element, group) =>
    qa(element, `section[data-id="${group}"] [data-id="reason-text"]`).map((n) => n.textContent);

describe('c-lead-score', () => {
    beforeEach(() => {
        jest.spyOn(Date, 'now').mockReturnValue(NOW);
        LeadScoreExplanationModal.reset();
    });

    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
        jest.restoreAllMocks();
        jest.useRealTimers();
    });

    describe('a scored lead', () => {
        it('reads the stored score for its record id', async () => {
            await render(HOT);
            expect(getLeadScore.getLastConfig()).toEqual({ leadId: HOT.leadId });
            expect(rescoreLead).not.toHaveBeenCalled();
        });

        it('shows the scaled score in a ring labelled with score and tier', async () => {
            const element = await render(HOT);
            const ring = q(element, '[data-id="ring"]');
            expect(ring.getAttribute('aria-label')).toBe('Score 87 out of 100, tier Hot');
            expect(ring.querySelector('text').textContent).toBe('87');
            const dash = ring
                .querySelector('.score-ring__value')
                .getAttribute('stroke-dasharray')
                .split(' ')
                .map(Number);
            expect(dash[0] / dash[1]).toBeCloseTo(0.87, 3);
        });

        it('draws no arc for a score of zero', async () => {
            const element = await render({ ...COLD, scaledScore: 0 });
            expect(q(element, '[data-id="ring"]').getAttribute('aria-label')).toBe('Score 0 out of 100, tier Cold');
            expect(q(element, '.score-ring__value').getAttribute('class')).toContain('score-ring__value_empty');
        });

        it('shows tier and decile badges as text', async () => {
            const element = await render(HOT);
            expect(q(element, '[data-id="tier"]').textContent.trim()).toBe('Hot');
            expect(q(element, '[data-id="tier"]').className).toContain('tier-hot');
            expect(q(element, '[data-id="decile"]').textContent).toBe('Decile 10 of 10');
        });

        it('shows the model version and how long ago it was scored', async () => {
            const element = await render(HOT);
            expect(q(element, '[data-id="model"]').textContent).toBe('Model lead-scoring 4.1.0');
            expect(q(element, '[data-id="scored-ago"]').textContent).toBe('Scored 12 minutes ago');
            expect(q(element, '[data-id="probability"]').textContent).toBe('41.2% likely to convert');
        });

        it('groups the strongest reasons into raises and lowers, each in order of strength, with the service phrasing', async () => {
            const element = await render(HOT);
            expect(reasonTexts(element, 'raises')).toEqual([
                'Mobility score is 88',
                'Lead source is Referral',
                'Email clicks (90 days) is 9'
            ]);
            expect(reasonTexts(element, 'lowers')).toEqual([
                'Phone is missing',
                'Tenure at current firm is 140 months'
            ]);
        });

        it('draws bars proportional to each contribution, the strongest at full width', async () => {
            const element = await render(HOT);
            const widths = qa(element, '.reason-bar').map((bar) => parseInt(bar.style.width, 10));
            // order: raises 1.21, 0.74, 0.41 then lowers 0.52, 0.18 (of max 1.21)
            expect(widths).toEqual([100, 61, 34, 43, 15]);
            expect(qa(element, '.reason-bar_lowers')).toHaveLength(2);
        });

        it('marks direction with an icon and text, not colour alone', async () => {
            const element = await render(HOT);
            const raiseIcon = q(element, 'li[data-direction="raises"] lightning-icon');
            const lowerIcon = q(element, 'li[data-direction="lowers"] lightning-icon');
            expect(raiseIcon.iconName).toBe('utility:arrowup');
            expect(raiseIcon.alternativeText).toBe('Raises the score');
            expect(lowerIcon.iconName).toBe('utility:arrowdown');
            expect(lowerIcon.alternativeText).toBe('Lowers the score');
            expect(q(element, 'section[data-id="raises"] h3').textContent).toContain('What raises the score');
        });

        it('shows only as many reasons as App Builder asks for', async () => {
            const element = await render(HOT, { reasonCount: 2 });
            expect(reasonTexts(element, 'raises')).toEqual(['Mobility score is 88', 'Lead source is Referral']);
            expect(reasonTexts(element, 'lowers')).toEqual([]);
            expect(q(element, 'section[data-id="lowers"] p').textContent).toBe(
                'None of the top reasons lower this score.'
            );
        });

        it('drops bars and the trend in the compact layout but keeps the reasons', async () => {
            const element = await render(HOT, { compact: true });
            expect(qa(element, '.reason-bar')).toHaveLength(0);
            expect(q(element, 'c-lead-score-trend')).toBeNull();
            expect(reasonTexts(element, 'raises')).toHaveLength(3);
            expect(q(element, '[data-id="ring"]').getAttribute('class')).toContain('score-ring_compact');
        });

        it('passes the score history to the trend', async () => {
            const element = await render(HOT);
            const trend = q(element, 'c-lead-score-trend');
            expect(trend).not.toBeNull();
            expect(trend.history).toEqual(HOT.history);
        });

        it('shows no trend when there is no history', async () => {
            const element = await render(COLD);
            expect(q(element, 'c-lead-score-trend')).toBeNull();
            expect(q(element, '[data-id="tier"]').textContent.trim()).toBe('Cold');
            expect(reasonTexts(element, 'raises')).toEqual([]);
            expect(reasonTexts(element, 'lowers')).toHaveLength(3);
        });

        it('opens the explanation modal with the whole view', async () => {
            const element = await render(HOT);
            q(element, '[data-id="explain"]').click();
            await flushPromises();
            expect(LeadScoreExplanationModal.openCalls).toHaveLength(1);
            expect(LeadScoreExplanationModal.openCalls[0]).toMatchObject({
                size: 'medium',
                label: 'Why this lead scores 87',
                view: HOT
            });
        });

        it('is accessible', async () => {
            const element = await render(HOT);
            await expect(element).toBeAccessible();
        });
    });

    describe('Refresh', () => {
        const REQUESTED_AT = new Date(NOW).toISOString();
        const requested = (view) => ({ ...view, rescoreRequestedAt: REQUESTED_AT });
        const REFUSAL = {
            body: { message: 'This lead was scored less than 5 minutes ago. You can refresh it again in 3 min.' },
            ok: false,
            status: 400,
            statusText: 'Bad Request'
        };

        it('asks for a new score, shows it as requested, and picks up the new one when it is stored', async () => {
            jest.useFakeTimers({ now: NOW });
            rescoreLead.mockResolvedValue(requested(HOT));
            const element = await render(HOT);
            const button = q(element, '[data-id="refresh"]');
            expect(button.label).toBe('Refresh');
            button.click();
            await flushPromises();
            expect(rescoreLead).toHaveBeenCalledWith({ leadId: HOT.leadId });
            expect(q(element, '[data-id="refresh-requested"]').textContent).toContain('New score requested');
            expect(q(element, '[data-id="ring"]').getAttribute('aria-label')).toBe('Score 87 out of 100, tier Hot');
            expect(q(element, '[data-id="refresh"]').disabled).toBe(true);

            jest.advanceTimersByTime(1000);
            expect(refreshApex).toHaveBeenCalledTimes(1);
            getLeadScore.emit(HOT);
            await flushPromises();
            expect(q(element, '[data-id="refresh-requested"]')).not.toBeNull();
            expect(notifyRecordUpdateAvailable).not.toHaveBeenCalled();

            jest.advanceTimersByTime(2000);
            expect(refreshApex).toHaveBeenCalledTimes(2);
            getLeadScore.emit(RESCORED);
            await flushPromises();
            expect(q(element, '[data-id="refresh-requested"]')).toBeNull();
            expect(q(element, '[data-id="ring"]').getAttribute('aria-label')).toBe('Score 90 out of 100, tier Hot');
            expect(q(element, '[data-id="scored-ago"]').textContent).toBe('Scored just now');
            expect(notifyRecordUpdateAvailable).toHaveBeenCalledWith([{ recordId: HOT.leadId }]);
            expect(q(element, '[data-id="refresh"]').disabled).toBe(false);
            jest.advanceTimersByTime(60000);
            expect(refreshApex).toHaveBeenCalledTimes(2);
        });

        it('stops waiting after a bounded number of looks and says the new score is taking longer', async () => {
            jest.useFakeTimers({ now: NOW });
            rescoreLead.mockResolvedValue(requested(HOT));
            refreshApex.mockImplementation(() => {
                getLeadScore.emit({ ...HOT });
                return Promise.resolve();
            });
            const element = await render(HOT);
            q(element, '[data-id="refresh"]').click();
            await flushPromises();
            for (let i = 0; i < 12; i++) {
                jest.advanceTimersByTime(13000);
                await flushPromises();
            }
            expect(refreshApex).toHaveBeenCalledTimes(6);
            expect(q(element, '[data-id="refresh-requested"]')).toBeNull();
            expect(q(element, '[data-id="refresh-slow"]').textContent).toContain('taking longer than usual');
            expect(q(element, '[data-id="refresh"]').disabled).toBe(false);
        });

        it('marks the score stale when the requested rescore fails', async () => {
            jest.useFakeTimers({ now: NOW });
            rescoreLead.mockResolvedValue(requested(HOT));
            const element = await render(HOT);
            q(element, '[data-id="refresh"]').click();
            await flushPromises();
            jest.advanceTimersByTime(1000);
            getLeadScore.emit({ ...HOT, status: 'Failed', stale: true });
            await flushPromises();
            expect(q(element, '[data-id="refresh-requested"]')).toBeNull();
            expect(q(element, '[data-id="stale"]').textContent).toContain('The last rescore did not complete');
            expect(q(element, '[data-id="stale-badge"]').textContent).toBe('Stale');
            expect(q(element, '[data-id="ring"]').getAttribute('aria-label')).toBe(
                'Score 87 out of 100, tier Hot, may be out of date'
            );
        });

        it('shows a spinner and disables the button while the request is made', async () => {
            let finish;
            rescoreLead.mockReturnValue(new Promise((resolve) => (finish = resolve)));
            const element = await render(HOT);
            q(element, '[data-id="refresh"]').click();
            await flushPromises();
            expect(q(element, '[data-id="refreshing"]')).not.toBeNull();
            expect(q(element, '[data-id="refresh"]').disabled).toBe(true);
            finish(requested(HOT));
            await flushPromises();
            expect(q(element, '[data-id="refreshing"]')).toBeNull();
            expect(q(element, '[data-id="refresh-requested"]')).not.toBeNull();
        });

        it('shows a refusal as a toast and under the score, and keeps the score as it was', async () => {
            rescoreLead.mockRejectedValue(REFUSAL);
            const element = await render(HOT);
            const toastHandler = jest.fn();
            element.addEventListener(ShowToastEventName, toastHandler);
            q(element, '[data-id="refresh"]').click();
            await flushPromises();
            expect(toastHandler).toHaveBeenCalledTimes(1);
            expect(toastHandler.mock.calls[0][0].detail).toEqual({
                title: 'Could not rescore this lead',
                message: REFUSAL.body.message,
                variant: 'error'
            });
            expect(q(element, '[data-id="refresh-refused"]').textContent).toContain(
                'You can refresh it again in 3 min.'
            );
            expect(q(element, '[data-id="stale"]')).toBeNull();
            expect(q(element, '[data-id="ring"]').getAttribute('aria-label')).toBe('Score 87 out of 100, tier Hot');
            expect(refreshApex).not.toHaveBeenCalled();
            expect(q(element, '[data-id="refresh"]').disabled).toBe(false);
        });

        it('clears the refusal when a later Refresh is accepted', async () => {
            rescoreLead.mockRejectedValueOnce(REFUSAL).mockResolvedValueOnce(requested(HOT));
            const element = await render(HOT);
            q(element, '[data-id="refresh"]').click();
            await flushPromises();
            expect(q(element, '[data-id="refresh-refused"]')).not.toBeNull();
            q(element, '[data-id="refresh"]').click();
            await flushPromises();
            expect(q(element, '[data-id="refresh-refused"]')).toBeNull();
            expect(q(element, '[data-id="refresh-requested"]')).not.toBeNull();
        });

        it('is accessible while a new score is requested and after a refusal', async () => {
            rescoreLead.mockResolvedValueOnce(requested(HOT)).mockRejectedValueOnce(REFUSAL);
            const element = await render(HOT);
            q(element, '[data-id="refresh"]').click();
            await flushPromises();
            await expect(element).toBeAccessible();
            document.body.removeChild(element);
            const refused = await render(HOT);
            q(refused, '[data-id="refresh"]').click();
            await flushPromises();
            await expect(refused).toBeAccessible();
        });
    });

    describe('labels', () => {
        it('shows the texts of force-app Custom Labels, not the label names', async () => {
            const element = await render(NEVER_SCORED);
            expect(q(element, 'lightning-card').title).toBe(LABELS.LeadScore_CardTitle);
            expect(q(element, '[data-id="never-scored"]').textContent.trim()).toBe(LABELS.LeadScore_NeverScored);
            expect(q(element, '[data-id="refresh"]').label).toBe(LABELS.LeadScore_ScoreNow);
            expect(element.shadowRoot.textContent).not.toMatch(/\bc\.LeadScore_/);
        });

        it("fills placeholders of a label with the view's values", async () => {
            const element = await render(HOT);
            expect(q(element, '[data-id="decile"]').textContent).toBe(
                LABELS.LeadScore_Decile.replace('{0}', String(HOT.decile))
            );
        });
    });

    describe('hidden reasons', () => {
        it('shows the neutral text for a reason whose field the rep cannot read, and no value', async () => {
            const hiddenText = LABELS.LeadScore_HiddenReasonText;
            const view = {
                ...HOT,
                reasons: HOT.reasons.map((reason, index) =>
                    index === 0
                        ? {
                              ...reason,
                              value: null,
                              label: LABELS.LeadScore_HiddenReasonLabel,
                              text: hiddenText,
                              hidden: true
                          }
                        : reason
                )
            };
            const element = await render(view);
            const texts = [...reasonTexts(element, 'raises'), ...reasonTexts(element, 'lowers')];
            expect(texts).toContain(hiddenText);
            expect(texts).not.toContain(HOT.reasons[0].text);
            await expect(element).toBeAccessible();
        });
    });

    describe('states', () => {
        it('says so when the lead was never scored, and Score now shows the first score in progress', async () => {
            jest.useFakeTimers({ now: NOW });
            rescoreLead.mockResolvedValue({ ...NEVER_SCORED, rescoreRequestedAt: new Date(NOW).toISOString() });
            const element = await render(NEVER_SCORED);
            expect(q(element, '[data-id="never-scored"]').textContent).toContain("This lead hasn't been scored yet.");
            expect(q(element, '[data-id="ring"]')).toBeNull();
            const button = q(element, '[data-id="refresh"]');
            expect(button.label).toBe('Score now');
            button.click();
            await flushPromises();
            expect(q(element, '[data-id="never-scored"]')).toBeNull();
            expect(q(element, '[data-id="pending"]').textContent).toContain('Scoring in progress');
            jest.advanceTimersByTime(1000);
            getLeadScore.emit(RESCORED);
            await flushPromises();
            expect(q(element, '[data-id="ring"]').getAttribute('aria-label')).toBe('Score 90 out of 100, tier Hot');
        });

        it('shows scoring in progress for a first score and asks the server again until it lands', async () => {
            jest.useFakeTimers({ now: NOW });
            const element = await render(PENDING_FIRST);
            expect(q(element, '[data-id="pending"]').textContent).toContain('Scoring in progress');
            expect(refreshApex).not.toHaveBeenCalled();
            jest.advanceTimersByTime(5000);
            expect(refreshApex).toHaveBeenCalledTimes(1);
            getLeadScore.emit(HOT);
            await flushPromises();
            expect(q(element, '[data-id="pending"]')).toBeNull();
            expect(q(element, '[data-id="ring"]')).not.toBeNull();
        });

        it('stops asking after a bounded number of polls', async () => {
            jest.useFakeTimers({ now: NOW });
            refreshApex.mockImplementation(() => {
                getLeadScore.emit({ ...PENDING_FIRST });
                return Promise.resolve();
            });
            await render(PENDING_FIRST);
            for (let i = 0; i < 10; i++) {
                jest.advanceTimersByTime(5000);
                await flushPromises();
            }
            expect(refreshApex).toHaveBeenCalledTimes(6);
        });

        it('keeps the previous score visible while a rescore is pending', async () => {
            const element = await render(PENDING_RESCORE);
            expect(q(element, '[data-id="rescoring"]').textContent).toContain('Rescoring in progress');
            expect(q(element, '[data-id="ring"]').getAttribute('aria-label')).toBe('Score 87 out of 100, tier Hot');
        });

        it('reads a pending rescore as rescoring, not as stale', async () => {
            const element = await render(PENDING_RESCORE);
            expect(PENDING_RESCORE.stale).toBe(true);
            expect(q(element, '[data-id="rescoring"]')).not.toBeNull();
            expect(q(element, '[data-id="stale"]')).toBeNull();
        });

        it('marks a score from a model version the org no longer uses as stale', async () => {
            const element = await render({ ...HOT, stale: true, modelVersion: '4.0.0' });
            expect(q(element, '[data-id="stale"]').textContent).toContain(
                'model version 4.0.0, which this org no longer uses'
            );
            expect(q(element, '[data-id="stale-badge"]')).not.toBeNull();
        });

        it('shows the last stored score marked stale when the last scoring failed', async () => {
            const element = await render(STALE);
            expect(q(element, '[data-id="stale"]').textContent).toContain('last stored score');
            expect(q(element, '[data-id="stale-badge"]')).not.toBeNull();
            expect(reasonTexts(element, 'raises')[0]).toBe('Mobility score is 88');
        });

        it('shows a no-access message and disables Refresh when the user may not read the score', async () => {
            const element = await render({ error: NO_ACCESS_MESSAGE });
            expect(q(element, '[data-id="no-access"]').textContent).toContain(
                "You don't have access to this lead's score."
            );
            expect(q(element, '[data-id="refresh"]').disabled).toBe(true);
            expect(q(element, '[data-id="ring"]')).toBeNull();
        });

        it('shows the error message when the score cannot be read for another reason', async () => {
            const element = await render({ error: 'List has no rows for assignment to SObject' });
            expect(q(element, '[data-id="load-error"]').textContent).toContain(
                'List has no rows for assignment to SObject'
            );
            expect(q(element, '[data-id="no-access"]')).toBeNull();
        });

        it.each([
            ['never scored', NEVER_SCORED],
            ['scoring in progress', PENDING_FIRST],
            ['stale', STALE],
            ['cold', COLD]
        ])('is accessible when %s', async (_name, view) => {
            const element = await render(view);
            await expect(element).toBeAccessible();
        });

        it('is accessible without access', async () => {
            const element = await render({ error: NO_ACCESS_MESSAGE });
            await expect(element).toBeAccessible();
        });
    });
});
