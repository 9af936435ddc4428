#!/usr/bin/env python3
"""Computes the SDMetrics fixture the Rust quality tests compare against:
SDMetrics' QualityReport on the student placements real data against a synthetic table
made by synthgov's fitted copula (committed beside the expected values).
Usage: bench/sdmetrics_fixture.py REAL.csv SYNTHETIC.csv METADATA.json OUT.json
(run with the venv bench/copula.sh makes: bench/out/cvenv/bin/python)."""
import json
import sys

import pandas as pd
import sdmetrics
from sdmetrics.reports.single_table import QualityReport

real_csv, synth_csv, meta_json, out = sys.argv[1:5]
meta = json.load(open(meta_json))
table = meta["tables"]["student_placements"] if "tables" in meta else meta
real = pd.read_csv(real_csv)
synth = pd.read_csv(synth_csv)[real.columns]
report = QualityReport()
# Score every pair, as the shipped expected values do (SDMetrics' newer defaults skip
# pairs whose real correlation or association is weak).
report.real_correlation_threshold = 0
report.real_association_threshold = 0
report.generate(real, synth, table, verbose=False)
shapes = report.get_details("Column Shapes")
pairs = report.get_details("Column Pair Trends")
res = {
    "_comment": "Computed by bench/sdmetrics_fixture.py with SDMetrics " + sdmetrics.__version__
                + ", correlation and association thresholds 0",
    "score": report.get_score(),
    "column_shapes": float(shapes["Score"].mean()),
    "column_pair_trends": float(pairs["Score"].mean()),
    "columns": {r["Column"]: {"metric": r["Metric"], "score": float(r["Score"])} for _, r in shapes.iterrows()},
    "pairs": [{"column_1": r["Column 1"], "column_2": r["Column 2"], "metric": r["Metric"], "score": float(r["Score"])}
              for _, r in pairs.iterrows() if pd.notna(r["Score"])],
}
json.dump(res, open(out, "w"), indent=1)
print(json.dumps({k: res[k] for k in ("score", "column_shapes", "column_pair_trends")}))
