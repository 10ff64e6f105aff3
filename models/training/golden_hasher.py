"""Golden vectors for scikit-learn's FeatureHasher(input_type="string"), for the TypeScript port.

Writes ../golden/feature-hasher.json:
  { sklearn, murmur: [{token, hash}], cases: [{tokens, nFeatures, alternateSign, nonzero: [[index, value]...], dense?}] }
`hash` is sklearn.utils.murmurhash3_32(token, seed=0, positive=False) (signed 32-bit, UTF-8 bytes);
`nonzero` lists the non-zero columns in ascending order; `dense` is the full row when nFeatures <= 64.
"""
from __future__ import annotations

import os
import sys

import numpy as np
import sklearn
from sklearn.feature_extraction import FeatureHasher
from sklearn.utils import murmurhash3_32

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

TOKEN_LISTS = [
    [],
    [""],
    ["", ""],
    ["a"],
    ["a", "a"],
    ["a", "b", "c"],
    ["lead_source=Web"],
    ["product_id=P0001|gender=female", "product_brand=Nordlys|gender=female"],
    ["café"],
    ["über|größe=ß"],
    ["日本語"],
    ["日本語テキスト=東京|x=1"],
    ["😀"],
    ["🎁=gift|👨‍👩‍👧=family"],
    ["naïve", "Ångström", "São Paulo", "Zürich", "Kraków", "İstanbul"],
    ["Ω≈ç√∫˜µ≤≥÷", "¡™£¢∞§¶•ªº"],
    ["x" * 1000],
    ["long token " * 200],
    ["é" * 333],
    ["tab\tand\nnewline", "quote\"backslash\\"],
    ["price=49.99|qty=3", "price=100|flag=true", "ratio=0.000001|big=1e+21", "neg=-2.5|small=1e-7"],
    ["is_new_product=false|gender=male"],
    [" leading and trailing "],
    ["\u0000nul"],
    ["a=" + str(i) for i in range(50)],
    ["collide-" + str(i) for i in range(200)],
]
N_FEATURES = [1, 2, 8, 32, 1024, 1 << 20]


def main() -> None:
    rng = np.random.default_rng(11)
    extra = ["".join(rng.choice(list("abcdefghij=|_0123456789éü日本😀"), rng.integers(1, 40))) for _ in range(40)]
    lists = TOKEN_LISTS + [extra[i : i + 4] for i in range(0, 40, 4)]
    cases = []
    for tokens in lists:
        for n in N_FEATURES:
            for alt in (True, False):
                row = FeatureHasher(n_features=n, input_type="string", alternate_sign=alt).transform([tokens])
                row.sum_duplicates()
                row.eliminate_zeros()
                dense = row.toarray()[0] if n <= 64 else None
                coo = row.tocoo()
                order = np.argsort(coo.col)
                case = {"tokens": tokens, "nFeatures": n, "alternateSign": alt,
                        "nonzero": [[int(coo.col[j]), float(coo.data[j])] for j in order]}
                if dense is not None:
                    case["dense"] = dense.tolist()
                cases.append(case)
    unique = sorted({t for tokens in lists for t in tokens})
    murmur = [{"token": t, "hash": int(murmurhash3_32(t, seed=0, positive=False))} for t in unique]
    common.write_rows_json(os.path.join(common.GOLDEN, "feature-hasher.json"), {
        "sklearn": sklearn.__version__,
        "note": "FeatureHasher(n_features, input_type='string', alternate_sign).transform([tokens]); zeros dropped from nonzero",
        "murmur": murmur,
        "cases": cases,
    }, expand=("murmur", "cases"))
    print(f"feature-hasher: {len(cases)} cases, {len(murmur)} tokens")


if __name__ == "__main__":
    main()
