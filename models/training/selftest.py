"""Checks of features.py against the rules in scoring-service/src/manifest/schema.ts.
Run by train.sh before training; exits non-zero on the first failure."""
from __future__ import annotations

import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from features import column_names, hash_tokens, js_number, transform  # noqa: E402


def same(a, b) -> bool:
    return all((math.isnan(x) and math.isnan(y)) or x == y for x, y in zip(a, b)) and len(a) == len(b)


def main() -> None:
    # numbers as JavaScript's String(x) prints them
    for x, want in [(3.0, "3"), (-0.0, "0"), (49.99, "49.99"), (1e21, "1e+21"), (1e20, "100000000000000000000"),
                    (1e-7, "1e-7"), (0.000001, "0.000001"), (-2.5, "-2.5"), (2 ** 53, "9007199254740992"),
                    (1.5e300, "1.5e+300"), (0.1 + 0.2, "0.30000000000000004")]:
        assert js_number(x) == want, (x, js_number(x), want)

    feats = [
        {"kind": "number", "input": "n"},
        {"kind": "onehot", "input": "c", "categories": ["a", "b"], "unknown": True},
        {"kind": "onehot", "input": "c", "categories": ["a"], "unknown": False},
        {"kind": "ordinal", "input": "c", "categories": ["a", "b"]},
        {"kind": "bucket", "input": "n", "edges": [1, 2]},
        {"kind": "cross", "name": "x", "terms": [{"input": "c", "equals": "a"}, {"input": "n", "edges": [1, 2]}]},
        {"kind": "days_since", "input": "d"},
        {"kind": "lookup", "table": "t", "keys": ["k1", "k2"], "columns": ["v"]},
    ]
    assert column_names(feats) == ["n", "c=a", "c=b", "c=__unknown__", "c=a", "c", "n", "x", "d", "v"]
    table = {"t": {"columns": ["v"], "index": {"k1": {"A": [1.0]}, "k2": {"B": [2.0]}}, "defaults": [9.0]}}
    rows = [
        {"n": 2, "c": "a", "d": "2026-01-01", "k1": "A", "k2": "B"},  # edge value: bisect right -> 2
        {"n": True, "c": "z", "d": "2025-12-31", "k1": "X", "k2": "B"},  # unknown category; second key wins
        {"n": None, "c": "", "d": None, "k1": None, "k2": None},  # all missing; defaults
    ]
    x = transform(feats, rows, "2026-01-11", table)
    nan = float("nan")
    assert same(x[0], [2, 1, 0, 0, 1, 0, 2, 2, 10, 1]), x[0]
    assert same(x[1], [1, 0, 0, 1, 0, -1, 1, 0, 11, 2]), x[1]
    assert same(x[2], [nan, 0, 0, 0, 0, nan, nan, nan, nan, 9]), x[2]

    spec = {"tokens": [["a", "b"], ["a"], ["c"]]}
    assert hash_tokens(spec, {"a": True, "b": 3.0, "c": ""}) == ["a=true|b=3", "a=true"]
    h = transform([{"kind": "hash", "name": "h", "nFeatures": 4, "alternateSign": False, "tokens": [["a"]]}],
                  [{"a": "x"}, {"a": None}], "2026-01-01")
    assert h.shape == (2, 4) and h[0].sum() == 1 and h[1].sum() == 0
    try:
        transform([{"kind": "number", "input": "n"}], [{"n": "3"}], "2026-01-01")
        raise AssertionError("a string for a number input must be refused")
    except TypeError as err:
        assert "'n'" in str(err)
    print("features.py selftest: ok")


if __name__ == "__main__":
    main()
