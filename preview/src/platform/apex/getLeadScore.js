import { callApex } from '../apexClient';

/** Preview binding of LeadScoreController.getLeadScore: the stored score, no callout. */
export default function getLeadScore(params) {
  return callApex('LeadScoreController.getLeadScore', params);
}
