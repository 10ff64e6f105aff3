"""Train gift-demand 2.1.0 (count:poisson) per the seed 000 checklist; write artifacts and golden file.

Rows: product x gender group x shop (one order cycle per shop). Split by shop with
GroupShuffleSplit (train / validation / test, no shop in two sets: asserted).
"""
from __future__ import annotations

import os
import sys

import numpy as np
import xgboost as xgb
from sklearn.model_selection import GroupShuffleSplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import gift_data  # noqa: E402
from features import column_names, transform  # noqa: E402

SEED = 2100
VERSION = "2.1.0"
N_TREES = 300
PARAMS = {"objective": "count:poisson", "eta": 0.05, "max_depth": 6, "min_child_weight": 3, "subsample": 0.8,
          "colsample_bytree": 0.7, "lambda": 5.0, "tree_method": "hist", "seed": SEED, "nthread": 2}
ID_INPUTS = {"product_id", "product_brand", "shop_id", "branch_id"}  # no drift baseline for identifiers


def group_split(groups: np.ndarray, idx: np.ndarray, test_size: float, seed: int):
    gss = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
    a, b = next(gss.split(idx, groups=groups[idx]))
    a, b = idx[a], idx[b]
    overlap = set(groups[a]) & set(groups[b])
    assert not overlap, f"shop leakage between splits: {sorted(overlap)[:5]}"
    return a, b


def aggregate_by_product_shop(groups, records, values):
    """Sum per (shop, product) across the gender rows: what /predict reports per product."""
    sums: dict[tuple, float] = {}
    for g, r, v in zip(groups, records, values):
        key = (g, r["product_id"])
        sums[key] = sums.get(key, 0.0) + float(v)
    return sums


def main() -> None:
    records, y, exposure, groups, snapshot = gift_data.generate(SEED)
    features = gift_data.feature_specs()
    inputs = gift_data.input_specs()
    names = column_names(features)
    assert len(names) == 20 + gift_data.HASH_DIM_PER_SET * gift_data.NUM_HASH_SETS
    assert "total_employees_in_group" not in {f.get("input") for f in features}
    as_of = [r["_as_of"] for r in records]
    clean_records = [{k: v for k, v in r.items() if not k.startswith("_")} for r in records]
    x = transform(features, clean_records, as_of, {"shop_features": snapshot})

    all_idx = np.arange(len(records))
    train_full, test = group_split(groups, all_idx, 0.2, SEED)
    train, valid = group_split(groups, train_full, 0.125, SEED + 1)
    assert not (set(groups[train]) & set(groups[test])) and not (set(groups[valid]) & set(groups[test]))

    # XGBoost refuses "[" in feature names, so this model JSON carries none; the manifest names the columns.
    dtrain = xgb.DMatrix(x[train].astype(np.float32), label=y[train], missing=np.nan)
    booster = xgb.train(PARAMS, dtrain, num_boost_round=N_TREES)
    mu = lambda idx: booster.predict(common.dmatrix(x[idx]))  # noqa: E731
    mu_train, mu_valid, mu_test = mu(train), mu(valid), mu(test)
    metrics = common.count_metrics(y[train], mu_train, y[test], mu_test)
    metrics["n_validation"] = int(len(valid))
    metrics["n_shops_train"] = int(len(set(groups[train])))
    metrics["n_shops_test"] = int(len(set(groups[test])))
    actual = aggregate_by_product_shop(groups[test], [clean_records[i] for i in test], y[test])
    predicted = aggregate_by_product_shop(groups[test], [clean_records[i] for i in test], mu_test)
    a = np.array([actual[k] for k in actual])
    p = np.array([predicted[k] for k in actual])
    metrics["product_level_weighted_mape"] = float(np.sum(np.abs(a - p)) / np.sum(a))
    metrics["mean_selection_count"] = float(np.mean(y[test]))

    folder = os.path.join(common.ARTIFACTS, "gift-demand", VERSION)
    common.save_booster(booster, folder)
    common.write_json(os.path.join(folder, "snapshots", "shop_features.json"), snapshot, indent=None)
    bg = np.sort(np.random.default_rng(SEED + 2).choice(train, 200, replace=False))
    common.write_json(os.path.join(folder, "background.json"), x[bg], indent=None)
    outputs = {**common.score_outputs(mu_valid), "confidence": {"min": 0.5, "max": 0.95}}
    common.write_json(os.path.join(folder, "metadata.json"), {
        "name": "gift-demand",
        "version": VERSION,
        "task": "poisson-regression",
        "description": ("Gift demand v2.1: expected selections per product x gender group x shop (count:poisson); "
                        "3 hashed interaction sets x 32 columns + 20 core features incl. shop history from a snapshot."),
        "inputs": inputs,
        "features": features,
        "outputs": outputs,
        "metrics": metrics,
        "gates": common.DEFAULT_GATES,
        "baseline": {
            "score": common.histogram(mu_valid, outputs["deciles"]),
            "inputs": common.input_baselines([s for s in inputs if s["name"] not in ID_INPUTS],
                                             [clean_records[i] for i in valid], "2026-11-01"),
        },
        # /predict's canary keys its bucket on the shop, so a shop sees one version for a whole ordering cycle.
        "rollout": {"key": "shop_id"},
        "background": {"file": "background.json", "rows": 200},
        "training": {"generator": "models/training/gift_data.py", "seed": SEED, "xgboost": xgb.__version__,
                     "params": PARAMS, "num_boost_round": N_TREES, "split": "GroupShuffleSplit by shop",
                     "exposure": "total_employees_in_group is not a feature"},
    })

    # golden rows from test shops, making sure the lookup's three paths are all present
    rng = np.random.default_rng(SEED + 3)
    by_path = {"shop": [], "branch": [], "defaults": []}
    for i in test:
        r = clean_records[i]
        if r["shop_id"] and r["shop_id"] in snapshot["index"]["shop_id"]:
            by_path["shop"].append(i)
        elif r["branch_id"] in snapshot["index"]["branch_id"]:
            by_path["branch"].append(i)
        else:
            by_path["defaults"].append(i)
    chosen = []
    for path, want in (("branch", 40), ("defaults", 40), ("shop", 220)):
        pool = by_path[path]
        chosen.extend(rng.choice(pool, min(want, len(pool)), replace=False).tolist())
    rows_idx = np.array(sorted(chosen))
    ref = common.reference_outputs(booster, x[rows_idx])
    ids = [f"{groups[i]}-{clean_records[i]['product_id']}-{clean_records[i]['gender']}" for i in rows_idx]
    rows = []
    for j, i in enumerate(rows_idx):
        rows.extend(common.golden_rows([ids[j]], [clean_records[i]], as_of[i], x[[i]],
                                       {k: v[[j]] for k, v in ref.items()}))
    common.write_rows_json(os.path.join(common.GOLDEN, f"gift-demand-{VERSION}.json"), {
        "model": "gift-demand", "version": VERSION, "xgboost": xgb.__version__, "columns": names,
        "snapshots": {"shop_features": f"models/training/artifacts/gift-demand/{VERSION}/snapshots/shop_features.json"},
        "rows": rows,
    })
    print(f"gift-demand {VERSION}: rows={len(records)} lookup paths in test: "
          + ", ".join(f"{k}={len(v)}" for k, v in by_path.items()))
    print("  " + ", ".join(f"{k}={metrics[k]:.4f}" for k in
                           ["poisson_deviance", "poisson_deviance_train", "weighted_mape", "r2", "rmse", "product_level_weighted_mape", "mean_selection_count"]))


if __name__ == "__main__":
    main()
