import {
    buildTrend,
    buildWaterfall,
    formatScore,
    formatSigned,
    formatLabel,
    formatValue,
    groupReasons,
    isNoAccessError,
    marginToScore,
    reduceErrors,
    scoreToMargin,
    tierStyle,
    timeAgo
} from 'c/leadScoreUtils';

const NOW = Date.parse('2026-11-25T12:00:00Z');

describe('c/leadScoreUtils', () => {
    describe('formatLabel', () => {
        it('fills numbered placeholders in any order, as Apex String.format does', () => {
            expect(formatLabel('Score {0} out of 100, tier {1}', 72, 'Hot')).toBe('Score 72 out of 100, tier Hot');
            expect(formatLabel('{1} before {0}', 'a', 'b')).toBe('b before a');
        });

        it('leaves a placeholder without a value as it is, so a missing value is visible', () => {
            expect(formatLabel('Decile {0} of {1}', 9)).toBe('Decile 9 of {1}');
        });
    });

    describe('hidden reasons in the waterfall', () => {
        it('shows the Hidden label instead of a value for a reason the rep may not see quoted', () => {
            const { readCustomLabels } = require('../../../../../test/customLabels');
            const waterfall = buildWaterfall({
                baseValue: -1,
                score: 0.5,
                unit: 'log-odds',
                reasons: [
                    {
                        input: 'industry',
                        label: 'A field you cannot see',
                        value: null,
                        contribution: 0.6,
                        hidden: true
                    },
                    { input: 'firm_type', label: 'Firm type', value: 'RIA', contribution: 0.4 }
                ]
            });
            expect(waterfall.steps[0].value).toBe(readCustomLabels().LeadScore_HiddenValue);
            expect(waterfall.steps[1].value).toBe('RIA');
        });
    });

    describe('timeAgo', () => {
        it.each([
            ['2026-11-25T11:59:30Z', 'just now'],
            ['2026-11-25T11:59:00Z', '1 minute ago'],
            ['2026-11-25T11:48:00Z', '12 minutes ago'],
            ['2026-11-25T09:00:00Z', '3 hours ago'],
            ['2026-11-24T12:00:00Z', '1 day ago'],
            ['2026-11-20T12:00:00Z', '5 days ago']
        ])('phrases %s as "%s"', (when, phrase) => {
            expect(timeAgo(when, NOW)).toBe(phrase);
        });

        it('returns an empty string for a missing or invalid time', () => {
            expect(timeAgo(null, NOW)).toBe('');
            expect(timeAgo('not a date', NOW)).toBe('');
        });
    });

    describe('reduceErrors and isNoAccessError', () => {
        it('reads Apex, JS and array errors', () => {
            expect(reduceErrors({ body: { message: 'Apex says no' } })).toEqual(['Apex says no']);
            expect(reduceErrors(new Error('boom'))).toEqual(['boom']);
            expect(reduceErrors([{ body: [{ message: 'a' }, { message: 'b' }] }])).toEqual(['a, b']);
            expect(reduceErrors(undefined)).toEqual([]);
        });

        it('recognises access errors by type, status or message, and nothing else', () => {
            expect(isNoAccessError({ body: { exceptionType: 'System.NoAccessException', message: 'x' } })).toBe(true);
            expect(isNoAccessError({ status: 403, body: { message: 'Forbidden' } })).toBe(true);
            expect(isNoAccessError({ body: { message: "You don't have access to lead scores." } })).toBe(true);
            expect(isNoAccessError({ body: { message: 'Insufficient access rights on object id' } })).toBe(true);
            expect(isNoAccessError({ body: { message: 'The scoring service is unavailable.' } })).toBe(false);
            expect(isNoAccessError(undefined)).toBe(false);
        });
    });

    describe('groupReasons', () => {
        const reasons = [
            { input: 'a', label: 'A', value: 1, contribution: -0.2, direction: 'lowers', text: 'A is 1' },
            { input: 'b', label: 'B', value: 'x', contribution: 0.8, direction: 'raises', text: 'B is x' },
            { input: 'c', label: 'C', value: null, contribution: -0.4, text: '' },
            { input: 'd', label: 'D', value: 2, contribution: 0.1, direction: 'raises', text: 'D is 2' }
        ];

        it('keeps the strongest N, splits by direction and scales bars to the strongest', () => {
            const groups = groupReasons(reasons, 3);
            expect(groups.raises.map((r) => r.input)).toEqual(['b']);
            expect(groups.lowers.map((r) => r.input)).toEqual(['c', 'a']);
            expect(groups.raises[0].barPercent).toBe(100);
            expect(groups.lowers.map((r) => r.barPercent)).toEqual([50, 25]);
        });

        it('infers direction from the sign and phrases a reason that has no text', () => {
            const groups = groupReasons(reasons, 4);
            expect(groups.lowers[0]).toMatchObject({
                direction: 'lowers',
                text: 'C is missing',
                icon: 'utility:arrowdown'
            });
        });

        it('handles no reasons', () => {
            expect(groupReasons(undefined, 5)).toMatchObject({ raises: [], lowers: [] });
        });
    });

    describe('formatting', () => {
        it('formats signed numbers, values and scores', () => {
            expect(formatSigned(0.456)).toBe('+0.46');
            expect(formatSigned(-0.456)).toBe('\u22120.46');
            expect(formatSigned(0.001)).toBe('0.00');
            expect(formatValue(true)).toBe('Yes');
            expect(formatValue(false)).toBe('No');
            expect(formatValue(null)).toBe('missing');
            expect(formatValue(3.14159)).toBe('3.14');
            expect(formatScore(0.4123, 'log-odds')).toBe('41.2%');
            expect(formatScore(0.0034, 'log-odds')).toBe('0.34%');
            expect(formatScore(2.5, 'log-count')).toBe('2.50');
        });

        it('inverts the link functions', () => {
            expect(marginToScore(scoreToMargin(0.03, 'log-odds'), 'log-odds')).toBeCloseTo(0.03, 12);
            expect(marginToScore(scoreToMargin(4.2, 'log-count'), 'log-count')).toBeCloseTo(4.2, 12);
        });

        it('styles tiers and falls back for unknown ones', () => {
            expect(tierStyle('Hot').badgeClass).toContain('tier-hot');
            expect(tierStyle('warm').ringClass).toBe('ring-warm');
            expect(tierStyle(undefined).ringClass).toBe('ring-unknown');
        });
    });

    describe('buildWaterfall', () => {
        it('ends exactly at the score margin, for count models too', () => {
            const view = {
                baseValue: 0.5,
                score: Math.exp(0.5 + 0.3 - 0.1 + 0.05),
                unit: 'log-count',
                reasons: [
                    { input: 'x', label: 'X', value: 1, contribution: 0.3 },
                    { input: 'y', label: 'Y', value: 2, contribution: -0.1 }
                ]
            };
            const w = buildWaterfall(view);
            expect(w.steps.map((s) => s.label)).toEqual(['X', 'Y', 'All other inputs']);
            expect(w.steps[2].contributionText).toBe('+0.05');
            expect(w.scoreText).toBe(Math.exp(0.75).toFixed(2));
        });

        it('returns null without a base value', () => {
            expect(buildWaterfall({ score: 0.2, reasons: [] })).toBeNull();
        });
    });

    describe('buildTrend', () => {
        it('needs two champion points', () => {
            expect(buildTrend([{ scoredAt: '2026-01-01', scaledScore: 3, role: 'champion' }])).toBeNull();
        });

        it('keeps a flat trend flat', () => {
            const t = buildTrend([
                { scoredAt: '2026-01-01T00:00:00Z', scaledScore: 40 },
                { scoredAt: '2026-01-05T00:00:00Z', scaledScore: 40 }
            ]);
            expect(t.direction).toBe('flat');
            expect(t.summary).toBe('Score stayed at 40 over 2 scorings since 2026-01-01 (started at 40).');
        });
    });
});
