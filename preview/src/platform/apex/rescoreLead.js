import { callApex } from '../apexClient';

/** Preview binding of LeadScoreController.rescoreLead: scores the lead through the running scoring service. */
export default function rescoreLead(params) {
  return callApex('LeadScoreController.rescoreLead', params);
}
