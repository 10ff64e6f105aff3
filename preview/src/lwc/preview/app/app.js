import { LightningElement } from 'lwc';

const TOAST_EVENT = 'lightning__showtoast';

/**
 * A stand-in for a Lead record page: a lead picker, the lead's fields, and the lead score card
 * exactly as it would sit in the page's right column. Toasts raised by the card are shown here,
 * the way Lightning Experience shows them.
 */
export default class App extends LightningElement {
    leads = [];
    selectedId;
    toasts = [];
    loadError;
    toastCounter = 0;

    connectedCallback() {
        this.template.addEventListener(TOAST_EVENT, (event) => this.showToast(event.detail || {}));
        this.loadLeads();
    }

    async loadLeads() {
        try {
            const response = await fetch('api/leads');
            if (!response.ok) throw new Error(`HTTP ${response.status}`);
            this.leads = await response.json();
            const requested = new URLSearchParams(window.location.search).get('lead');
            this.selectedId = this.leads.some((l) => l.id === requested)
                ? requested
                : this.leads[0] && this.leads[0].id;
        } catch (error) {
            this.loadError = `The preview server did not list the sample leads (${error.message}).`;
        }
    }

    get leadOptions() {
        return this.leads.map((lead) => ({
            ...lead,
            navClass:
                lead.id === this.selectedId ? 'slds-nav-vertical__item slds-is-active' : 'slds-nav-vertical__item',
            ariaCurrent: lead.id === this.selectedId ? 'page' : 'false'
        }));
    }

    get selectedLead() {
        return this.leads.find((l) => l.id === this.selectedId);
    }

    /** One-element list so that choosing another lead mounts a fresh card, as a new record page would. */
    get selectedLeads() {
        return this.selectedLead ? [this.selectedLead] : [];
    }

    handleSelect(event) {
        event.preventDefault();
        this.selectedId = event.currentTarget.dataset.id;
        window.history.replaceState(null, '', `?lead=${encodeURIComponent(this.selectedId)}`);
    }

    showToast({ title, message, variant }) {
        const kind = ['error', 'warning', 'success', 'info'].includes(variant) ? variant : 'info';
        this.toastCounter += 1;
        this.toasts = [
            ...this.toasts,
            {
                key: `toast-${this.toastCounter}`,
                title,
                message,
                variant: kind,
                className: `slds-notify slds-notify_toast slds-theme_${kind}`,
                icon: `utility:${kind}`
            }
        ];
    }

    handleCloseToast(event) {
        const key = event.currentTarget.dataset.key;
        this.toasts = this.toasts.filter((t) => t.key !== key);
    }
}
