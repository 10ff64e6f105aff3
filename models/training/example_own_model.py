"""A data scientist's own lead model, the way docs/model-package.md describes it: 10 inputs of mixed
types, trained with XGBoost, handed over with handover.write_handover. The committed output
(artifacts/own-leads/1.0.0/ and ../golden/own-leads-1.0.0.json) is what the tests import and
validate, since CI has no Python.

    /usr/bin/python3 models/training/example_own_model.py
"""
from __future__ import annotations

import datetime as dt
import os

import numpy as np
import xgboost as xgb

import common
from features import column_names, transform
from handover import write_handover

SEED = 14
AS_OF = "2026-11-01"
INDUSTRIES = ["Banking", "Insurance", "Wealth"]
SOURCES = ["Referral", "Web", "Event"]
SENIORITY = ["Associate", "Manager", "Director", "VP"]

INPUTS = [
    {"name": "annual_revenue", "type": "number", "label": "Annual revenue", "unit": "dollars", "field": "Lead.AnnualRevenue"},
    {"name": "employees", "type": "number", "label": "Employees", "unit": "people", "field": "Lead.NumberOfEmployees"},
    {"name": "industry", "type": "string", "label": "Industry", "field": "Lead.Industry", "allowed": INDUSTRIES},
    {"name": "lead_source", "type": "string", "label": "Lead source", "field": "Lead.LeadSource", "allowed": SOURCES},
    {"name": "has_phone", "type": "boolean", "label": "Phone", "field": "Lead.Has_Phone__c"},
    {"name": "has_email", "type": "boolean", "label": "Email", "field": "Lead.Has_Email__c"},
    {"name": "last_activity", "type": "date", "label": "Last activity", "field": "Lead.Last_Activity__c", "description": "Date of the lead's last logged activity"},
    {"name": "title_seniority", "type": "string", "label": "Title seniority", "field": "Lead.Title_Seniority__c", "allowed": SENIORITY},
    {"name": "web_visits", "type": "number", "label": "Web visits", "unit": "visits", "field": "Lead.Web_Visits__c"},
    {"name": "email_opens", "type": "number", "label": "Email opens", "unit": "opens", "field": "Lead.Email_Opens__c"},
]
FEATURES = [
    {"kind": "number", "input": "annual_revenue"},
    {"kind": "number", "input": "employees"},
    {"kind": "onehot", "input": "industry", "categories": INDUSTRIES},
    {"kind": "onehot", "input": "lead_source", "categories": SOURCES},
    {"kind": "number", "input": "has_phone"},
    {"kind": "number", "input": "has_email"},
    {"kind": "days_since", "input": "last_activity", "name": "days_since_last_activity"},
    {"kind": "ordinal", "input": "title_seniority", "categories": SENIORITY},
    {"kind": "bucket", "input": "web_visits", "edges": [1, 3, 10]},
    {"kind": "number", "input": "email_opens"},
]


def synthetic_leads(n: int, rng: np.random.Generator) -> tuple[list[dict], np.ndarray]:
    as_of = dt.date.fromisoformat(AS_OF)
    records, logits = [], []
    for _ in range(n):
        r = {
            "annual_revenue": float(np.round(rng.lognormal(15, 1))) if rng.random() > 0.1 else None,
            "employees": int(rng.integers(1, 5000)),
            "industry": str(rng.choice(INDUSTRIES + ["Retail"])),
            "lead_source": str(rng.choice(SOURCES)) if rng.random() > 0.05 else None,
            "has_phone": bool(rng.random() > 0.3),
            "has_email": bool(rng.random() > 0.2),
            "last_activity": (as_of - dt.timedelta(days=int(rng.integers(0, 400)))).isoformat() if rng.random() > 0.1 else None,
            "title_seniority": str(rng.choice(SENIORITY)),
            "web_visits": int(rng.poisson(3)),
            "email_opens": int(rng.poisson(2)),
        }
        days = 200 if r["last_activity"] is None else (as_of - dt.date.fromisoformat(r["last_activity"])).days
        logit = (
            -2.0
            + 0.8 * (r["lead_source"] == "Referral")
            + 0.6 * r["has_phone"]
            + 0.3 * SENIORITY.index(r["title_seniority"])
            + 0.15 * min(r["web_visits"], 10)
            - 0.004 * days
            + 0.2 * (r["industry"] == "Wealth")
        )
        records.append(r)
        logits.append(logit)
    y = (rng.random(n) < 1 / (1 + np.exp(-np.array(logits)))).astype(np.float64)
    return records, y


def main() -> None:
    rng = np.random.default_rng(SEED)
    records, y = synthetic_leads(3000, rng)
    train, valid, test = slice(0, 1800), slice(1800, 2400), slice(2400, 3000)
    x = transform(FEATURES, records, AS_OF)
    dtrain = common.dmatrix(x[train], column_names(FEATURES))
    dtrain.set_label(y[train])
    booster = xgb.train(
        {"objective": "binary:logistic", "max_depth": 3, "eta": 0.1, "seed": SEED, "nthread": 1},
        dtrain,
        num_boost_round=40,
    )
    out_dir = os.path.join(common.ARTIFACTS, "own-leads", "1.0.0")
    write_handover(
        booster,
        name="own-leads",
        version="1.0.0",
        description="Example of a model trained outside this repo and handed over with handover.py",
        inputs=INPUTS,
        features=FEATURES,
        train=(records[train], y[train]),
        test=(records[test], y[test]),
        valid=records[valid],
        as_of=AS_OF,
        out_dir=out_dir,
        golden_file=os.path.join(common.GOLDEN, "own-leads-1.0.0.json"),
    )
    print(f"wrote {out_dir} and {os.path.join(common.GOLDEN, 'own-leads-1.0.0.json')}")


if __name__ == "__main__":
    main()
