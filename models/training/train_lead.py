"""Train lead-scoring 4.0.0 and 4.1.0 on the same synthetic leads; write artifacts and golden files.

usage: python3 train_lead.py [--versions 4.1.0,4.0.0]
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np
import xgboost as xgb
from sklearn.metrics import roc_auc_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import lead_data  # noqa: E402
from features import column_names, transform  # noqa: E402

SEED = 41
N_LEADS = 90_000
N_TREES = 300

# 4.1.0: the redundant inputs are gone and the trees are regularised.
# 4.0.0: what it replaced: the redundant inputs, full-depth greedy trees, a faster learning rate.
PARAMS = {
    "4.1.0": {"eta": 0.03, "max_depth": 6, "min_child_weight": 8, "subsample": 0.8, "colsample_bytree": 0.8,
              "lambda": 10.0, "gamma": 0.5},
    "4.0.0": {"eta": 0.06, "max_depth": 6, "min_child_weight": 2, "subsample": 1.0, "colsample_bytree": 1.0,
              "lambda": 1.0, "gamma": 0.0},
}
DESCRIPTION = {
    "4.1.0": "Advisor-recruiting lead scorer V4.1.0: 22 inputs, the four redundant 4.0.0 features dropped, regularised trees.",
    "4.0.0": "Advisor-recruiting lead scorer V4.0.0: 22 inputs plus industry tenure and three crosses.",
}


def split(n: int, rng: np.random.Generator):
    order = rng.permutation(n)
    a, b = int(0.6 * n), int(0.8 * n)
    return np.sort(order[:a]), np.sort(order[a:b]), np.sort(order[b:])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--versions", default="4.1.0,4.0.0")
    args = ap.parse_args()

    records, y, true_logit = lead_data.generate(N_LEADS, SEED)
    rng = np.random.default_rng(SEED + 1)
    train, valid, test = split(len(records), rng)
    pick = lambda idx: [records[i] for i in idx]  # noqa: E731

    for version in args.versions.split(","):
        inputs = lead_data.input_specs(version)
        features = lead_data.feature_specs(version)
        input_names = [spec["name"] for spec in inputs]  # golden rows carry only this version's inputs
        names = column_names(features)
        x = transform(features, records, lead_data.AS_OF)
        params = {"objective": "binary:logistic", "eval_metric": "auc", "tree_method": "hist", "seed": SEED,
                  "nthread": 2, **PARAMS[version]}
        booster = xgb.train(params, xgb.DMatrix(x[train].astype(np.float32), label=y[train], missing=np.nan,
                                                feature_names=names), num_boost_round=N_TREES)
        p = lambda idx: booster.predict(common.dmatrix(x[idx], names))  # noqa: E731
        metrics = common.binary_metrics(y[train], p(train), y[test], p(test))
        metrics["n_validation"] = int(len(valid))
        # the generator's true log-odds ranks the test leads this well: no model can do better on average
        metrics["auc_test_oracle"] = float(roc_auc_score(y[test], true_logit[test]))
        p_valid = p(valid)
        outputs = {**common.score_outputs(p_valid), "tiers": common.TIERS}

        folder = os.path.join(common.ARTIFACTS, "lead-scoring", version)
        common.save_booster(booster, folder)
        bg = np.random.default_rng(SEED + 2).choice(train, 200, replace=False)
        common.write_json(os.path.join(folder, "background.json"), x[np.sort(bg)], indent=None)
        common.write_json(os.path.join(folder, "metadata.json"), {
            "name": "lead-scoring",
            "version": version,
            "task": "binary-classification",
            "description": DESCRIPTION[version],
            "inputs": inputs,
            "features": features,
            "outputs": outputs,
            "metrics": metrics,
            "gates": common.DEFAULT_GATES,
            "baseline": {
                "score": common.histogram(p_valid, outputs["deciles"]),
                "inputs": common.input_baselines(inputs, pick(valid), lead_data.AS_OF),
            },
            "background": {"file": "background.json", "rows": 200},
            "training": {"generator": "models/training/lead_data.py", "seed": SEED, "n_leads": N_LEADS,
                         "xgboost": xgb.__version__, "params": params, "num_boost_round": N_TREES},
        })

        g = common.pick_golden_indices(x[test], 300, np.random.default_rng(SEED + 3))
        rows_idx = test[g]
        ref = common.reference_outputs(booster, x[rows_idx])
        ids = [f"00Q{version.replace('.', '')}{i:012d}" for i in rows_idx]
        common.write_rows_json(os.path.join(common.GOLDEN, f"lead-scoring-{version}.json"), {
            "model": "lead-scoring", "version": version, "xgboost": xgb.__version__, "columns": names,
            "rows": common.golden_rows(ids, [{k: r[k] for k in input_names} for r in pick(rows_idx)],
                                       lead_data.AS_OF, x[rows_idx], ref),
        })
        keys = ["auc_train", "auc_test", "overfit_gap", "top_decile_lift", "top_decile_conversion", "bottom20_conversion", "positive_rate"]
        print(f"lead-scoring {version}: " + ", ".join(f"{k}={metrics[k]:.4f}" for k in keys))


if __name__ == "__main__":
    main()
