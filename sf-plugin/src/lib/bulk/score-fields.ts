/**
 * What the bulk path writes on each Lead: the fields and values LeadScoreWriter.toLead writes
 * (force-app), as one Bulk API 2.0 update CSV row. The trigger queues scoring on an update only
 * when a mapped input field changed (LeadTriggerHandler.leadsWithChangedInputs), so a write of
 * these fields alone never queues real-time scoring again; the command refuses a mapping that
 * names one of them.
 */
export const STATUS_SCORED = 'Scored';
/** LeadScoreWriter.MAX_TOP_REASON_LENGTH. */
export const MAX_TOP_REASON_LENGTH = 100;
/** ScoringResponseParser.MAX_REASONS_LENGTH (the Long Text field). */
export const MAX_REASONS_LENGTH = 131072;

/** The fields LeadScoreWriter.toLead sets, in its order. */
export const SCORE_FIELDS = [
  'Lead_Score__c',
  'Lead_Score_Scaled__c',
  'Lead_Score_Decile__c',
  'Lead_Score_Tier__c',
  'Lead_Score_Reasons__c',
  'Lead_Score_Model_Version__c',
  'Lead_Scored_At__c',
  'Lead_Score_Status__c',
  'Lead_Score_Top_Reason__c',
  'Lead_Score_Tier_Changed_At__c',
] as const;

/** How Bulk API CSV sets a field to null (an empty cell leaves it unchanged). */
export const NULL_CELL = '#N/A';

export const WRITE_COLUMNS = ['Id', ...SCORE_FIELDS] as const;

/** The object each score also leaves a row in, as LeadScoreWriter.write does for every result. */
export const HISTORY_OBJECT = 'Lead_Score_History__c';

/** The fields LeadScoreWriter.toHistory sets, in its order: the columns of a history insert row. */
export const HISTORY_COLUMNS = [
  'Lead__c',
  'Model_Name__c',
  'Model_Version__c',
  'Role__c',
  'Score__c',
  'Scaled_Score__c',
  'Decile__c',
  'Tier__c',
  'Served__c',
  'Scored_At__c',
  'Reasons__c',
] as const;

/** The history roles (the Role__c picklist). */
export type HistoryRole = 'champion' | 'challenger';

export type ScoredLead = { score: number; scaled: number; decile: number; tier: string; version: string; explanation?: string };

type Reason = { input?: unknown; label?: unknown; contribution?: unknown };

/** Apex String.abbreviate: longer text keeps maxWidth - 3 characters and "...". */
function abbreviate(text: string, maxWidth: number): string {
  return text.length <= maxWidth ? text : `${text.slice(0, maxWidth - 3)}...`;
}

/** LeadScoreWriter.topReason: the label (or input) of the first reason that raises the score. */
export function topReason(explanationJson: string | undefined): string | null {
  if (!explanationJson) return null;
  const parsed = JSON.parse(explanationJson) as { reasons?: unknown };
  if (!parsed || !Array.isArray(parsed.reasons)) return null;
  for (const reason of parsed.reasons as Reason[]) {
    if (typeof reason.contribution === 'number' && reason.contribution > 0) {
      const label = typeof reason.label === 'string' ? reason.label : reason.input;
      return abbreviate(String(label), MAX_TOP_REASON_LENGTH);
    }
  }
  return null;
}

/** ScoringResponseParser.fitExplanation: drop the smallest reasons until the JSON fits the field. */
export function fitExplanation(explanationJson: string | undefined): string | undefined {
  if (!explanationJson || explanationJson.length <= MAX_REASONS_LENGTH) return explanationJson;
  const explanation = JSON.parse(explanationJson) as { reasons: unknown[]; truncated?: boolean };
  let text = explanationJson;
  while (text.length > MAX_REASONS_LENGTH && explanation.reasons.length > 0) {
    explanation.reasons.pop();
    explanation.truncated = true;
    text = JSON.stringify(explanation);
  }
  return text;
}

/**
 * One update row, in WRITE_COLUMNS order. An empty cell leaves a field as it is in a Bulk API
 * update, so the tier's change time is only sent when the tier changes (as toLead does); #N/A
 * clears one, as toLead's nulls do.
 */
export function scoreRow(id: string, result: ScoredLead, scoredAt: string, storedTier: string, now: string): string[] {
  const reasons = fitExplanation(result.explanation);
  return [
    id,
    String(result.score),
    String(result.scaled),
    String(result.decile),
    result.tier,
    reasons ?? NULL_CELL,
    result.version,
    scoredAt,
    STATUS_SCORED,
    topReason(reasons) ?? NULL_CELL,
    storedTier === result.tier ? '' : now,
  ];
}

/**
 * One history insert row, in HISTORY_COLUMNS order, as LeadScoreWriter.toHistory builds it: the
 * bulk path scores one version per lead and that result is the one served to the Lead fields
 * (Served__c true, also when a newer real-time score kept the Lead fields, as in Apex).
 */
export function historyRow(id: string, result: ScoredLead, model: string, role: HistoryRole, scoredAt: string): string[] {
  return [
    id,
    model,
    result.version,
    role,
    String(result.score),
    String(result.scaled),
    String(result.decile),
    result.tier,
    'true',
    scoredAt,
    fitExplanation(result.explanation) ?? '',
  ];
}
