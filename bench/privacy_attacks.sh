#!/usr/bin/env bash
# `synthgov quality` with anonymeter's privacy attacks against anonymeter itself, on
# the same 10,000 x 20 table (scikit-learn's make_classification: 15 numbers and 5
# binned categories), its copula synthetic set and 2,000 control rows; 500 attacks,
# 3 query columns, every column a secret.
# Usage: bench/privacy_attacks.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
bin=target/release/synthgov
[ -x "$bin" ] || cargo build --release --locked -q
python3 - "$dir" "$rows" <<'PY'
import sys
import numpy as np, pandas as pd
from sklearn.datasets import make_classification
d, n = sys.argv[1], int(sys.argv[2])
X, y = make_classification(n_samples=n + 2000, n_features=19, n_informative=8, random_state=0)
df = pd.DataFrame(X, columns=[f"x{i}" for i in range(19)]).round(4)
for i in range(15, 19):
    df[f"x{i}"] = pd.cut(df[f"x{i}"], 6, labels=list("abcdef")).astype(str)
df["target"] = np.where(y == 1, "yes", "no")
df.iloc[:n].to_csv(f"{d}/train.csv", index=False)
df.iloc[n:].to_csv(f"{d}/control.csv", index=False)
PY
H="$dir/home"
"$bin" --home "$H" init >/dev/null
"$bin" --home "$H" --quiet fit "$dir/train.csv" --out "$dir/model.json" >/dev/null
"$bin" --home "$H" --quiet generate --model "$dir/model.json" --rows "$rows" --out "$dir/syn.csv" --no-marker >/dev/null
# The marker column, if any, is not part of the comparison.
python3 - "$dir" <<'PY'
import sys, pandas as pd
d = sys.argv[1]
t = pd.read_csv(f"{d}/train.csv"); s = pd.read_csv(f"{d}/syn.csv")
s[t.columns].to_csv(f"{d}/syn.csv", index=False)
PY
echo "machine: $(nproc) cores, $(uname -m); rows: $rows x 20, control 2000"
s0=$(date +%s.%N)
"$bin" --home "$H" quality --real "$dir/train.csv" --synthetic "$dir/syn.csv" --holdout "$dir/control.csv" --json > "$dir/ours.json"
s1=$(date +%s.%N)
python3 bench/anonymeter_risks.py "$dir/train.csv" "$dir/syn.csv" "$dir/control.csv" > "$dir/theirs.json"
s2=$(date +%s.%N)
python3 - "$dir" "$(echo "$s1 - $s0" | bc)" "$(echo "$s2 - $s1" | bc)" <<'PY'
import json, sys
d, ours_s, theirs_s = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
o = json.load(open(f"{d}/ours.json"))["attacks"]; t = json.load(open(f"{d}/theirs.json"))
def row(name, a, b):
    c = a.get("control_rate") or {"value": float("nan")}
    print(f"  {name:<28} synthgov {a['risk']['value']:.3f} (attack {a['attack_rate']['value']:.3f}, control {c['value']:.3f})"
          f"  anonymeter {b['risk']:.3f} (attack {b['attack']:.3f}, control {b['control']:.3f})")
row("singling out univariate", o["singling_out_univariate"], t["singling_out_univariate"])
row("singling out multivariate", o["singling_out_multivariate"], t["singling_out_multivariate"])
row("linkability", o["linkability"], t["linkability"])
for c in o["inference"]:
    row("inference " + c, o["inference"][c], t["inference"][c])
print(f"synthgov quality (whole report, attacks included): {ours_s:.1f} s")
print(f"anonymeter (the attacks alone): {theirs_s:.1f} s ({t['seconds']:.1f} s inside)")
print(f"ratio: {theirs_s / ours_s:.1f}x")
PY
