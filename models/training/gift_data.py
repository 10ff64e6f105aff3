"""Seeded synthetic data for the gift-demand count model (seed 000 checklist, v2.1).

Companies ("shops") run an order cycle in which each employee picks one gift from the
products offered to them. One row per product x gender group x shop; the target is
`selection_count`, the number of employees of that gender group who picked the product.

Ground truth (README.md restates it): employee i of gender g in shop s picks product p with
multinomial-logit probability softmax_p(u[p, g, s]) over the products offered in that shop's
cycle, where
    u = popularity[p] + brand_appeal[brand] + taste[category, gender] + region_taste[region, category]
        - price_pain[budget_tier] * log(price) + 0.25 * (rating - 4) + 0.3 * is_new * (gender == female)
        + N(0, 0.3)
and selection_count ~ Poisson(E[g, s] * softmax * Gamma(8, 1/8)) (mild over-dispersion).
E[g, s] (total_employees_in_group) is never a feature: the model sees the shop's history
through the snapshot table instead.
"""
from __future__ import annotations

import datetime as dt

import numpy as np

HASH_DIM_PER_SET = 32
NUM_HASH_SETS = 3

CATEGORIES = ["Kitchen", "Electronics", "Wellness", "Home", "Outdoor", "Toys", "Fashion", "Experience"]
REGIONS = ["North", "South", "East", "West", "Central"]
BUDGET_TIERS = ["low", "mid", "high", "premium"]
GENDERS = ["male", "female"]
SHOP_COLUMNS = ["shop_employees_hist", "shop_female_share_hist", "shop_cycles", "shop_avg_selections_per_product",
                "shop_avg_price_chosen", "shop_premium_share", "shop_tenure_years"]
BRAND_STEMS = ["Nord", "Sol", "Vik", "Aur", "Bel", "Cas", "Dal", "Eik", "Fjor", "Gra", "Hav", "Isl", "Kro", "Lun"]
BRAND_ENDS = ["lys", "berg", "ware", "co", "hus", "line", "form", "ström", "gård", "ø"]

# Each employee's taste for a category, by gender (log-utility).
TASTE = {
    "male": [0.0, 0.5, -0.3, 0.0, 0.45, 0.1, -0.4, 0.2],
    "female": [0.25, -0.1, 0.5, 0.3, -0.1, 0.1, 0.35, 0.2],
}
PRICE_PAIN = {"low": 0.6, "mid": 0.35, "high": 0.15, "premium": 0.0}
PRICE_RANGE = {"low": (10, 120), "mid": (40, 300), "high": (120, 800), "premium": (300, 2500)}


def input_specs() -> list[dict]:
    def spec(name, typ, label, unit=None, allowed=None, required=False, description=None):
        s = {"name": name, "type": typ, "label": label}
        if unit:
            s["unit"] = unit
        if description:
            s["description"] = description
        s["required"] = required
        if allowed:
            s["allowed"] = allowed
        s["strict"] = False
        return s

    return [
        spec("product_id", "string", "Product", required=True, description="Predictions are summed per product_id."),
        spec("product_brand", "string", "Brand"),
        spec("product_category", "string", "Category", allowed=CATEGORIES),
        spec("product_price", "number", "Price", unit="EUR"),
        spec("product_rating", "number", "Rating", unit="stars"),
        spec("is_new_product", "boolean", "New product"),
        spec("product_launch_date", "date", "Product age", unit="days"),
        spec("gender", "string", "Gender group", allowed=GENDERS),
        spec("shop_id", "string", "Shop", description="First key of the shop snapshot lookup."),
        spec("branch_id", "string", "Branch", description="Fallback key: a branch resolves to its shop's snapshot row."),
        spec("shop_region", "string", "Region", allowed=REGIONS),
        spec("budget_tier", "string", "Budget tier", allowed=BUDGET_TIERS),
        spec("products_in_cycle", "number", "Products offered in the cycle"),
        spec("cycle_month", "number", "Cycle month"),
    ]


def feature_specs() -> list[dict]:
    core = [
        {"kind": "number", "input": "product_price"},
        {"kind": "number", "input": "product_rating"},
        {"kind": "number", "input": "is_new_product"},
        {"kind": "number", "input": "products_in_cycle"},
        {"kind": "days_since", "input": "product_launch_date", "name": "product_age_days"},
        {"kind": "number", "input": "cycle_month"},
        {"kind": "ordinal", "input": "budget_tier", "categories": BUDGET_TIERS},
        {"kind": "bucket", "input": "product_price", "edges": [25, 50, 100, 250, 500, 1000], "name": "price_band"},
        {"kind": "onehot", "input": "gender", "categories": GENDERS, "unknown": True},
        {"kind": "ordinal", "input": "product_category", "categories": CATEGORIES},
        {"kind": "cross", "name": "new_x_female",
         "terms": [{"input": "is_new_product"}, {"input": "gender", "equals": "female"}]},
        {"kind": "lookup", "table": "shop_features", "keys": ["shop_id", "branch_id"], "columns": SHOP_COLUMNS},
    ]
    hashes = [
        {"kind": "hash", "name": "hash_product_gender", "nFeatures": HASH_DIM_PER_SET, "alternateSign": True,
         "tokens": [["product_id", "gender"], ["product_brand", "gender"], ["product_category", "gender"],
                    ["is_new_product", "gender"]]},
        {"kind": "hash", "name": "hash_product_region", "nFeatures": HASH_DIM_PER_SET, "alternateSign": True,
         "tokens": [["product_id", "shop_region"], ["product_category", "shop_region"], ["product_brand", "budget_tier"],
                    ["product_id", "budget_tier"]]},
        {"kind": "hash", "name": "hash_category_context", "nFeatures": HASH_DIM_PER_SET, "alternateSign": True,
         "tokens": [["product_category", "budget_tier", "gender"], ["product_category", "cycle_month"],
                    ["product_brand", "product_category"], ["product_price", "gender"]]},
    ]
    assert len(hashes) == NUM_HASH_SETS
    return core + hashes


def generate(seed: int, n_shops: int = 170, n_products: int = 320):
    """Returns (records, selection_count, total_employees_in_group, shop of each row, snapshot table)."""
    rng = np.random.default_rng(seed)

    # ---- products ----
    brands = sorted({s + e for s in BRAND_STEMS for e in BRAND_ENDS})
    brands = list(rng.choice(brands, 45, replace=False))
    brand_appeal = dict(zip(brands, rng.normal(0, 0.35, len(brands))))
    products = []
    for i in range(n_products):
        cat = CATEGORIES[rng.integers(len(CATEGORIES))] if rng.random() > 0.01 else "Pets"  # a category the model never saw listed
        price = float(np.round(np.exp(rng.normal(np.log(120), 0.95)), 2))
        if rng.random() < 0.3:
            price = float(np.round(price))  # whole prices print as "100", not "100.0", in hash tokens
        launch = dt.date(2026, 10, 1) - dt.timedelta(days=int(rng.integers(0, 900)))
        products.append({
            "product_id": f"P{i + 1:04d}",
            "product_brand": brands[rng.integers(len(brands))] if rng.random() > 0.03 else None,
            "product_category": cat,
            "product_price": price,
            "product_rating": float(np.round(rng.uniform(2.8, 5.0), 1)) if rng.random() > 0.25 else None,
            "product_launch_date": launch,
            "popularity": rng.normal(0, 0.6),
        })

    # ---- shops and their history (the snapshot) ----
    shops = []
    for s in range(n_shops):
        tier = BUDGET_TIERS[rng.choice(4, p=[0.3, 0.35, 0.25, 0.1])]
        employees = int(np.clip(np.round(np.exp(rng.normal(np.log(150), 0.8))), 6, 2000))
        shops.append({
            "shop_id": f"S{s + 1:04d}",
            "branches": [f"BR-{s + 1:04d}-{b + 1}" for b in range(int(rng.integers(1, 4)))],
            "region": REGIONS[rng.integers(len(REGIONS))],
            "tier": tier,
            "employees": employees,
            "female_share": float(rng.beta(5, 5)),
            "in_snapshot": rng.random() > 0.12,  # new shops have no history yet
            "shop_id_missing": rng.random() < 0.12,  # legacy rows carry only the branch
        })
    region_taste = rng.normal(0, 0.3, (len(REGIONS), len(CATEGORIES)))

    table_rows = {}
    for sh in shops:
        if not sh["in_snapshot"]:
            continue
        cycles = int(rng.integers(1, 9))
        lo, hi = PRICE_RANGE[sh["tier"]]
        table_rows[sh["shop_id"]] = [
            float(np.round(sh["employees"] * rng.lognormal(0, 0.15))),
            float(np.round(np.clip(sh["female_share"] + rng.normal(0, 0.05), 0, 1), 3)),
            float(cycles),
            float(np.round(sh["employees"] / rng.uniform(25, 55), 3)),
            float(np.round(np.sqrt(lo * hi) * rng.lognormal(0, 0.2), 2)),
            float(np.round(rng.beta(2, 8) + (0.3 if sh["tier"] == "premium" else 0), 3)),
            float(np.round(rng.uniform(0.5, 15), 1)),
        ]
    defaults = np.round(np.mean(np.array(list(table_rows.values())), axis=0), 4).tolist()
    index = {"shop_id": {}, "branch_id": {}}
    for sh in shops:
        if sh["shop_id"] in table_rows:
            index["shop_id"][sh["shop_id"]] = table_rows[sh["shop_id"]]
            for b in sh["branches"]:  # branch -> shop fallback: the same row under every branch key
                index["branch_id"][b] = table_rows[sh["shop_id"]]
    snapshot = {"columns": SHOP_COLUMNS, "index": index, "defaults": defaults}

    # ---- one order cycle per shop ----
    records, counts, exposure, groups = [], [], [], []
    for sh in shops:
        cycle = dt.date(2026, 1, 15) + dt.timedelta(days=int(rng.integers(0, 300)))
        lo, hi = PRICE_RANGE[sh["tier"]]
        eligible = [p for p in products if lo * 0.6 <= p["product_price"] <= hi * 1.4]
        k = int(min(len(eligible), rng.integers(18, 60)))
        offered = [eligible[j] for j in rng.choice(len(eligible), k, replace=False)]
        r = REGIONS.index(sh["region"])
        females = int(rng.binomial(sh["employees"], sh["female_share"]))
        branch = sh["branches"][rng.integers(len(sh["branches"]))]
        for g in GENDERS:
            e_g = females if g == "female" else sh["employees"] - females
            u = []
            for p in offered:
                c = CATEGORIES.index(p["product_category"]) if p["product_category"] in CATEGORIES else None
                is_new = (cycle - p["product_launch_date"]).days <= 180
                val = p["popularity"] + brand_appeal.get(p["product_brand"], 0.0)
                val += (TASTE[g][c] + region_taste[r, c]) if c is not None else -0.2
                val += -PRICE_PAIN[sh["tier"]] * np.log(p["product_price"])
                val += 0.25 * ((p["product_rating"] or 4.0) - 4.0)
                val += 0.3 * is_new * (g == "female")
                u.append(val + rng.normal(0, 0.3))
            share = np.exp(np.array(u) - np.max(u))
            share /= share.sum()
            mu = e_g * share * rng.gamma(8, 1 / 8, len(offered))
            y = rng.poisson(mu)
            for p, yy in zip(offered, y):
                records.append({
                    "product_id": p["product_id"],
                    "product_brand": p["product_brand"],
                    "product_category": p["product_category"],
                    "product_price": p["product_price"],
                    "product_rating": p["product_rating"],
                    "is_new_product": (cycle - p["product_launch_date"]).days <= 180,
                    "product_launch_date": p["product_launch_date"],
                    "gender": g,
                    "shop_id": None if sh["shop_id_missing"] else sh["shop_id"],
                    "branch_id": branch,
                    "shop_region": sh["region"],
                    "budget_tier": sh["tier"],
                    "products_in_cycle": len(offered),
                    "cycle_month": cycle.month,
                    "_as_of": cycle.isoformat(),
                })
                counts.append(int(yy))
                exposure.append(e_g)
                groups.append(sh["shop_id"])
    return records, np.array(counts, dtype=np.float64), np.array(exposure), np.array(groups), snapshot
