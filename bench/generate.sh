#!/usr/bin/env bash
# Built-in customers to CSV (issue 4: >= 500,000 rows/s on 2 cores, >= 100x Python
# Faker making the same columns), and peak RSS of a long streamed run.
# Usage: bench/generate.sh [ROWS=2000000] [FAKER_ROWS=50000] [BIG_ROWS=0]
set -euo pipefail
ROWS=${1:-2000000}; FAKER_ROWS=${2:-50000}; BIG=${3:-0}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/bench/out}
mkdir -p "$OUT"
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
BIN=$ROOT/target/release/synthgov
H=$OUT/ghome; rm -rf "$H"; "$BIN" --home "$H" init >/dev/null
[ -x "$OUT/venv/bin/python" ] || { python3 -m venv "$OUT/venv" && "$OUT/venv/bin/pip" install -q faker; }
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
best() { printf '%s\n' "$@" | sort -g | head -1; }
m=(); n=()
for _ in 1 2 3; do
  m+=("$(secs "$BIN" --home "$H" --quiet generate customers --rows "$ROWS" --out "$OUT/cust.csv")")
  n+=("$(secs "$BIN" --home "$H" --quiet generate customers --rows "$ROWS" --out "$OUT/cust.csv" --no-marker)")
done
f=$(secs "$OUT/venv/bin/python" "$ROOT/bench/faker_customers.py" "$FAKER_ROWS" "$OUT/faker.csv")
rm=$(echo "$ROWS / $(best "${m[@]}")" | bc -l); rn=$(echo "$ROWS / $(best "${n[@]}")" | bc -l); rf=$(echo "$FAKER_ROWS / $f" | bc -l)
printf 'synthgov customers, marker + fingerprints: %.0f rows/s; without marker: %.0f rows/s\n' "$rm" "$rn"
printf 'Faker %s (same columns, %d rows): %.0f rows/s; ratio (with marker) %.0fx, (without) %.0fx\n' \
  "$("$OUT/venv/bin/python" -c 'import faker; print(faker.VERSION)')" "$FAKER_ROWS" "$rf" "$(echo "$rm / $rf" | bc -l)" "$(echo "$rn / $rf" | bc -l)"
if [ "$BIG" -gt 0 ]; then
  /usr/bin/time -f 'streamed %e s, peak RSS %M KB' "$BIN" --home "$H" --quiet generate customers --rows "$BIG" --out "$OUT/big.csv"
  rm -f "$OUT/big.csv"
fi
