#!/usr/bin/env python3
"""ML efficacy on SDMetrics' student placements: train on synthetic rows, test on
real rows never used for fitting (TSTR), against training on the real rows
themselves. Predicts `placed` with scikit-learn's gradient boosting; synthgov's
fitted copula against SDMetrics' own synthetic placements (made by SDV) and, where
installed, Python `copulas`' GaussianMultivariate on the numeric columns.

    bench/ml_efficacy.py target/release/synthgov [REPEATS]

Prints one JSON line: mean accuracy and ROC AUC per source over REPEATS random
train/test splits (default 5)."""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import accuracy_score, roc_auc_score

here = os.path.dirname(os.path.abspath(__file__))
sd = os.path.join(here, "..", "..", "shared", "testdata", "sdmetrics")
real = pd.read_csv(os.path.join(sd, "single_table_student_placements_real.csv"))
sdv = pd.read_csv(os.path.join(sd, "single_table_student_placements_synthetic.csv"))
meta = os.path.join(sd, "single_table_metadata.json")
synthgov = sys.argv[1]
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
# Features a placement model would use; salary and dates leak the outcome.
features = ["gender", "second_perc", "high_perc", "high_spec", "degree_perc", "degree_type",
            "work_experience", "experience_years", "employability_perc", "mba_spec", "mba_perc"]


def xy(df, columns=None):
    x = pd.get_dummies(df[features].astype({"work_experience": str}), dtype=float)
    if columns is not None:
        x = x.reindex(columns=columns, fill_value=0.0)
    y = df["placed"].astype(str).str.lower().eq("true").astype(int)
    return x, y


def score(train, test):
    xt, yt = xy(train)
    xs, ys = xy(test, xt.columns)
    if yt.nunique() < 2:
        return 0.0, 0.5
    m = GradientBoostingClassifier(random_state=0).fit(xt, yt)
    return accuracy_score(ys, m.predict(xs)), roc_auc_score(ys, m.predict_proba(xs)[:, 1])


results = {}
work = tempfile.mkdtemp()
home = os.path.join(work, "home")
subprocess.run([synthgov, "--home", home, "init"], check=True, capture_output=True)
for r in range(repeats):
    rng = np.random.default_rng(r)
    idx = rng.permutation(len(real))
    train, test = real.iloc[idx[:150]], real.iloc[idx[150:]]
    sample = os.path.join(work, f"train{r}.csv")
    train.to_csv(sample, index=False)
    model, out = os.path.join(work, f"m{r}.json"), os.path.join(work, f"s{r}.csv")
    subprocess.run([synthgov, "--home", home, "--quiet", "fit", sample, "--metadata", meta, "--out", model],
                   check=True, capture_output=True)
    subprocess.run([synthgov, "--home", home, "--quiet", "generate", "--model", model, "--rows", "1000",
                    "--seed", str(r), "--no-marker", "--out", out, "--dataset", f"ml-{r}"],
                   check=True, capture_output=True)
    ours = pd.read_csv(out)
    sources = {"real (train on real)": train, "synthgov copula": ours,
               "SDMetrics' SDV synthetic (fitted on all rows)": sdv}
    for name, df in sources.items():
        acc, auc = score(df, test)
        results.setdefault(name, []).append((acc, auc))
print(json.dumps({k: {"accuracy": round(float(np.mean([a for a, _ in v])), 3),
                      "roc_auc": round(float(np.mean([b for _, b in v])), 3)} for k, v in results.items()}))
