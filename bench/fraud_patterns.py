#!/usr/bin/env python3
"""Can a fraud model learn synthgov's fraud patterns?

Trains scikit-learn's HistGradientBoostingClassifier on one `synthgov generate store`
folder and scores another (another seed: a held-out store), with features a store's
fraud engine has at checkout: the order itself and the account's history before it.
Labels and what happens after checkout (chargebacks, refunds of this order, shipment)
are not features.

Prints JSON: {"orders_train", "orders_test", "fraud_share_test", "auc": overall,
"per_pattern": {pattern: {"orders", "auc"}}}; the AUC of a pattern is computed on that
pattern's orders against the legitimate orders of the held-out store.

    python3 bench/fraud_patterns.py TRAIN_DIR TEST_DIR [--min-auc 0.8]

Exit 1 when a pattern's AUC is below --min-auc (or has no orders in the test store).
"""

import argparse
import csv
import json
import math
import os
import sys
from collections import Counter, defaultdict
from datetime import datetime

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

PATTERNS = [
    "card_testing",
    "account_takeover",
    "friendly_fraud",
    "promotion_abuse",
    "shipping_mismatch",
]


def secs(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").timestamp()


def read(folder, table):
    with open(os.path.join(folder, table + ".csv"), newline="") as f:
        return list(csv.DictReader(f))


def features(folder):
    customers = {c["customer_id"]: c for c in read(folder, "customers")}
    orders = read(folder, "orders")
    orders.sort(key=lambda o: (o["customer_id"], o["created_at"], int(o["order_id"])))
    pays = defaultdict(list)
    for p in read(folder, "payments"):
        pays[p["order_id"]].append(p)
    refunds = defaultdict(list)
    for r in read(folder, "refunds"):
        refunds[r["order_id"]].append(r)
    # Accounts per shipping postcode: rings share one.
    accounts_at = defaultdict(set)
    for o in orders:
        accounts_at[o["shipping_postcode"]].add(o["customer_id"])

    X, y, pattern = [], [], []
    history = {}  # customer -> (orders, last time, cards seen, claims so far with times)
    for o in orders:
        c = customers[o["customer_id"]]
        t = secs(o["created_at"])
        h = history.setdefault(o["customer_id"], {"n": 0, "last": None, "cards": Counter(), "claims": []})
        attempts = pays[o["order_id"]]
        declined = sum(p["status"] == "declined" for p in attempts[:-1])
        card = attempts[-1]["card_last4"] if attempts else ""
        usual = h["cards"].most_common(1)[0][0] if h["cards"] else None
        total = float(o["grand_total"])
        subtotal = float(o["subtotal"])
        prior_claims = sum(1 for when in h["claims"] if when < t)
        row = [
            math.log1p(total),
            float(o["discount"]) / subtotal if subtotal else 0.0,
            o["coupon_code"] == "WELCOME20",
            o["coupon_code"] != "",
            o["shipping_method"] == "express",
            o["shipping_country"] != o["billing_country"],
            o["ip_country"] != o["billing_country"],
            o["shipping_postcode"] != c["postcode"],
            int(o["items"]),
            math.log1p(max(0.0, t - secs(c["created_at"]))),
            h["n"],
            math.log1p(t - h["last"]) if h["last"] is not None else 20.0,
            declined,
            len(h["cards"]) + (card not in h["cards"]),
            usual is not None and card != usual,
            prior_claims,
            math.log(len(accounts_at[o["shipping_postcode"]])),
            "+" in c["email"],
            datetime.utcfromtimestamp(t).hour,
        ]
        X.append([float(v) for v in row])
        y.append(o["is_fraud"] == "1")
        pattern.append(o["fraud_pattern"])
        h["n"] += 1
        h["last"] = t
        if card:
            h["cards"][card] += 1
        for r in refunds[o["order_id"]]:
            h["claims"].append(secs(r["created_at"]))
    return np.array(X), np.array(y), pattern


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("train")
    ap.add_argument("test")
    ap.add_argument("--min-auc", type=float, default=0.0)
    a = ap.parse_args()
    Xtr, ytr, _ = features(a.train)
    Xte, yte, pte = features(a.test)
    model = HistGradientBoostingClassifier(max_iter=300, learning_rate=0.1, random_state=0)
    model.fit(Xtr, ytr)
    score = model.predict_proba(Xte)[:, 1]
    out = {
        "orders_train": int(len(ytr)),
        "orders_test": int(len(yte)),
        "fraud_share_test": float(yte.mean()),
        "auc": float(roc_auc_score(yte, score)),
        "per_pattern": {},
    }
    legit = np.array([p == "" for p in pte])
    failed = []
    for p in PATTERNS:
        mask = np.array([q == p for q in pte])
        n = int(mask.sum())
        if n == 0:
            out["per_pattern"][p] = {"orders": 0, "auc": None}
            failed.append(p)
            continue
        sel = mask | legit
        auc = float(roc_auc_score(mask[sel], score[sel]))
        out["per_pattern"][p] = {"orders": n, "auc": round(auc, 4)}
        if auc < a.min_auc:
            failed.append(p)
    out["auc"] = round(out["auc"], 4)
    print(json.dumps(out, indent=2))
    if failed:
        print(f"below --min-auc {a.min_auc}: {', '.join(failed)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
