"""Extra XGBoost model shapes for importer and TreeSHAP tests: models the TypeScript code was
not developed against (other objectives, explicit base_score, deep trees with many missing
values, exact/approx split finding, stumps, values exactly on split thresholds).

Usage: train_shapes.py [SHAPE ...] (default: every shape).
Writes artifacts/shapes/<shape>/{xgboost.json,metadata.json,background.json} and
../golden/shapes/<shape>.json (features, margins, predictions, pred_contribs).
"""
from __future__ import annotations

import os
import sys

import numpy as np
import xgboost as xgb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

SEED = 7
TASK = {"binary:logistic": "binary-classification", "count:poisson": "poisson-regression", "reg:squarederror": "regression"}

# name -> (objective, params, trees, n_features, missing rate, integer-valued features, feature names in the JSON)
SHAPES = {
    "reg-squarederror": ("reg:squarederror", {"max_depth": 4, "eta": 0.1, "tree_method": "hist"}, 60, 8, 0.1, False, True),
    "reg-squarederror-negative-base": ("reg:squarederror", {"max_depth": 3, "eta": 0.2, "tree_method": "approx",
                                                            "base_score": -3.5}, 25, 5, 0.05, False, False),
    "binary-depth3-base-score": ("binary:logistic", {"max_depth": 3, "eta": 0.2, "base_score": 0.2,
                                                     "tree_method": "hist"}, 40, 6, 0.1, False, True),
    "poisson-base-score": ("count:poisson", {"max_depth": 5, "eta": 0.1, "base_score": 3.0,
                                             "tree_method": "hist"}, 80, 7, 0.1, False, True),
    "poisson-default-base": ("count:poisson", {"max_depth": 4, "eta": 0.15, "tree_method": "exact"}, 30, 4, 0.0, False, False),
    "binary-deep-missing": ("binary:logistic", {"max_depth": 8, "eta": 0.3, "tree_method": "exact",
                                                "min_child_weight": 0.1}, 6, 10, 0.5, False, True),
    "binary-ties": ("binary:logistic", {"max_depth": 4, "eta": 0.3, "tree_method": "hist"}, 30, 5, 0.05, True, True),
    "reg-stumps": ("reg:squarederror", {"max_depth": 1, "eta": 0.5, "tree_method": "hist"}, 20, 3, 0.2, True, False),
    # Deep trees: leaves with 9-12 unique path features, past the single-leaf table (TreeSHAP's path method).
    "binary-depth10": ("binary:logistic", {"max_depth": 10, "eta": 0.2, "tree_method": "hist", "min_child_weight": 0.5},
                       30, 14, 0.15, False, True),
    "reg-depth12": ("reg:squarederror", {"max_depth": 12, "eta": 0.3, "tree_method": "exact", "min_child_weight": 0.5},
                    8, 16, 0.1, False, False),
    # The held-out model of `npm run bench` (depth 8 x 120 trees, 30 columns): nothing in the project was tuned on it.
    "binary-depth8-bench": ("binary:logistic", {"max_depth": 8, "eta": 0.1, "tree_method": "hist"}, 120, 30, 0.1, False, True),
}
# Training rows per shape (3,000 unless named): deep trees need enough rows to fill their levels.
TRAIN_ROWS = {"binary-depth10": 20000, "reg-depth12": 20000, "binary-depth8-bench": 30000}


def make_data(objective: str, n: int, k: int, missing: float, integers: bool, rng: np.random.Generator):
    x = np.round(rng.uniform(0, 6, (n, k))) if integers else rng.normal(0, 1, (n, k)) * rng.uniform(0.5, 20, k)
    z = x / np.maximum(np.std(x, axis=0), 1e-9)
    signal = 0.8 * z[:, 0] - 0.5 * z[:, 1 % k] + 0.6 * z[:, 0] * z[:, 2 % k] + 0.4 * np.sin(2 * z[:, 3 % k])
    if objective == "binary:logistic":
        y = (rng.random(n) < 1 / (1 + np.exp(-(signal - 0.5)))).astype(float)
    elif objective == "count:poisson":
        y = rng.poisson(np.exp(0.5 * signal + 1.0)).astype(float)
    else:
        y = 2 * signal + rng.normal(0, 0.5, n) - 3.0
    x = x.copy()
    x[rng.random(x.shape) < missing] = np.nan
    return x, y


def with_ties(x: np.ndarray, thresholds: dict[int, list[float]], rng: np.random.Generator) -> np.ndarray:
    """Put a third of the rows' used features exactly on one of that feature's split thresholds."""
    x = x.copy()
    for i in range(0, len(x), 3):
        for f, cuts in thresholds.items():
            if rng.random() < 0.6:
                x[i, f] = cuts[rng.integers(len(cuts))]
    return x


def main(only: list[str]) -> None:
    unknown = [s for s in only if s not in SHAPES]
    if unknown:
        raise SystemExit(f"unknown shape(s) {', '.join(unknown)}; known: {', '.join(SHAPES)}")
    for shape, (objective, extra, trees, k, missing, integers, named) in SHAPES.items():
        if only and shape not in only:
            continue
        rng = np.random.default_rng(SEED + len(shape))
        x, y = make_data(objective, TRAIN_ROWS.get(shape, 3000), k, missing, integers, rng)
        names = [f"f{i}" for i in range(k)]
        params = {"objective": objective, "seed": SEED, "nthread": 2, **extra}
        dtrain = xgb.DMatrix(x.astype(np.float32), label=y, missing=np.nan, feature_names=names if named else None)
        booster = xgb.train(params, dtrain, num_boost_round=trees)

        folder = os.path.join(common.ARTIFACTS, "shapes", shape)
        common.save_booster(booster, folder)
        cuts = common.threshold_table(booster)
        xg, _ = make_data(objective, 200, k, missing, integers, rng)
        xg = with_ties(xg, cuts, rng)
        xg[5] = np.nan  # one row with every value missing
        ref = common.reference_outputs(booster, xg)
        columns = names
        common.write_rows_json(os.path.join(common.GOLDEN, "shapes", f"{shape}.json"), {
            "shape": shape, "objective": objective, "params": params, "trees": trees, "xgboost": xgb.__version__,
            "model": f"models/training/artifacts/shapes/{shape}/xgboost.json", "columns": columns,
            "rows": [{"id": f"row-{i}", "features": xg[i], "margin": float(ref["margin"][i]),
                      "prediction": float(ref["prediction"][i]), "contribs": ref["contribs"][i]} for i in range(len(xg))],
        })

        pred_train = booster.predict(common.dmatrix(x, booster.feature_names))
        metrics = {"n_train": len(x)}
        if objective == "binary:logistic":
            from sklearn.metrics import roc_auc_score

            metrics["auc_train"] = float(roc_auc_score(y, pred_train))
        elif objective == "count:poisson":
            metrics["poisson_deviance"] = common.poisson_deviance(y, pred_train)
        else:
            metrics["rmse"] = float(np.sqrt(np.mean((y - pred_train) ** 2)))
        common.write_json(os.path.join(folder, "background.json"), x[:100], indent=None)
        common.write_json(os.path.join(folder, "metadata.json"), {
            "name": f"shape-{shape}",
            "version": "1.0.0",
            "task": TASK[objective],
            "description": f"Test shape {shape}: {objective}, {trees} trees, params {extra}. Metrics are on training data.",
            "inputs": [{"name": n, "type": "number", "label": f"Feature {n}", "required": False, "strict": False} for n in names],
            "features": [{"kind": "number", "input": n} for n in names],
            "outputs": common.score_outputs(pred_train),
            "metrics": metrics,
            "background": {"file": "background.json", "rows": 100},
        })
        n_ties = sum(1 for i in range(len(xg)) for f, c in cuts.items() if xg[i, f] in c)
        print(f"shape {shape}: {objective}, {trees} trees, {k} features, {n_ties} values on thresholds")


if __name__ == "__main__":
    main(sys.argv[1:])  # shape names: train only those (default: all)
