#!/usr/bin/env python3
"""Fitted-model sampling: synthgov's Gaussian copula against Python `copulas`
GaussianMultivariate, fitted on the same data, same number of rows, side by side.
Both outputs are scored by SDMetrics' QualityReport. Run through bench/copula.sh."""
import json
import subprocess
import sys
import tempfile
import time
import os

import pandas as pd
from copulas.multivariate import GaussianMultivariate
from sdmetrics.reports.single_table import QualityReport

real_csv, synthgov, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
cols = ["second_perc", "high_perc", "degree_perc", "experience_years", "employability_perc", "mba_perc"]
real = pd.read_csv(real_csv)[cols]
meta = {"columns": {c: {"sdtype": "numerical"} for c in cols}}
work = tempfile.mkdtemp()
sample = os.path.join(work, "sample.csv")
real.to_csv(sample, index=False)

model = GaussianMultivariate()
model.fit(real)
t = time.perf_counter()
py = model.sample(rows)
py_secs = time.perf_counter() - t

home = os.path.join(work, "home")
subprocess.run([synthgov, "--home", home, "init"], check=True, capture_output=True)
subprocess.run([synthgov, "--home", home, "fit", sample, "--out", os.path.join(work, "m.json"), "--id", "bench"], check=True, capture_output=True)
out = os.path.join(work, "s.csv")
t = time.perf_counter()
subprocess.run([synthgov, "--home", home, "--quiet", "generate", "--model", os.path.join(work, "m.json"),
                "--rows", str(rows), "--seed", "1", "--out", out, "--no-marker"], check=True, capture_output=True)
sg_secs = time.perf_counter() - t
sg = pd.read_csv(out)[cols]

def score(df):
    r = QualityReport()
    r.generate(real, df.head(5000), meta, verbose=False)
    return r.get_score()

res = {
    "rows": rows,
    "copulas_rows_per_s": rows / py_secs,
    "synthgov_rows_per_s_whole_process": rows / sg_secs,
    "ratio": (rows / sg_secs) / (rows / py_secs),
    "sdmetrics_score_copulas": score(py),
    "sdmetrics_score_synthgov": score(sg),
}
print(json.dumps(res, indent=1))
