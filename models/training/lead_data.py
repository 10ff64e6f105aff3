"""Seeded synthetic leads for financial-advisor recruiting, with written-down ground truth.

The true log-odds of conversion is `true_logit()` below (README.md restates it). Values and
missingness are shaped like a CRM export: some leads lack a phone, a last activity, the
firm's AUM, a seniority or an industry; a few carry lead sources or industries the model
was not trained on.
"""
from __future__ import annotations

import datetime as dt

import numpy as np

AS_OF = "2026-11-01"  # the date the training snapshot was taken; days_since is measured to it

LEAD_SOURCES = ["Web", "Referral", "Event", "Partner", "Cold Call", "LinkedIn", "Purchased List"]
INDUSTRIES = ["Banking", "Insurance", "Finance", "Consulting", "Technology", "Other"]
SENIORITIES = ["Individual Contributor", "Manager", "Director", "VP", "C-Level"]
FIRM_TYPES = ["Independent RIA", "Wirehouse", "Regional BD", "Independent BD", "Bank", "Insurance BD"]

# Ground-truth effects (log-odds). Unlisted values get 0.
SOURCE_EFFECT = {"Web": 0.15, "Referral": 0.95, "Event": 0.6, "Partner": 0.45, "Cold Call": -0.45,
                 "LinkedIn": 0.05, "Purchased List": -0.8}
INDUSTRY_EFFECT = {"Banking": 0.0, "Insurance": -0.2, "Finance": 0.25, "Consulting": 0.1, "Technology": -0.3, "Other": -0.15}
SENIORITY_EFFECT = {"Individual Contributor": -0.25, "Manager": 0.0, "Director": 0.3, "VP": 0.3, "C-Level": 0.05}
FIRM_EFFECT = {"Independent RIA": 0.15, "Wirehouse": 0.3, "Regional BD": 0.1, "Independent BD": 0.0,
               "Bank": -0.2, "Insurance BD": -0.35}

INPUTS_41 = [
    ("lead_source", "string", "Lead source", None, "Lead.LeadSource", LEAD_SOURCES),
    ("industry", "string", "Industry", None, "Lead.Industry", INDUSTRIES),
    ("seniority", "string", "Seniority", None, "Lead.Seniority__c", SENIORITIES),
    ("firm_type", "string", "Firm type", None, "Lead.Firm_Type__c", FIRM_TYPES),
    ("is_ia_rep", "boolean", "Investment adviser rep", None, "Lead.Is_IA_Rep__c", None),
    ("tenure_at_firm_months", "number", "Tenure at current firm", "months", "Lead.Tenure_At_Firm_Months__c", None),
    ("years_experience", "number", "Years in the industry", "years", "Lead.Years_Experience__c", None),
    ("prior_firms", "number", "Prior firms", None, "Lead.Prior_Firms__c", None),
    ("mobility_score", "number", "Mobility score", None, "Lead.Mobility_Score__c", None),
    ("recent_mover", "boolean", "Moved firms in the last 2 years", None, "Lead.Recent_Mover__c", None),
    ("firm_bleeding", "boolean", "Current firm losing advisors", None, "Lead.Firm_Bleeding__c", None),
    ("firm_aum_musd", "number", "Firm assets under management", "$M", "Lead.Firm_AUM_MUSD__c", None),
    ("firm_headcount_change_pct", "number", "Firm headcount change (12 months)", "%", "Lead.Firm_Headcount_Change_Pct__c", None),
    ("licenses_count", "number", "Licenses held", None, "Lead.Licenses_Count__c", None),
    ("has_series_65", "boolean", "Holds Series 65", None, "Lead.Has_Series_65__c", None),
    ("email_opens_90d", "number", "Email opens (90 days)", None, "Lead.Email_Opens_90d__c", None),
    ("email_clicks_90d", "number", "Email clicks (90 days)", None, "Lead.Email_Clicks_90d__c", None),
    ("web_visits_30d", "number", "Website visits (30 days)", None, "Lead.Web_Visits_30d__c", None),
    ("event_attended", "boolean", "Attended an event", None, "Lead.Event_Attended__c", None),
    ("last_activity_date", "date", "Last activity", "days", "Lead.LastActivityDate", None),
    ("lead_created_date", "date", "Lead age", "days", "Lead.CreatedDate", None),
    ("has_phone", "boolean", "Phone", None, "Lead.Has_Phone__c", None),
]
EXTRA_40 = ("industry_tenure_months", "number", "Industry tenure", "months", "Lead.Industry_Tenure_Months__c", None)

DESCRIPTIONS = {
    "has_phone": "Checkbox formula NOT(ISBLANK(Phone)) on the Lead.",
    "lead_created_date": "When the lead was created; the model uses its age in days.",
    "last_activity_date": "Last logged activity; the model uses days since it.",
    "industry_tenure_months": "Months in the industry (largely redundant with years_experience).",
}


def input_specs(version: str) -> list[dict]:
    rows = list(INPUTS_41) + ([EXTRA_40] if version == "4.0.0" else [])
    specs = []
    for name, typ, label, unit, field, allowed in rows:
        spec = {"name": name, "type": typ, "label": label}
        if unit:
            spec["unit"] = unit
        spec["field"] = field
        if name in DESCRIPTIONS:
            spec["description"] = DESCRIPTIONS[name]
        spec["required"] = False
        if allowed:
            spec["allowed"] = list(allowed)
        spec["strict"] = False
        specs.append(spec)
    return specs


def feature_specs(version: str) -> list[dict]:
    feats: list[dict] = []
    for name, typ, _label, _unit, _field, allowed in INPUTS_41:
        if name == "seniority":
            feats.append({"kind": "ordinal", "input": name, "categories": list(allowed)})
        elif typ == "string":
            feats.append({"kind": "onehot", "input": name, "categories": list(allowed), "unknown": True})
        elif typ == "date":
            feats.append({"kind": "days_since", "input": name})
        else:
            feats.append({"kind": "number", "input": name})
    if version == "4.0.0":
        feats.append({"kind": "number", "input": "industry_tenure_months"})
        feats.append({"kind": "cross", "name": "tenure_bucket_x_mobility",
                      "terms": [{"input": "tenure_at_firm_months", "edges": [12, 36, 60, 120]}, {"input": "mobility_score"}]})
        feats.append({"kind": "cross", "name": "independent_ria_x_ia_rep",
                      "terms": [{"input": "firm_type", "equals": "Independent RIA"}, {"input": "is_ia_rep"}]})
        feats.append({"kind": "cross", "name": "recent_mover_x_bleeding",
                      "terms": [{"input": "recent_mover"}, {"input": "firm_bleeding"}]})
    return feats


def _choice(rng, values, probs, n):
    p = np.array(probs, dtype=float)
    return rng.choice(np.array(values, dtype=object), size=n, p=p / p.sum())


def _missing(rng, arr, rate):
    arr = arr.astype(object)
    arr[rng.random(len(arr)) < rate] = None
    return arr


def generate(n: int, seed: int) -> tuple[list[dict], np.ndarray, np.ndarray]:
    """n leads: (records of raw inputs incl. industry_tenure_months, 0/1 converted, true logit)."""
    rng = np.random.default_rng(seed)
    as_of = dt.date.fromisoformat(AS_OF)

    lead_source = _choice(rng, LEAD_SOURCES + ["Trade Show"], [30, 8, 7, 8, 15, 17, 14, 1], n)
    industry = _choice(rng, INDUSTRIES + ["Healthcare"], [22, 14, 30, 8, 8, 16, 2], n)
    seniority = _choice(rng, SENIORITIES, [40, 28, 16, 10, 6], n)
    firm_type = _choice(rng, FIRM_TYPES, [22, 20, 18, 18, 12, 10], n)

    years = np.clip(np.round(rng.gamma(3.0, 4.5, n)), 1, 45)
    # tenure at the current firm cannot exceed the career
    tenure = np.minimum(np.round(rng.lognormal(3.6, 0.9, n)), years * 12)
    tenure = np.maximum(tenure, 1)
    prior_firms = np.minimum(rng.poisson(years / 7.0), 9).astype(float)
    mobility = np.clip(np.round(rng.normal(45 + 4 * prior_firms - 0.08 * tenure / 12 * 10, 15), 1), 0, 100)
    recent_mover = tenure < 24
    recent_mover = np.where(rng.random(n) < 0.07, ~recent_mover, recent_mover)  # the flag is stale for some
    firm_bleeding = rng.random(n) < 0.16
    headcount = np.round(rng.normal(1.5, 6.0, n) - 9.0 * firm_bleeding, 1)
    aum = np.round(np.exp(rng.normal(np.log(800), 1.8, n)), 1)
    is_ia_rep = rng.random(n) < np.where(np.isin(firm_type, ["Independent RIA"]), 0.85, 0.35)
    licenses = np.clip(rng.poisson(2.2, n) + is_ia_rep, 0, 8).astype(float)
    has_65 = (rng.random(n) < np.where(is_ia_rep, 0.8, 0.15)) & (licenses > 0)
    engagement = rng.gamma(0.8, 1.0, n)  # latent interest drives opens, clicks and visits together
    opens = rng.poisson(engagement * 6).astype(float)
    clicks = rng.binomial(opens.astype(int), np.clip(0.12 + 0.1 * engagement, 0, 0.9)).astype(float)
    visits = rng.poisson(engagement * 1.6 + 0.2).astype(float)
    event = rng.random(n) < np.where(lead_source == "Event", 0.9, 0.05)
    age_days = np.round(rng.gamma(1.3, 140, n)).astype(int)
    created = np.array([as_of - dt.timedelta(days=int(a)) for a in age_days], dtype=object)
    act_gap = np.minimum(np.round(rng.exponential(45, n) / (0.5 + engagement)), age_days).astype(int)
    last_act = np.array([as_of - dt.timedelta(days=int(a)) for a in act_gap], dtype=object)
    has_activity = rng.random(n) > 0.22 + 0.2 * (engagement < 0.3)
    has_phone = rng.random(n) < np.where(np.isin(lead_source, ["Purchased List", "Cold Call"]), 0.95, 0.72)
    industry_tenure = years * 12 + np.round(rng.normal(0, 18, n))  # redundant with years_experience

    # ---- ground truth ----
    logit = np.zeros(n)
    logit += np.array([SOURCE_EFFECT.get(v, 0.0) for v in lead_source])
    logit += np.array([INDUSTRY_EFFECT.get(v, 0.0) for v in industry])
    logit += np.array([SENIORITY_EFFECT[v] for v in seniority])
    logit += np.array([FIRM_EFFECT[v] for v in firm_type])
    logit += 0.45 * ((firm_type == "Independent RIA") & is_ia_rep)
    logit += np.where(tenure < 12, -0.5, np.where(tenure < 36, 0.0, np.where(tenure < 120, 0.25, 0.05)))
    logit += 0.012 * (mobility - 50)
    logit += 0.35 * np.exp(-((years - 14) / 9.0) ** 2)
    logit += 0.08 * np.minimum(prior_firms, 4)
    logit += -0.3 * recent_mover + 0.55 * firm_bleeding + 0.25 * (recent_mover & firm_bleeding)
    logit += -0.025 * np.clip(headcount, -25, 25)
    logit += -0.08 * (np.log10(aum) - 3)
    logit += 0.25 * has_65 + 0.05 * licenses
    logit += 0.05 * np.log1p(opens) + 0.35 * np.log1p(clicks) + 0.2 * np.log1p(visits)
    logit += 0.45 * event
    logit += np.where(has_activity, 0.6 * np.exp(-act_gap / 20.0), -0.15)
    logit += -0.28 * np.log1p(age_days / 60.0)
    logit += 0.4 * has_phone
    logit += rng.normal(0, 0.35, n)  # what the CRM never sees
    logit += _intercept(logit, 0.035)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)

    # ---- what the CRM shows: missing fields ----
    records_cols = {
        "lead_source": _missing(rng, lead_source, 0.03),
        "industry": _missing(rng, industry, 0.06),
        "seniority": _missing(rng, seniority, 0.12),
        "firm_type": _missing(rng, firm_type, 0.04),
        "is_ia_rep": _missing(rng, is_ia_rep, 0.05),
        "tenure_at_firm_months": _missing(rng, tenure, 0.08),
        "years_experience": _missing(rng, years, 0.05),
        "prior_firms": _missing(rng, prior_firms, 0.1),
        "mobility_score": _missing(rng, mobility, 0.15),
        "recent_mover": _missing(rng, recent_mover, 0.08),
        "firm_bleeding": _missing(rng, firm_bleeding, 0.1),
        "firm_aum_musd": _missing(rng, aum, 0.2),
        "firm_headcount_change_pct": _missing(rng, headcount, 0.18),
        "licenses_count": _missing(rng, licenses, 0.06),
        "has_series_65": _missing(rng, has_65, 0.06),
        "email_opens_90d": opens.astype(object),
        "email_clicks_90d": clicks.astype(object),
        "web_visits_30d": _missing(rng, visits, 0.03),
        "event_attended": event.astype(object),
        "last_activity_date": np.where(has_activity, last_act, None),
        "lead_created_date": created,
        "has_phone": has_phone.astype(object),
        "industry_tenure_months": _missing(rng, industry_tenure, 0.12),
    }
    records = []
    for i in range(n):
        rec = {}
        for k, col in records_cols.items():
            v = col[i]
            if isinstance(v, (np.bool_,)):
                v = bool(v)
            elif isinstance(v, (np.floating,)):
                v = float(v)
            rec[k] = v
        records.append(rec)
    return records, y, logit


def _intercept(logit: np.ndarray, rate: float) -> float:
    lo, hi = -15.0, 5.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if np.mean(1 / (1 + np.exp(-(logit + mid)))) > rate:
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2
