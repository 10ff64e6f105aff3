"""Hand a model you trained yourself to the product in one call.

    from handover import write_handover
    write_handover(booster, name="my-leads", version="1.0.0", inputs=INPUTS, features=FEATURES,
                   train=(records_train, y_train), test=(records_test, y_test), valid=records_valid,
                   as_of="2026-11-01", out_dir="artifacts/my-leads/1.0.0", golden_file="../golden/my-leads-1.0.0.json")

writes what `sf scoring model import` and `sf scoring model validate` read:

- <out_dir>/xgboost.json: booster.save_model
- <out_dir>/metadata.json: name, version, task, description, inputs, features, outputs (quantiles and
  deciles of the validation scores, tiers for binary models), metrics measured on the held-out test
  split (common.binary_metrics / common.count_metrics: the definitions in README.md), gates, baseline
- <out_dir>/background.json: up to 200 training feature rows (covers, model-agnostic SHAP)
- <golden_file>: golden rows (docs/model-package.md, "Golden files"): held-out records with the
  booster's own predictions, which `model validate` scores again and compares

The features are computed with features.transform, the same rules the service applies, so the model
is trained on what it will be served. Copy this file (with common.py and features.py) next to your
own training script.
"""
from __future__ import annotations

import os
from typing import Any, Mapping, Sequence

import numpy as np
import xgboost as xgb

import common
from features import column_names, transform

TASKS = {"binary:logistic": "binary-classification", "count:poisson": "poisson-regression", "reg:squarederror": "regression"}


def feature_matrix(features, records, as_of) -> np.ndarray:
    return transform(features, records, as_of)


def write_handover(
    booster: xgb.Booster,
    *,
    name: str,
    version: str,
    inputs: Sequence[Mapping[str, Any]],
    features: Sequence[Mapping[str, Any]],
    train: tuple[Sequence[Mapping[str, Any]], np.ndarray],
    test: tuple[Sequence[Mapping[str, Any]], np.ndarray],
    valid: Sequence[Mapping[str, Any]],
    as_of: str,
    out_dir: str,
    golden_file: str,
    description: str = "",
    golden_rows: int = 50,
    seed: int = 7,
) -> dict:
    """Writes xgboost.json, metadata.json, background.json and the golden file; returns the metadata."""
    objective = booster.attr("objective") or __import__("json").loads(booster.save_config())["learner"]["objective"]["name"]
    task = TASKS[objective]
    names = column_names(features)
    if booster.feature_names and list(booster.feature_names) != names:
        raise ValueError(f"the booster's feature_names {booster.feature_names} are not the features' columns {names}")
    x_train, x_test, x_valid = (feature_matrix(features, r, as_of) for r in (train[0], test[0], valid))
    predict = lambda x: booster.predict(common.dmatrix(x, booster.feature_names))  # noqa: E731
    p_train, p_test, p_valid = predict(x_train), predict(x_test), predict(x_valid)
    if task == "binary-classification":
        metrics = common.binary_metrics(train[1], p_train, test[1], p_test)
        outputs = {**common.score_outputs(p_valid), "tiers": common.TIERS}
    else:
        metrics = common.count_metrics(train[1], p_train, test[1], p_test)
        outputs = {**common.score_outputs(p_valid), **({"confidence": {"min": 0.5, "max": 0.95}} if task == "poisson-regression" else {})}
    rng = np.random.default_rng(seed)
    background = x_train[rng.choice(len(x_train), size=min(200, len(x_train)), replace=False)]
    metadata = {
        "name": name,
        "version": version,
        "task": task,
        "description": description,
        "inputs": list(inputs),
        "features": list(features),
        "outputs": outputs,
        "metrics": metrics,
        "gates": common.DEFAULT_GATES,
        "baseline": {
            "score": common.histogram(p_valid, outputs["deciles"]),
            "inputs": common.input_baselines(inputs, valid, as_of),
        },
        "background": {"file": "background.json", "rows": int(len(background))},
    }
    common.save_booster(booster, out_dir)
    common.write_json(os.path.join(out_dir, "metadata.json"), common.clean(metadata))
    common.write_json(os.path.join(out_dir, "background.json"), common.clean(background.tolist()), indent=None)

    picked = common.pick_golden_indices(x_test, min(golden_rows, len(x_test)), rng)
    records = [test[0][i] for i in picked]
    ref = common.reference_outputs(booster, x_test[picked])
    ids = [f"golden-{i:04d}" for i in range(len(picked))]
    input_names = [spec["name"] for spec in inputs]
    os.makedirs(os.path.dirname(os.path.abspath(golden_file)), exist_ok=True)
    common.write_rows_json(golden_file, {
        "model": name,
        "version": version,
        "xgboost": xgb.__version__,
        "rows": common.golden_rows(ids, [{k: r.get(k) for k in input_names} for r in records], as_of, x_test[picked], ref),
    })
    return metadata
