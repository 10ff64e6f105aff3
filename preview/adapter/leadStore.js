/**
 * What the org would hold for each sample lead: the stored score fields and the score history,
 * written the way the Apex writer writes them and read the way LeadScoreController.getLeadScore reads them
 * (a LeadScoreView). The preview's rep may see every field, so no reason is hidden, and Refresh is not throttled.
 */
const { SAMPLE_LEADS, toModelInputs, detailFields, DAY_MS } = require('../sampleLeads');

function emptyView(leadId) {
  return {
    leadId,
    hasScore: false,
    score: null,
    scaledScore: null,
    decile: null,
    tier: null,
    modelName: null,
    modelVersion: null,
    scoredAt: null,
    status: null,
    stale: false,
    reasons: [],
    baseValue: null,
    unit: null,
    history: [],
  };
}

function createLeadStore({ client, leads = SAMPLE_LEADS, now = () => Date.now() }) {
  const records = new Map(leads.map((lead) => [lead.id, { lead, stored: emptyView(lead.id), history: [] }]));

  function list() {
    return leads.map((lead) => ({
      id: lead.id,
      name: lead.name,
      title: lead.title,
      company: lead.company,
      fields: detailFields(lead),
    }));
  }

  function has(leadId) {
    return records.has(leadId);
  }

  /** getLeadScore: the stored view, no callout. */
  function view(leadId) {
    const record = records.get(leadId);
    return { ...record.stored, history: record.history.slice() };
  }

  function write(record, result, body, at) {
    const explanation = result.explanation || {};
    const scoredAt = new Date(at).toISOString();
    record.stored = {
      leadId: record.lead.id,
      hasScore: true,
      score: result.score,
      scaledScore: result.scaled,
      decile: result.decile,
      tier: result.tier,
      modelName: body.model,
      modelVersion: result.version || body.version,
      scoredAt,
      status: 'Scored',
      stale: false,
      reasons: explanation.reasons || [],
      baseValue: explanation.base === undefined ? null : explanation.base,
      unit: explanation.unit || null,
      history: [],
    };
    record.history.push({
      scoredAt,
      scaledScore: result.scaled,
      modelVersion: result.version || body.version,
      role: result.role || 'champion',
    });
  }

  /** One callout, then store; on failure the stored score stays and is marked Failed (stale). */
  async function scoreNow(leadId) {
    const record = records.get(leadId);
    const at = now();
    try {
      const body = await client.score([{ id: leadId, inputs: toModelInputs(record.lead.inputs, at) }]);
      const result = body.results.find((r) => r.id === leadId) || body.results[0];
      write(record, result, body, at);
    } catch (error) {
      if (record.stored.hasScore) record.stored = { ...record.stored, status: 'Failed', stale: true };
      throw error;
    }
    return view(leadId);
  }

  /**
   * rescoreLead: as in the org, Refresh only asks for a score and answers at once with the stored view and the
   * time of the request; the score is computed in the background (the org's integration-user job) and the card
   * picks it up by reading getLeadScore again.
   */
  function requestRescore(leadId) {
    const answer = { ...view(leadId), rescoreRequestedAt: new Date(now()).toISOString() };
    scoreNow(leadId).catch(() => undefined);
    return answer;
  }

  /**
   * What the trigger would have done on save, plus the lead's earlier snapshots for the trend.
   * Each snapshot is scored as the lead looked then, so the history holds real scores from the service.
   */
  async function seed() {
    const at = now();
    for (const record of records.values()) {
      if (record.lead.scoreAtStart === false) continue;
      record.stored = { ...record.stored, status: 'Pending' };
    }
    const outcomes = [];
    for (const record of records.values()) {
      if (record.lead.scoreAtStart === false) continue;
      const snapshots = [...(record.lead.earlier || [])].sort((a, b) => b.daysAgo - a.daysAgo);
      try {
        for (const snapshot of snapshots) {
          const when = at - snapshot.daysAgo * DAY_MS;
          const inputs = toModelInputs({ ...record.lead.inputs, ...snapshot.changes }, when);
          const body = await client.score([{ id: record.lead.id, inputs }]);
          write(record, body.results[0], body, when);
        }
        await scoreNow(record.lead.id);
        outcomes.push({ id: record.lead.id, ok: true });
      } catch (error) {
        if (!record.stored.hasScore) record.stored = { ...record.stored, status: 'Failed' };
        outcomes.push({ id: record.lead.id, ok: false, error: error.message });
      }
    }
    return outcomes;
  }

  return { list, has, view, requestRescore, seed };
}

module.exports = { createLeadStore, emptyView };
