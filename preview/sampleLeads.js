/**
 * Sample leads for the preview, in the inputs of lead-scoring 4.1.0 (which 4.0.0 also accepts).
 * Their scores are not written here: the preview asks the running scoring service.
 * Dates are given in days before the moment of scoring, so a lead reads the same whatever day the preview runs.
 * `earlier` lists snapshots of the same lead in past weeks; the preview scores each one once at start
 * to build the score history the trend is drawn from.
 */

/** @typedef {{daysAgo: number, changes: Record<string, unknown>}} Snapshot */

const SAMPLE_LEADS = [
  {
    id: '00Q5g00000PrvHot1',
    name: 'Dana Whitfield',
    title: 'Senior Financial Advisor',
    company: 'Atlas Capital Markets',
    inputs: {
      lead_source: 'Web',
      industry: 'Technology',
      seniority: 'Manager',
      firm_type: 'Wirehouse',
      is_ia_rep: false,
      tenure_at_firm_months: 8,
      years_experience: 14,
      prior_firms: 2,
      mobility_score: 86,
      recent_mover: true,
      firm_bleeding: true,
      firm_aum_musd: 420,
      firm_headcount_change_pct: -12,
      licenses_count: 3,
      has_series_65: false,
      email_opens_90d: 18,
      email_clicks_90d: 7,
      web_visits_30d: 6,
      event_attended: false,
      last_activity_days_ago: 2,
      created_days_ago: 35,
      has_phone: true,
    },
    // Engagement grew week by week and the firm started losing advisors: the trend climbs.
    earlier: [
      {
        daysAgo: 28,
        changes: {
          email_opens_90d: 2,
          email_clicks_90d: 0,
          web_visits_30d: 0,
          last_activity_days_ago: 30,
          created_days_ago: 7,
          firm_bleeding: false,
          firm_headcount_change_pct: 1,
          mobility_score: 45,
        },
      },
      {
        daysAgo: 21,
        changes: {
          email_opens_90d: 5,
          email_clicks_90d: 1,
          web_visits_30d: 1,
          last_activity_days_ago: 12,
          created_days_ago: 14,
          firm_bleeding: false,
          firm_headcount_change_pct: 1,
          mobility_score: 55,
        },
      },
      {
        daysAgo: 14,
        changes: {
          email_opens_90d: 9,
          email_clicks_90d: 2,
          web_visits_30d: 3,
          last_activity_days_ago: 6,
          created_days_ago: 21,
          firm_bleeding: false,
          firm_headcount_change_pct: -3,
          mobility_score: 65,
        },
      },
      {
        daysAgo: 7,
        changes: {
          email_opens_90d: 13,
          email_clicks_90d: 4,
          web_visits_30d: 4,
          last_activity_days_ago: 3,
          created_days_ago: 28,
          mobility_score: 75,
        },
      },
    ],
  },
  {
    id: '00Q5g00000PrvHot2',
    name: 'Marcus Oyelaran',
    title: 'VP, Private Client Group',
    company: 'Crestline Securities',
    inputs: {
      lead_source: 'Event',
      industry: 'Banking',
      seniority: 'VP',
      firm_type: 'Wirehouse',
      is_ia_rep: true,
      tenure_at_firm_months: 96,
      years_experience: 17,
      prior_firms: 3,
      mobility_score: 74,
      recent_mover: false,
      firm_bleeding: true,
      firm_aum_musd: 2600,
      firm_headcount_change_pct: -8,
      licenses_count: 5,
      has_series_65: true,
      email_opens_90d: 12,
      email_clicks_90d: 4,
      web_visits_30d: 5,
      event_attended: true,
      last_activity_days_ago: 4,
      created_days_ago: 60,
      has_phone: true,
    },
    earlier: [
      {
        daysAgo: 30,
        changes: {
          email_opens_90d: 6,
          email_clicks_90d: 1,
          web_visits_30d: 2,
          last_activity_days_ago: 9,
          created_days_ago: 30,
        },
      },
      {
        daysAgo: 12,
        changes: {
          email_opens_90d: 9,
          email_clicks_90d: 2,
          web_visits_30d: 3,
          last_activity_days_ago: 2,
          created_days_ago: 48,
        },
      },
    ],
  },
  {
    id: '00Q5g00000PrvWrm1',
    name: 'Priya Raman',
    title: 'Financial Advisor',
    company: 'Summit Ridge Financial',
    inputs: {
      lead_source: 'Web',
      industry: 'Insurance',
      seniority: 'Manager',
      firm_type: 'Regional BD',
      is_ia_rep: false,
      tenure_at_firm_months: 40,
      years_experience: 9,
      prior_firms: 2,
      mobility_score: 55,
      recent_mover: false,
      firm_bleeding: false,
      firm_aum_musd: 900,
      firm_headcount_change_pct: 2,
      licenses_count: 3,
      has_series_65: false,
      email_opens_90d: 5,
      email_clicks_90d: 1,
      web_visits_30d: 2,
      event_attended: false,
      last_activity_days_ago: 12,
      created_days_ago: 90,
      has_phone: true,
    },
    earlier: [
      {
        daysAgo: 20,
        changes: {
          email_opens_90d: 2,
          email_clicks_90d: 0,
          web_visits_30d: 1,
          last_activity_days_ago: 20,
          created_days_ago: 70,
        },
      },
    ],
  },
  {
    id: '00Q5g00000PrvCld1',
    name: 'Tom Keller',
    title: 'Associate',
    company: 'Granite Mutual Insurance',
    inputs: {
      lead_source: 'Purchased List',
      industry: 'Technology',
      seniority: 'Individual Contributor',
      firm_type: 'Insurance BD',
      is_ia_rep: false,
      tenure_at_firm_months: 30,
      years_experience: 6,
      prior_firms: 0,
      mobility_score: 22,
      recent_mover: false,
      firm_bleeding: false,
      firm_aum_musd: 15000,
      firm_headcount_change_pct: 9,
      licenses_count: 0,
      has_series_65: false,
      email_opens_90d: 0,
      email_clicks_90d: 0,
      web_visits_30d: 0,
      event_attended: false,
      last_activity_days_ago: 35,
      created_days_ago: 420,
      has_phone: false,
    },
    earlier: [
      // It went quiet: the only activity was a month ago.
      {
        daysAgo: 30,
        changes: {
          last_activity_days_ago: 5,
          email_opens_90d: 4,
          email_clicks_90d: 1,
          web_visits_30d: 1,
          created_days_ago: 390,
        },
      },
      { daysAgo: 15, changes: { last_activity_days_ago: 20, email_opens_90d: 2, created_days_ago: 405 } },
    ],
  },
  {
    id: '00Q5g00000PrvCld2',
    name: 'Lena Fischer',
    title: 'Operations Analyst',
    company: 'Northgate Bank',
    inputs: {
      lead_source: 'Cold Call',
      industry: 'Other',
      seniority: null,
      firm_type: 'Bank',
      is_ia_rep: false,
      tenure_at_firm_months: 10,
      years_experience: 3,
      prior_firms: 1,
      mobility_score: 30,
      recent_mover: true,
      firm_bleeding: false,
      firm_aum_musd: null,
      firm_headcount_change_pct: 4,
      licenses_count: 1,
      has_series_65: false,
      email_opens_90d: 1,
      email_clicks_90d: 0,
      web_visits_30d: 0,
      event_attended: false,
      last_activity_days_ago: 150,
      created_days_ago: 300,
      has_phone: true,
    },
    earlier: [],
  },
  {
    id: '00Q5g00000PrvNew1',
    name: 'Sam Okafor',
    title: 'Advisor',
    company: 'Bluewater Partners',
    // Just created: the save has not been scored yet, so the card shows "not scored" until Score now.
    scoreAtStart: false,
    inputs: {
      lead_source: 'LinkedIn',
      industry: 'Consulting',
      seniority: 'Manager',
      firm_type: 'Independent BD',
      is_ia_rep: true,
      tenure_at_firm_months: 30,
      years_experience: 8,
      prior_firms: 2,
      mobility_score: 60,
      recent_mover: false,
      firm_bleeding: false,
      firm_aum_musd: 300,
      firm_headcount_change_pct: 0,
      licenses_count: 2,
      has_series_65: true,
      email_opens_90d: 2,
      email_clicks_90d: 1,
      web_visits_30d: 1,
      event_attended: false,
      last_activity_days_ago: 1,
      created_days_ago: 1,
      has_phone: true,
    },
    earlier: [],
  },
];

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The model inputs of a lead as of `at` (epoch ms): relative day counts become calendar dates,
 * which is what Salesforce stores and what the service's days_since features expect.
 */
function toModelInputs(raw, at) {
  const { last_activity_days_ago: lastActivity, created_days_ago: created, ...rest } = raw;
  const date = (daysAgo) =>
    daysAgo === null || daysAgo === undefined ? null : new Date(at - daysAgo * DAY_MS).toISOString().slice(0, 10);
  return { ...rest, last_activity_date: date(lastActivity), lead_created_date: date(created) };
}

/** Field rows for the Details panel, labelled as on the Lead layout. */
function detailFields(lead) {
  const i = lead.inputs;
  const show = (v, unit = '') =>
    v === null || v === undefined ? '—' : typeof v === 'boolean' ? (v ? 'Yes' : 'No') : `${v}${unit}`;
  return [
    { label: 'Company', value: lead.company },
    { label: 'Title', value: lead.title },
    { label: 'Lead Source', value: show(i.lead_source) },
    { label: 'Industry', value: show(i.industry) },
    { label: 'Seniority', value: show(i.seniority) },
    { label: 'Firm Type', value: show(i.firm_type) },
    { label: 'Years in the Industry', value: show(i.years_experience) },
    { label: 'Tenure at Current Firm', value: show(i.tenure_at_firm_months, ' months') },
    { label: 'Mobility Score', value: show(i.mobility_score) },
    { label: 'Email Opens (90 days)', value: show(i.email_opens_90d) },
    { label: 'Email Clicks (90 days)', value: show(i.email_clicks_90d) },
    { label: 'Website Visits (30 days)', value: show(i.web_visits_30d) },
    { label: 'Phone', value: i.has_phone ? '(555) 010-0000' : '—' },
  ];
}

module.exports = { SAMPLE_LEADS, toModelInputs, detailFields, DAY_MS };
