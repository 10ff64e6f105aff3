import { callApex } from '../apexClient';
import { wireableApex } from '../apexWire';

/** Preview binding of LeadScoreController.getLeadScore (cacheable): the stored score, no callout. */
export default wireableApex((params) => callApex('LeadScoreController.getLeadScore', params));
