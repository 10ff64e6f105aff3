"""Shared pieces of the trainers: metrics, output calibration (quantiles/deciles), drift
baselines, artifact and golden-file writers. Definitions are written down in README.md."""
from __future__ import annotations

import json
import math
import os
from typing import Any, Mapping, Sequence

import numpy as np
import xgboost as xgb
from sklearn.metrics import roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))
ARTIFACTS = os.path.join(HERE, "artifacts")
GOLDEN = os.path.normpath(os.path.join(HERE, "..", "golden"))

TIERS = [{"name": "Hot", "minDecile": 9}, {"name": "Warm", "minDecile": 6}, {"name": "Cold", "minDecile": 1}]
DEFAULT_GATES = {
    "promotion": {"min_auc_gain_over_champion": 0, "min_top_decile_lift": 1.5, "max_overfit_gap": 0.15},
    "rollback": {"min_top_decile_lift": 1.5, "consecutive_weeks": 2, "min_auc": 0.59, "min_top_decile_conversion": 0.05},
    "signoffs": ["data-science", "engineering", "business"],
}


# ---------- JSON ----------

def clean(value: Any) -> Any:
    """numpy -> plain Python, NaN/inf -> None (JSON null)."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return [clean(v) for v in value.tolist()]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return None if (math.isnan(f) or math.isinf(f)) else f
    return value


def write_json(path: str, value: Any, indent: int | None = 2) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(clean(value), fh, indent=indent, ensure_ascii=False, allow_nan=False)
        fh.write("\n")


def write_rows_json(path: str, value: Mapping[str, Any], expand: Sequence[str] = ("rows",)) -> None:
    """Golden files: one row per line, so diffs stay readable and files stay small."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    value = clean(value)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("{\n")
        keys = list(value.keys())
        for i, key in enumerate(keys):
            v = value[key]
            sep = "," if i < len(keys) - 1 else ""
            if key in expand and isinstance(v, list):
                fh.write(f"  {json.dumps(key)}: [\n")
                for j, row in enumerate(v):
                    fh.write("    " + json.dumps(row, ensure_ascii=False, allow_nan=False) + ("," if j < len(v) - 1 else "") + "\n")
                fh.write(f"  ]{sep}\n")
            else:
                fh.write(f"  {json.dumps(key)}: {json.dumps(v, ensure_ascii=False, allow_nan=False)}{sep}\n")
        fh.write("}\n")


# ---------- metrics ----------

def lift_by_decile(y: np.ndarray, score: np.ndarray) -> tuple[list[float], list[float]]:
    """Rank rows by score (stable, ascending), cut into 10 groups of (nearly) equal size with
    np.array_split; returns (conversion rate, lift = rate / overall rate) per decile, decile 1 (lowest) first."""
    order = np.argsort(score, kind="stable")
    groups = np.array_split(order, 10)
    overall = float(np.mean(y))
    rates = [float(np.mean(y[g])) for g in groups]
    return rates, [r / overall for r in rates]


def binary_metrics(y_train, p_train, y_test, p_test) -> dict:
    auc_train = float(roc_auc_score(y_train, p_train))
    auc_test = float(roc_auc_score(y_test, p_test))
    rates, lifts = lift_by_decile(np.asarray(y_test), np.asarray(p_test))
    order = np.argsort(p_test, kind="stable")
    bottom20 = order[: int(round(0.2 * len(order)))]
    return {
        "auc_train": auc_train,
        "auc_test": auc_test,
        "overfit_gap": auc_train - auc_test,
        "lift_by_decile": lifts,
        "top_decile_lift": lifts[-1],
        "top_decile_conversion": rates[-1],
        "bottom20_conversion": float(np.mean(np.asarray(y_test)[bottom20])),
        "positive_rate": float(np.mean(y_test)),
        "n_train": int(len(y_train)),
        "n_test": int(len(y_test)),
    }


def poisson_deviance(y: np.ndarray, mu: np.ndarray) -> float:
    """Mean Poisson deviance: 2 * mean(y*log(y/mu) - (y - mu)), with y*log(y/mu) = 0 when y = 0."""
    y = np.asarray(y, dtype=np.float64)
    mu = np.asarray(mu, dtype=np.float64)
    term = np.where(y > 0, y * np.log(np.where(y > 0, y, 1) / mu), 0.0)
    return float(2 * np.mean(term - (y - mu)))


def count_metrics(y_train, mu_train, y_test, mu_test) -> dict:
    y_test = np.asarray(y_test, dtype=np.float64)
    mu_test = np.asarray(mu_test, dtype=np.float64)
    ss_res = float(np.sum((y_test - mu_test) ** 2))
    ss_tot = float(np.sum((y_test - y_test.mean()) ** 2))
    return {
        "poisson_deviance": poisson_deviance(y_test, mu_test),
        "poisson_deviance_train": poisson_deviance(y_train, mu_train),
        # weighted MAPE = sum|y - mu| / sum y (absolute errors weighted by actual counts)
        "weighted_mape": float(np.sum(np.abs(y_test - mu_test)) / np.sum(y_test)),
        "r2": 1 - ss_res / ss_tot,
        "rmse": float(np.sqrt(np.mean((y_test - mu_test) ** 2))),
        "n_train": int(len(y_train)),
        "n_test": int(len(y_test)),
    }


# ---------- outputs and baseline ----------

def score_outputs(valid_scores: np.ndarray) -> dict:
    """101 quantiles (q0..q100) and 9 decile cuts (q10..q90) of the validation scores (numpy 'linear')."""
    s = np.asarray(valid_scores, dtype=np.float64)
    quantiles = np.quantile(s, np.linspace(0, 1, 101))
    deciles = np.quantile(s, np.arange(1, 10) / 10)
    return {"quantiles": quantiles.tolist(), "deciles": deciles.tolist()}


def histogram(values: np.ndarray, edges: Sequence[float]) -> dict:
    """Bins (-inf, e0], (e0, e1], ..., (e_last, inf): a value v goes to bin = number of edges < v."""
    v = np.asarray(values, dtype=np.float64)
    v = v[~np.isnan(v)]
    edges = [float(e) for e in edges]
    idx = np.searchsorted(np.array(edges), v, side="left")
    counts = np.bincount(idx, minlength=len(edges) + 1).astype(np.float64)
    return {"edges": edges, "proportions": (counts / max(len(v), 1)).tolist()}


def numeric_baseline(values: np.ndarray) -> dict:
    v = np.asarray(values, dtype=np.float64)
    v = v[~np.isnan(v)]
    edges = sorted(set(np.quantile(v, np.arange(1, 10) / 10).tolist())) if len(v) else [0.0]
    return histogram(v, edges)


def categorical_baseline(values: Sequence[Any], categories: Sequence[str]) -> dict:
    """Shares of each allowed value, plus __unknown__ (other values) and __missing__."""
    from features import is_missing, token_value

    cats = list(categories) + ["__unknown__", "__missing__"]
    counts = dict.fromkeys(cats, 0)
    for v in values:
        if is_missing(v):
            counts["__missing__"] += 1
        else:
            t = token_value(v)
            counts[t if t in counts and t not in ("__unknown__", "__missing__") else "__unknown__"] += 1
    total = max(sum(counts.values()), 1)
    return {"categories": cats, "proportions": [counts[c] / total for c in cats]}


def input_baselines(inputs: Sequence[Mapping[str, Any]], records: Sequence[Mapping[str, Any]], as_of: str) -> dict:
    """Input distributions on the validation records. Dates are described by their days before as_of."""
    import datetime as dt

    from features import is_missing, numeric_value, parse_date

    out: dict[str, Any] = {}
    ref = dt.date.fromisoformat(as_of)
    for spec in inputs:
        name = spec["name"]
        vals = [r.get(name) for r in records]
        if spec["type"] == "string":
            out[name] = categorical_baseline(vals, spec.get("allowed") or sorted({v for v in vals if not is_missing(v)})[:50])
        elif spec["type"] == "boolean":
            out[name] = categorical_baseline(vals, ["false", "true"])
        elif spec["type"] == "date":
            days = [np.nan if is_missing(v) else float((ref - parse_date(name, v)).days) for v in vals]
            out[name] = numeric_baseline(np.array(days))
        else:
            out[name] = numeric_baseline(np.array([numeric_value(name, v) for v in vals]))
    return out


# ---------- predictions and golden files ----------

def dmatrix(x: np.ndarray, names: Sequence[str] | None = None) -> xgb.DMatrix:
    return xgb.DMatrix(np.asarray(x, dtype=np.float32), missing=np.nan, feature_names=list(names) if names else None)


def reference_outputs(booster: xgb.Booster, x: np.ndarray) -> dict:
    d = dmatrix(x, booster.feature_names)
    return {
        "margin": booster.predict(d, output_margin=True),
        "prediction": booster.predict(d),
        "contribs": booster.predict(d, pred_contribs=True),
    }


def save_booster(booster: xgb.Booster, folder: str) -> str:
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "xgboost.json")
    booster.save_model(path)
    return path


def json_records(records: Sequence[Mapping[str, Any]]) -> list[dict]:
    """Raw inputs as the service receives them: missing -> null, dates as YYYY-MM-DD, numpy -> Python."""
    import datetime as dt

    from features import is_missing

    out = []
    for r in records:
        row = {}
        for k, v in r.items():
            if is_missing(v):
                row[k] = None
            elif isinstance(v, (dt.date, dt.datetime)):
                row[k] = v.isoformat()[:10]
            elif isinstance(v, (float, np.floating)) and float(v).is_integer() and abs(v) < 2**53:
                row[k] = int(v)  # JSON reads the same number either way; this is just easier to read
            else:
                row[k] = clean(v)
        out.append(row)
    return out


def golden_rows(ids, records, as_of: str, x: np.ndarray, ref: dict) -> list[dict]:
    inputs = json_records(records)
    rows = []
    for i in range(len(ids)):
        rows.append(
            {
                "id": ids[i],
                "inputs": inputs[i],
                "asOf": as_of,
                "features": clean(x[i]),
                "margin": float(ref["margin"][i]),
                "prediction": float(ref["prediction"][i]),
                "contribs": clean(ref["contribs"][i]),
            }
        )
    return rows


def pick_golden_indices(x: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """n row indices, at least a third of them with a missing value when the data has any."""
    has_nan = np.isnan(x).any(axis=1)
    with_nan = np.flatnonzero(has_nan)
    without = np.flatnonzero(~has_nan)
    k = min(len(with_nan), max(n // 3, n - len(without)))
    chosen = np.concatenate([rng.choice(with_nan, k, replace=False), rng.choice(without, n - k, replace=False)])
    return np.sort(chosen)


def threshold_table(booster: xgb.Booster) -> dict[int, list[float]]:
    """Split thresholds (as float32 values) per feature index, read from the model JSON."""
    model = json.loads(booster.save_raw("json"))
    out: dict[int, set] = {}
    for tree in model["learner"]["gradient_booster"]["model"]["trees"]:
        for left, idx, cond in zip(tree["left_children"], tree["split_indices"], tree["split_conditions"]):
            if left != -1:
                out.setdefault(int(idx), set()).add(float(np.float32(cond)))
    return {k: sorted(v) for k, v in out.items()}
