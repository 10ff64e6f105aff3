import { LightningElement, api, wire } from 'lwc';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import { refreshApex } from '@salesforce/apex';
import getLeadScore from '@salesforce/apex/LeadScoreController.getLeadScore';
import rescoreLead from '@salesforce/apex/LeadScoreController.rescoreLead';
import LeadScoreExplanationModal from 'c/leadScoreExplanationModal';
import { groupReasons, isNoAccessError, reduceErrors, tierStyle, timeAgo } from 'c/leadScoreUtils';

// While the Queueable scores a lead (status Pending), look again a few times, then stop.
const PENDING_POLL_MS = 5000;
const PENDING_POLL_LIMIT = 6;
const RING_CIRCUMFERENCE = 2 * Math.PI * 42;

/**
 * Lead record page card: the stored score (read with no callout, through the cacheable wire), its reasons
 * and trend, and a Refresh action that rescores through the controller.
 */
export default class LeadScore extends LightningElement {
    @api recordId;
    /** App Builder: how many of the strongest reasons to show. */
    @api reasonCount = 5;
    /** App Builder: smaller card without bars and trend. */
    @api compact = false;

    view;
    loadError;
    isLoading = true;
    isRefreshing = false;
    /** Set when the last rescore failed: the stored score stays visible, marked stale. */
    serviceUnavailable = false;
    pendingPolls = 0;
    pollTimer;
    /** The provisioned wire value, kept for refreshApex. */
    wiredView;

    @wire(getLeadScore, { leadId: '$recordId' })
    wiredLeadScore(result) {
        this.wiredView = result;
        const { data, error } = result;
        if (data) {
            this.view = data;
            this.loadError = undefined;
            this.isLoading = false;
            this.schedulePendingPoll();
        } else if (error) {
            this.loadError = error;
            this.isLoading = false;
        }
    }

    disconnectedCallback() {
        clearTimeout(this.pollTimer);
    }

    /** getLeadScore is cacheable: while the Queueable works (status Pending), ask the server again a few times. */
    schedulePendingPoll() {
        clearTimeout(this.pollTimer);
        if (!this.isPending || this.pendingPolls >= PENDING_POLL_LIMIT) return;
        this.pendingPolls += 1;
        this.pollTimer = setTimeout(() => refreshApex(this.wiredView), PENDING_POLL_MS);
    }

    async handleRefresh() {
        if (this.isRefreshing) return;
        this.isRefreshing = true;
        try {
            this.view = await rescoreLead({ leadId: this.recordId });
            this.serviceUnavailable = false;
            this.loadError = undefined;
            this.pendingPolls = 0;
            this.schedulePendingPoll();
            // Replace the cached getLeadScore answer, so the page shows the new score after navigation too.
            refreshApex(this.wiredView);
        } catch (error) {
            this.serviceUnavailable = true;
            this.dispatchEvent(
                new ShowToastEvent({
                    title: 'Could not rescore this lead',
                    message: reduceErrors(error).join(', ') || 'The scoring service did not answer.',
                    variant: 'error'
                })
            );
        } finally {
            this.isRefreshing = false;
        }
    }

    async handleExplain() {
        await LeadScoreExplanationModal.open({
            size: 'medium',
            label: this.explanationTitle,
            description: 'Every input that moved this lead from the model average to its score.',
            view: this.view
        });
    }

    // ---- states -------------------------------------------------------------------------

    get isNoAccess() {
        return !this.isLoading && !!this.loadError && isNoAccessError(this.loadError);
    }

    get isLoadFailed() {
        return !this.isLoading && !!this.loadError && !this.isNoAccess;
    }

    get loadErrorMessage() {
        return reduceErrors(this.loadError).join(', ') || 'The score could not be read.';
    }

    get hasView() {
        return !this.isLoading && !this.loadError && !!this.view;
    }

    get hasScore() {
        return this.hasView && this.view.hasScore === true;
    }

    get isPending() {
        return this.hasView && this.view.status === 'Pending';
    }

    get isNeverScored() {
        return this.hasView && !this.view.hasScore && !this.isPending;
    }

    get isFirstScoringInProgress() {
        return this.hasView && !this.view.hasScore && this.isPending;
    }

    get isRescoring() {
        return this.hasScore && this.isPending;
    }

    /** LeadScoreView.stale is also true while Pending; that case reads as "rescoring", not as stale. */
    get isStale() {
        if (!this.hasScore) return false;
        if (this.serviceUnavailable || this.view.status === 'Failed') return true;
        return this.view.stale === true && !this.isPending;
    }

    get staleMessage() {
        if (this.serviceUnavailable) {
            return 'The scoring service is unavailable. This is the last stored score and may be out of date.';
        }
        if (this.view.status === 'Failed') {
            return 'The last rescore did not complete. This is the last stored score and may be out of date.';
        }
        return `This score comes from model version ${this.view.modelVersion}, which this org no longer uses. Refresh to rescore.`;
    }

    get refreshLabel() {
        return this.hasScore ? 'Refresh' : 'Score now';
    }

    get refreshDisabled() {
        return this.isRefreshing || this.isLoading || this.isNoAccess;
    }

    // ---- score ----------------------------------------------------------------------------

    get scaled() {
        return Math.round(Number(this.view.scaledScore) || 0);
    }

    get tier() {
        return this.view.tier || 'Unknown';
    }

    get tierStyle() {
        return tierStyle(this.view.tier);
    }

    get ringLabel() {
        return `Score ${this.scaled} out of 100, tier ${this.tier}${this.isStale ? ', may be out of date' : ''}`;
    }

    get ringClass() {
        return `score-ring ${this.tierStyle.ringClass}${this.compact ? ' score-ring_compact' : ''}${this.isStale ? ' score-ring_stale' : ''}`;
    }

    /** A zero-length arc with round caps would still draw a dot; hide it. */
    get ringValueClass() {
        return this.scaled > 0 ? 'score-ring__value' : 'score-ring__value score-ring__value_empty';
    }

    get ringDash() {
        const filled = (Math.min(100, Math.max(0, this.scaled)) / 100) * RING_CIRCUMFERENCE;
        return `${filled.toFixed(2)} ${RING_CIRCUMFERENCE.toFixed(2)}`;
    }

    get decileLabel() {
        return `Decile ${this.view.decile} of 10`;
    }

    get probabilityText() {
        const score = Number(this.view.score);
        if (!Number.isFinite(score)) return '';
        return this.view.unit === 'log-count'
            ? `Expected ${score.toFixed(2)}`
            : `${(score * 100).toFixed(1)}% likely to convert`;
    }

    get modelText() {
        const name = this.view.modelName || 'model';
        return this.view.modelVersion ? `${name} ${this.view.modelVersion}` : name;
    }

    get scoredAgo() {
        const ago = timeAgo(this.view.scoredAt, Date.now());
        return ago ? `Scored ${ago}` : 'Scoring time unknown';
    }

    get scoredAtTitle() {
        return this.view.scoredAt ? new Date(this.view.scoredAt).toLocaleString() : '';
    }

    // ---- reasons --------------------------------------------------------------------------

    get reasonLimit() {
        const n = parseInt(this.reasonCount, 10);
        return Number.isFinite(n) ? Math.min(10, Math.max(1, n)) : 5;
    }

    get groups() {
        return groupReasons(this.view.reasons, this.reasonLimit);
    }

    get raises() {
        return this.groups.raises;
    }

    get lowers() {
        return this.groups.lowers;
    }

    get hasReasons() {
        return this.raises.length + this.lowers.length > 0;
    }

    /** The two reason lists in display order; one template renders both. */
    get reasonGroups() {
        return [
            { id: 'raises', heading: 'What raises the score', headingIcon: 'utility:arrowup', reasons: this.raises },
            { id: 'lowers', heading: 'What lowers the score', headingIcon: 'utility:arrowdown', reasons: this.lowers }
        ].map((group, index) => ({
            ...group,
            headingId: `${group.id}-heading`,
            sectionClass: index === 0 ? 'reason-group' : 'reason-group slds-m-top_small',
            iconClass: `reason__icon reason__icon_${group.id}`,
            hasReasons: group.reasons.length > 0,
            emptyText: `None of the top reasons ${group.id === 'raises' ? 'raise' : 'lower'} this score.`
        }));
    }

    get showBars() {
        return !this.compact;
    }

    get showTrend() {
        return !this.compact && Array.isArray(this.view.history) && this.view.history.length > 1;
    }

    get explanationTitle() {
        return `Why this lead scores ${this.scaled}`;
    }

    get cardClass() {
        return this.compact ? 'lead-score lead-score_compact' : 'lead-score';
    }
}
