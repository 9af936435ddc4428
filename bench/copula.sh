#!/usr/bin/env bash
# Fitted model sampling vs Python copulas (issue 4: >= 50x throughput, SDMetrics score
# at least as high). Installs copulas and sdmetrics in a venv under bench/out.
# Usage: bench/copula.sh [ROWS=1000000]
set -euo pipefail
ROWS=${1:-1000000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/bench/out}
mkdir -p "$OUT"
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
[ -x "$OUT/cvenv/bin/python" ] || { python3 -m venv "$OUT/cvenv" && "$OUT/cvenv/bin/pip" install -q copulas sdmetrics; }
"$OUT/cvenv/bin/python" "$ROOT/bench/copula_vs_python.py" \
  "$ROOT/../shared/testdata/sdmetrics/single_table_student_placements_real.csv" "$ROOT/target/release/synthgov" "$ROWS"
