import { LightningElement, api, wire } from 'lwc';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import { notifyRecordUpdateAvailable } from 'lightning/uiRecordApi';
import { refreshApex } from '@salesforce/apex';
import getLeadScore from '@salesforce/apex/LeadScoreController.getLeadScore';
import rescoreLead from '@salesforce/apex/LeadScoreController.rescoreLead';
import LeadScoreExplanationModal from 'c/leadScoreExplanationModal';
import { formatLabel, groupReasons, isNoAccessError, reduceErrors, tierStyle, timeAgo } from 'c/leadScoreUtils';
import CardTitle from '@salesforce/label/c.LeadScore_CardTitle';
import Refresh from '@salesforce/label/c.LeadScore_Refresh';
import ScoreNow from '@salesforce/label/c.LeadScore_ScoreNow';
import Loading from '@salesforce/label/c.LeadScore_Loading';
import Requesting from '@salesforce/label/c.LeadScore_Requesting';
import NoAccessCard from '@salesforce/label/c.LeadScore_NoAccessCard';
import NoAccessIcon from '@salesforce/label/c.LeadScore_NoAccessIcon';
import LoadFailed from '@salesforce/label/c.LeadScore_LoadFailed';
import LoadFailedFallback from '@salesforce/label/c.LeadScore_LoadFailedFallback';
import ErrorIcon from '@salesforce/label/c.LeadScore_ErrorIcon';
import NeverScored from '@salesforce/label/c.LeadScore_NeverScored';
import NotScoredIcon from '@salesforce/label/c.LeadScore_NotScoredIcon';
import FirstScoringPending from '@salesforce/label/c.LeadScore_FirstScoringPending';
import InProgressIcon from '@salesforce/label/c.LeadScore_InProgressIcon';
import WarningIcon from '@salesforce/label/c.LeadScore_WarningIcon';
import Rescoring from '@salesforce/label/c.LeadScore_Rescoring';
import RefreshRequested from '@salesforce/label/c.LeadScore_RefreshRequested';
import RefreshSlow from '@salesforce/label/c.LeadScore_RefreshSlow';
import StaleFailed from '@salesforce/label/c.LeadScore_StaleFailed';
import StaleVersion from '@salesforce/label/c.LeadScore_StaleVersion';
import StaleBadge from '@salesforce/label/c.LeadScore_StaleBadge';
import RefreshRefusedTitle from '@salesforce/label/c.LeadScore_RefreshRefusedTitle';
import RefreshFailedFallback from '@salesforce/label/c.LeadScore_RefreshFailedFallback';
import RingLabel from '@salesforce/label/c.LeadScore_RingLabel';
import RingLabelStale from '@salesforce/label/c.LeadScore_RingLabelStale';
import UnknownTier from '@salesforce/label/c.LeadScore_UnknownTier';
import Decile from '@salesforce/label/c.LeadScore_Decile';
import LikelyToConvert from '@salesforce/label/c.LeadScore_LikelyToConvert';
import Expected from '@salesforce/label/c.LeadScore_Expected';
import Model from '@salesforce/label/c.LeadScore_Model';
import ModelFallback from '@salesforce/label/c.LeadScore_ModelFallback';
import ScoredAgo from '@salesforce/label/c.LeadScore_ScoredAgo';
import ScoredUnknown from '@salesforce/label/c.LeadScore_ScoredUnknown';
import RaisesHeading from '@salesforce/label/c.LeadScore_RaisesHeading';
import LowersHeading from '@salesforce/label/c.LeadScore_LowersHeading';
import NoneRaise from '@salesforce/label/c.LeadScore_NoneRaise';
import NoneLower from '@salesforce/label/c.LeadScore_NoneLower';
import Contribution from '@salesforce/label/c.LeadScore_Contribution';
import NoReasons from '@salesforce/label/c.LeadScore_NoReasons';
import Explain from '@salesforce/label/c.LeadScore_Explain';
import ExplanationTitle from '@salesforce/label/c.LeadScore_ExplanationTitle';
import ExplanationDescription from '@salesforce/label/c.LeadScore_ExplanationDescription';

const LABELS = {
    CardTitle,
    Refresh,
    ScoreNow,
    Loading,
    Requesting,
    NoAccessCard,
    NoAccessIcon,
    LoadFailed,
    LoadFailedFallback,
    ErrorIcon,
    NeverScored,
    NotScoredIcon,
    FirstScoringPending,
    InProgressIcon,
    WarningIcon,
    Rescoring,
    RefreshRequested,
    RefreshSlow,
    StaleFailed,
    StaleVersion,
    StaleBadge,
    RefreshRefusedTitle,
    RefreshFailedFallback,
    RingLabel,
    RingLabelStale,
    UnknownTier,
    Decile,
    LikelyToConvert,
    Expected,
    Model,
    ModelFallback,
    ScoredAgo,
    ScoredUnknown,
    RaisesHeading,
    LowersHeading,
    NoneRaise,
    NoneLower,
    Contribution,
    NoReasons,
    Explain,
    ExplanationTitle,
    ExplanationDescription
};

// While a score is Pending (saved lead, scoring in the background), look again a few times, then stop.
const PENDING_POLL_MS = 5000;
const PENDING_POLL_LIMIT = 6;
// After Refresh: scoring runs asynchronously as the integration user, usually within seconds. Ask again
// with growing gaps (32 s in all), then say it is taking longer rather than polling forever.
const REFRESH_POLL_DELAYS_MS = [1000, 2000, 3000, 5000, 8000, 13000];
const RING_CIRCUMFERENCE = 2 * Math.PI * 42;

function timeOf(value) {
    const time = value ? new Date(value).getTime() : NaN;
    return Number.isNaN(time) ? null : time;
}

/**
 * Lead record page card: the stored score (read with no callout, through the cacheable wire), its reasons
 * and trend, and a Refresh action that asks for a new score and shows it when it arrives.
 */
export default class LeadScore extends LightningElement {
    @api recordId;
    /** App Builder: how many of the strongest reasons to show. */
    @api reasonCount = 5;
    /** App Builder: smaller card without bars and trend. */
    @api compact = false;

    labels = LABELS;
    view;
    loadError;
    isLoading = true;
    isRefreshing = false;
    pendingPolls = 0;
    pollTimer;
    /** The provisioned wire value, kept for refreshApex. */
    wiredView;
    /** Set by Refresh: the new score is the first with scoredAt at or after this time (epoch ms). */
    refreshRequestedAt = null;
    statusAtRefresh;
    refreshPolls = 0;
    /** The requested score did not arrive while the card waited. */
    refreshSlow = false;
    /** Why the last Refresh was refused, shown under the score until the next one. */
    refreshRefusal;

    @wire(getLeadScore, { leadId: '$recordId' })
    wiredLeadScore(result) {
        this.wiredView = result;
        const { data, error } = result;
        if (data) {
            const previous = this.view;
            this.view = data;
            this.loadError = undefined;
            this.isLoading = false;
            if (previous && timeOf(previous.scoredAt) !== timeOf(data.scoredAt)) {
                // The lead's score fields changed outside Lightning Data Service (the integration user wrote them):
                // let the record page and other components re-read the record.
                // https://developer.salesforce.com/docs/platform/lwc/guide/reference-notify-record-update.html
                notifyRecordUpdateAvailable([{ recordId: this.recordId }]);
            }
            if (this.isAwaitingRefresh) this.checkRefreshArrived();
            else this.schedulePendingPoll();
        } else if (error) {
            this.loadError = error;
            this.isLoading = false;
        }
    }

    disconnectedCallback() {
        clearTimeout(this.pollTimer);
    }

    /** getLeadScore is cacheable: while a score is Pending, ask the server again a few times. */
    schedulePendingPoll() {
        clearTimeout(this.pollTimer);
        if (!this.isPending || this.pendingPolls >= PENDING_POLL_LIMIT) return;
        this.pendingPolls += 1;
        this.pollTimer = setTimeout(() => refreshApex(this.wiredView), PENDING_POLL_MS);
    }

    get isAwaitingRefresh() {
        return this.refreshRequestedAt !== null;
    }

    /** After Refresh: done when a score read at or after the request is stored, or the rescore failed. */
    checkRefreshArrived() {
        const scoredAt = timeOf(this.view.scoredAt);
        const arrived = scoredAt !== null && scoredAt >= this.refreshRequestedAt;
        const failed = this.view.status === 'Failed' && this.statusAtRefresh !== 'Failed';
        if (arrived || failed) {
            this.refreshRequestedAt = null;
            clearTimeout(this.pollTimer);
            return;
        }
        this.scheduleRefreshPoll();
    }

    scheduleRefreshPoll() {
        clearTimeout(this.pollTimer);
        if (this.refreshPolls >= REFRESH_POLL_DELAYS_MS.length) {
            this.refreshRequestedAt = null;
            this.refreshSlow = true;
            return;
        }
        const delay = REFRESH_POLL_DELAYS_MS[this.refreshPolls];
        this.refreshPolls += 1;
        this.pollTimer = setTimeout(() => refreshApex(this.wiredView), delay);
    }

    async handleRefresh() {
        if (this.isRefreshing || this.isAwaitingRefresh) return;
        this.isRefreshing = true;
        this.refreshRefusal = undefined;
        this.refreshSlow = false;
        try {
            const view = await rescoreLead({ leadId: this.recordId });
            this.view = view;
            this.loadError = undefined;
            this.statusAtRefresh = view.status;
            this.refreshPolls = 0;
            const requestedAt = timeOf(view.rescoreRequestedAt);
            this.refreshRequestedAt = requestedAt === null ? Date.now() : requestedAt;
            this.scheduleRefreshPoll();
        } catch (error) {
            this.refreshRefusal = reduceErrors(error).join(', ') || LABELS.RefreshFailedFallback;
            this.dispatchEvent(
                new ShowToastEvent({
                    title: LABELS.RefreshRefusedTitle,
                    message: this.refreshRefusal,
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
            description: LABELS.ExplanationDescription,
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
        return formatLabel(LABELS.LoadFailed, reduceErrors(this.loadError).join(', ') || LABELS.LoadFailedFallback);
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
        return this.hasView && !this.view.hasScore && !this.isPending && !this.isAwaitingRefresh;
    }

    get isFirstScoringInProgress() {
        return this.hasView && !this.view.hasScore && (this.isPending || this.isAwaitingRefresh);
    }

    /**
     * The notes above the score while a refresh or rescore is under way (or was refused): one
     * template for all. The stale note never shows with "requested" or "rescoring" (isStale is false
     * while awaiting a refresh or Pending), so listing them before it changes no visible order.
     */
    get pendingNotes() {
        if (!this.hasView) return [];
        const waiting = { icon: 'utility:clock', iconText: LABELS.InProgressIcon };
        const notes = [];
        if (this.refreshRefusal) {
            notes.push({ id: 'refresh-refused', icon: 'utility:info', iconText: '', text: this.refreshRefusal });
        }
        if (this.refreshSlow) notes.push({ id: 'refresh-slow', ...waiting, text: LABELS.RefreshSlow });
        if (this.hasScore && this.isAwaitingRefresh) {
            notes.push({ id: 'refresh-requested', ...waiting, text: LABELS.RefreshRequested });
        } else if (this.hasScore && this.isPending) {
            notes.push({ id: 'rescoring', ...waiting, text: LABELS.Rescoring });
        }
        return notes;
    }

    /** LeadScoreView.stale is also true while Pending; that case reads as "rescoring", not as stale. */
    get isStale() {
        if (!this.hasScore || this.isAwaitingRefresh) return false;
        if (this.view.status === 'Failed') return true;
        return this.view.stale === true && !this.isPending;
    }

    get staleMessage() {
        if (this.view.status === 'Failed') return LABELS.StaleFailed;
        return formatLabel(LABELS.StaleVersion, this.view.modelVersion);
    }

    get refreshLabel() {
        return this.hasScore ? LABELS.Refresh : LABELS.ScoreNow;
    }

    get refreshDisabled() {
        return this.isRefreshing || this.isLoading || this.isNoAccess || this.isAwaitingRefresh;
    }

    // ---- score ----------------------------------------------------------------------------

    get scaled() {
        return Math.round(Number(this.view.scaledScore) || 0);
    }

    get tier() {
        return this.view.tier || LABELS.UnknownTier;
    }

    get tierStyle() {
        return tierStyle(this.view.tier);
    }

    get ringLabel() {
        const label = formatLabel(LABELS.RingLabel, this.scaled, this.tier);
        return this.isStale ? `${label}, ${LABELS.RingLabelStale}` : label;
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
        return formatLabel(LABELS.Decile, this.view.decile);
    }

    get probabilityText() {
        const score = Number(this.view.score);
        if (!Number.isFinite(score)) return '';
        return this.view.unit === 'log-count'
            ? formatLabel(LABELS.Expected, score.toFixed(2))
            : formatLabel(LABELS.LikelyToConvert, (score * 100).toFixed(1));
    }

    get modelText() {
        const name = this.view.modelName || LABELS.ModelFallback;
        return formatLabel(LABELS.Model, this.view.modelVersion ? `${name} ${this.view.modelVersion}` : name);
    }

    get scoredAgo() {
        const ago = timeAgo(this.view.scoredAt, Date.now());
        return ago ? formatLabel(LABELS.ScoredAgo, ago) : LABELS.ScoredUnknown;
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
            {
                id: 'raises',
                heading: LABELS.RaisesHeading,
                headingIcon: 'utility:arrowup',
                reasons: this.raises,
                emptyText: LABELS.NoneRaise
            },
            {
                id: 'lowers',
                heading: LABELS.LowersHeading,
                headingIcon: 'utility:arrowdown',
                reasons: this.lowers,
                emptyText: LABELS.NoneLower
            }
        ].map((group, index) => ({
            ...group,
            reasons: group.reasons.map((reason) => ({
                ...reason,
                contributionLabel: formatLabel(LABELS.Contribution, reason.contributionText)
            })),
            headingId: `${group.id}-heading`,
            sectionClass: index === 0 ? 'reason-group' : 'reason-group slds-m-top_small',
            iconClass: `reason__icon reason__icon_${group.id}`,
            hasReasons: group.reasons.length > 0
        }));
    }

    get showBars() {
        return !this.compact;
    }

    get showTrend() {
        return !this.compact && Array.isArray(this.view.history) && this.view.history.length > 1;
    }

    get explanationTitle() {
        return formatLabel(LABELS.ExplanationTitle, this.scaled);
    }

    get cardClass() {
        return this.compact ? 'lead-score lead-score_compact' : 'lead-score';
    }
}
