#!/usr/bin/env bash
# `generate store` (issue 16: --customers 1000000 under 60 s on the 2 cores), with the
# marker column and every table's fingerprint filter, and without markers; then the
# fraud-pattern benchmark (bench/fraud_patterns.py) on two stores of FRAUD_CUSTOMERS.
# Usage: bench/store.sh [CUSTOMERS=1000000] [FRAUD_CUSTOMERS=100000]
set -euo pipefail
N=${1:-1000000}; F=${2:-100000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/bench/out}
mkdir -p "$OUT"
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
BIN=$ROOT/target/release/synthgov
H=$OUT/shome; rm -rf "$H"; "$BIN" --home "$H" init >/dev/null
for opt in "" "--no-marker"; do
  rm -rf "$OUT/store"
  /usr/bin/time -f "generate store --customers $N $opt: %e s, peak RSS %M KB" \
    "$BIN" --home "$H" --quiet generate store --customers "$N" --out "$OUT/store" $opt >/dev/null
done
du -sh "$OUT/store" | awk '{print "output: " $1}'
wc -l "$OUT"/store/*.csv | sed '$d' | awk '{printf "  %s: %d rows\n", $2, $1 - 1}'
rm -rf "$OUT/store"
for s in 1 2; do
  rm -rf "$OUT/fraud$s"
  "$BIN" --home "$H" --quiet generate store --customers "$F" --fraud-rate 0.02 --seed "$s" --out "$OUT/fraud$s" >/dev/null
done
python3 "$ROOT/bench/fraud_patterns.py" "$OUT/fraud1" "$OUT/fraud2"
rm -rf "$OUT/fraud1" "$OUT/fraud2"
