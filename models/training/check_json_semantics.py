"""Re-evaluate every saved xgboost.json by walking its trees in plain Python and compare with the
golden margins. Documents (and checks) the JSON semantics the TypeScript importer relies on:
go left when value < split_condition (float32), missing follows default_left, margin = sum of
leaf values (split_conditions of leaf nodes, NOT base_weights) + base margin, base margin = logit(base_score) for binary:logistic, log(base_score) for
count:poisson, base_score itself for reg:squarederror.
"""
from __future__ import annotations

import glob
import json
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "..", "golden")


def base_margin(objective: str, base_score: float) -> float:
    if objective == "binary:logistic":
        return math.log(base_score / (1 - base_score))
    if objective == "count:poisson":
        return math.log(base_score)
    return base_score


def margins(model: dict, rows: list[list]) -> np.ndarray:
    learner = model["learner"]
    objective = learner["objective"]["name"]
    bs = float(learner["learner_model_param"]["base_score"].strip("[]"))
    trees = learner["gradient_booster"]["model"]["trees"]
    out = []
    for row in rows:
        x = [np.nan if v is None else np.float32(v) for v in row]
        total = np.float64(0)
        for t in trees:
            node = 0
            while t["left_children"][node] != -1:
                v = x[t["split_indices"][node]]
                if np.isnan(v):
                    node = t["left_children"][node] if t["default_left"][node] else t["right_children"][node]
                elif v < np.float32(t["split_conditions"][node]):
                    node = t["left_children"][node]
                else:
                    node = t["right_children"][node]
            total += np.float32(t["split_conditions"][node])  # a leaf's value; base_weights is not it
        out.append(total + base_margin(objective, bs))
    return np.array(out)


def main() -> int:
    worst = 0.0
    pairs = [(g, json.load(open(g))) for g in sorted(glob.glob(os.path.join(GOLDEN, "shapes", "*.json")))]
    for path in sorted(glob.glob(os.path.join(GOLDEN, "*-*.json"))):
        if "feature-hasher" in path:
            continue
        pairs.append((path, json.load(open(path))))
    for path, golden in pairs:
        if "shape" in golden:
            model_path = os.path.join(HERE, "..", "..", golden["model"])
        else:
            model_path = os.path.join(HERE, "artifacts", golden["model"], golden["version"], "xgboost.json")
        model = json.load(open(model_path))
        got = margins(model, [r["features"] for r in golden["rows"]])
        want = np.array([r["margin"] for r in golden["rows"]])
        err = float(np.max(np.abs(got - want)))
        worst = max(worst, err)
        print(f"{os.path.basename(path)}: max |margin - golden| = {err:.2e}")
    return 0 if worst < 1e-5 else 1


if __name__ == "__main__":
    sys.exit(main())
