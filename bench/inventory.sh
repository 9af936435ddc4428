#!/usr/bin/env bash
# `synthgov inventory --json` and `synthgov classify --json` on a store with 100,000
# assets and 1,000 datasets (issue 3: each under 1 s). Best of 3.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/bench/out}
mkdir -p "$OUT"
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
BIN=$ROOT/target/release/synthgov
python3 "$ROOT/bench/gen_catalog.py" 50000 1000 "$OUT/catalog.csv" "$OUT/bench-inventory.yaml"
H=$OUT/ihome; rm -rf "$H"; "$BIN" --home "$H" init >/dev/null
"$BIN" --home "$H" apply "$OUT/bench-inventory.yaml" >/dev/null
t0=$(date +%s.%N); "$BIN" --home "$H" import shopify --csv "$OUT/catalog.csv" --generator gen-img >/dev/null; t1=$(date +%s.%N)
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
best() { printf '%s\n' "$@" | sort -g | head -1; }
inv=(); cls=()
for _ in 1 2 3; do
  inv+=("$(secs "$BIN" --home "$H" inventory --json)")
  cls+=("$(secs "$BIN" --home "$H" classify --json)")
done
assets=$("$BIN" --home "$H" inventory --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["assets"]), len(d["datasets"]))')
printf 'store: %s assets / datasets; import of 50,000 products (100,000 assets): %.2f s\n' "$assets" "$(echo "$t1 - $t0" | bc -l)"
printf 'inventory --json %.3f s; classify --json (100 systems) %.3f s (targets < 1 s)\n' "$(best "${inv[@]}")" "$(best "${cls[@]}")"
