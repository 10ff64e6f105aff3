"""Manifest feature kinds in Python, so training uses exactly the columns that ship.

Each function here mirrors one block of `featureSchema` in
scoring-service/src/manifest/schema.ts; the TypeScript pipeline must give the same
columns for the same inputs (the golden files in models/golden/ check that).
Missing means absent, None, NaN or "".
"""
from __future__ import annotations

import bisect
import datetime as dt
import math
from decimal import Decimal
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
from sklearn.feature_extraction import FeatureHasher

NAN = float("nan")


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value == ""


def js_number(x: float) -> str:
    """A number printed as JavaScript's Number.prototype.toString prints it (ECMA-262 Number::toString)."""
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"  # JavaScript prints -0 as "0" too
    if x < 0:
        return "-" + js_number(-x)
    # repr() gives the shortest digits that round-trip, as JavaScript does; only the layout differs.
    sign, digits, exponent = Decimal(repr(x)).normalize().as_tuple()
    s = "".join(str(d) for d in digits)
    k = len(s)
    n = k + exponent  # value = 0.s * 10^n
    if k <= n <= 21:
        return s + "0" * (n - k)
    if 0 < n <= 21:
        return s[:n] + "." + s[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + s
    e = n - 1
    exp = ("+" if e >= 0 else "-") + str(abs(e))
    return (s if k == 1 else s[0] + "." + s[1:]) + "e" + exp


def token_value(value: Any) -> str:
    """How an input value is written inside a hash token."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return js_number(float(value))
    if isinstance(value, str):
        return value
    raise TypeError(f"cannot write a {type(value).__name__} into a hash token")


def numeric_value(name: str, value: Any) -> float:
    """The number of an input (boolean -> 1/0); missing -> NaN."""
    if is_missing(value):
        return NAN
    if isinstance(value, (bool, np.bool_)):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    raise TypeError(f"input {name!r} must be a number or boolean, got {type(value).__name__}")


def bucket_index(edges: Sequence[float], value: float) -> float:
    """Number of edges <= value (bisect right); NaN stays NaN."""
    if math.isnan(value):
        return NAN
    return float(bisect.bisect_right(list(edges), value))


def parse_date(name: str, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    raise TypeError(f"input {name!r} must be a date (YYYY-MM-DD), got {type(value).__name__}")


def column_names(features: Sequence[Mapping[str, Any]]) -> list[str]:
    names: list[str] = []
    for f in features:
        kind = f["kind"]
        if kind in ("number", "ordinal", "bucket", "days_since"):
            names.append(f.get("name") or f["input"])
        elif kind == "onehot":
            names.extend(f"{f['input']}={c}" for c in f["categories"])
            if f.get("unknown", True):
                names.append(f"{f['input']}=__unknown__")
        elif kind == "cross":
            names.append(f["name"])
        elif kind == "hash":
            names.extend(f"{f['name']}[{i}]" for i in range(f["nFeatures"]))
        elif kind == "lookup":
            names.extend(f["columns"])
        else:
            raise ValueError(f"unknown feature kind {kind!r}")
    return names


def hash_tokens(spec: Mapping[str, Any], record: Mapping[str, Any]) -> list[str]:
    """The string tokens of one record for a hash block: `a=<value>|b=<value>`, skipping tokens with a missing input."""
    tokens = []
    for parts in spec["tokens"]:
        values = [record.get(p) for p in parts]
        if any(is_missing(v) for v in values):
            continue
        tokens.append("|".join(f"{p}={token_value(v)}" for p, v in zip(parts, values)))
    return tokens


def lookup_row(spec: Mapping[str, Any], record: Mapping[str, Any], table: Mapping[str, Any]) -> list[float]:
    """First key whose value is present and indexed wins; otherwise the table's global defaults."""
    for key in spec["keys"]:
        value = record.get(key)
        if is_missing(value):
            continue
        row = table["index"].get(key, {}).get(token_value(value))
        if row is not None:
            by_name = dict(zip(table["columns"], row))
            return [float(by_name[c]) for c in spec["columns"]]
    by_name = dict(zip(table["columns"], table["defaults"]))
    return [float(by_name[c]) for c in spec["columns"]]


def transform(
    features: Sequence[Mapping[str, Any]],
    records: Sequence[Mapping[str, Any]],
    as_of: dt.date | str | Sequence[dt.date | str],
    snapshots: Mapping[str, Mapping[str, Any]] | None = None,
) -> np.ndarray:
    """Feature matrix (float64, NaN for missing) for records of raw inputs, one row per record."""
    n = len(records)
    if isinstance(as_of, (str, dt.date)):
        as_of_dates = [parse_date("asOf", as_of)] * n
    else:
        as_of_dates = [parse_date("asOf", a) for a in as_of]
    blocks: list[np.ndarray] = []
    for f in features:
        kind = f["kind"]
        if kind == "number":
            col = [numeric_value(f["input"], r.get(f["input"])) for r in records]
            blocks.append(np.array(col, dtype=np.float64)[:, None])
        elif kind == "onehot":
            cats = list(f["categories"])
            width = len(cats) + (1 if f.get("unknown", True) else 0)
            block = np.zeros((n, width))
            position = {c: i for i, c in enumerate(cats)}
            for i, r in enumerate(records):
                v = r.get(f["input"])
                if is_missing(v):
                    continue
                if not isinstance(v, str):
                    raise TypeError(f"input {f['input']!r} must be a string, got {type(v).__name__}")
                if v in position:
                    block[i, position[v]] = 1.0
                elif f.get("unknown", True):
                    block[i, len(cats)] = 1.0
            blocks.append(block)
        elif kind == "ordinal":
            position = {c: i for i, c in enumerate(f["categories"])}
            col = []
            for r in records:
                v = r.get(f["input"])
                if is_missing(v):
                    col.append(NAN)
                elif not isinstance(v, str):
                    raise TypeError(f"input {f['input']!r} must be a string, got {type(v).__name__}")
                else:
                    col.append(float(position.get(v, -1)))
            blocks.append(np.array(col)[:, None])
        elif kind == "bucket":
            col = [bucket_index(f["edges"], numeric_value(f["input"], r.get(f["input"]))) for r in records]
            blocks.append(np.array(col)[:, None])
        elif kind == "cross":
            col = []
            for r in records:
                product = 1.0
                for term in f["terms"]:
                    v = r.get(term["input"])
                    if is_missing(v):
                        product = NAN
                        break
                    if "equals" in term and term["equals"] is not None:
                        t = 1.0 if token_value(v) == term["equals"] else 0.0
                    elif term.get("edges"):
                        t = bucket_index(term["edges"], numeric_value(term["input"], v))
                    else:
                        t = numeric_value(term["input"], v)
                    product *= t
                col.append(product)
            blocks.append(np.array(col)[:, None])
        elif kind == "hash":
            hasher = FeatureHasher(
                n_features=f["nFeatures"], input_type="string", alternate_sign=f.get("alternateSign", True)
            )
            tokens = [hash_tokens(f, r) for r in records]
            blocks.append(hasher.transform(tokens).toarray().astype(np.float64))
        elif kind == "lookup":
            if not snapshots or f["table"] not in snapshots:
                raise KeyError(f"snapshot table {f['table']!r} is needed by a lookup feature")
            table = snapshots[f["table"]]
            blocks.append(np.array([lookup_row(f, r, table) for r in records], dtype=np.float64).reshape(n, -1))
        elif kind == "days_since":
            col = []
            for r, a in zip(records, as_of_dates):
                v = r.get(f["input"])
                col.append(NAN if is_missing(v) else float((a - parse_date(f["input"], v)).days))
            blocks.append(np.array(col)[:, None])
        else:
            raise ValueError(f"unknown feature kind {kind!r}")
    matrix = np.hstack(blocks) if blocks else np.zeros((n, 0))
    assert matrix.shape[1] == len(column_names(features))
    return matrix


def hasher_outputs(tokens: Iterable[str], n_features: int, alternate_sign: bool) -> np.ndarray:
    hasher = FeatureHasher(n_features=n_features, input_type="string", alternate_sign=alternate_sign)
    return hasher.transform([list(tokens)]).toarray()[0]
