#!/usr/bin/env bash
# Classification v2 (issue 19): `synthgov classify --json` of 1,000 systems on a store
# with 100,000 assets and 1,000 datasets (target < 1 s), `synthgov assess --answers`
# (target < 100 ms) and `scan governance`. Best of 5, release build.
#   BIN=path     use this binary (default: build target/release/synthgov)
#   OLD=path     also time an older binary's `classify --json` on the same store (ratio)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/bench/out}
mkdir -p "$OUT"
if [ -z "${BIN:-}" ]; then
  cargo build --release --locked --quiet --manifest-path "$ROOT/Cargo.toml" -p synthgov
  BIN=$ROOT/target/release/synthgov
fi
python3 "$ROOT/bench/gen_catalog.py" 50000 1000 "$OUT/catalog.csv" "$OUT/classify-inventory.yaml" 1000
H=$OUT/chome; rm -rf "$H"; "$BIN" --home "$H" init >/dev/null
"$BIN" --home "$H" apply "$OUT/classify-inventory.yaml" >/dev/null
"$BIN" --home "$H" import shopify --csv "$OUT/catalog.csv" --generator gen-img >/dev/null
printf 'practices: []\nrole: provider\npeople_affected: 800\n' > "$OUT/answers.yaml"
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
best() { printf '%s\n' "$@" | sort -g | head -1; }
cls=(); ass=(); gov=(); old=()
for i in 1 2 3 4 5; do
  cls+=("$(secs "$BIN" --home "$H" classify --json)")
  ass+=("$(secs "$BIN" --home "$H" assess "sys-$i" --answers "$OUT/answers.yaml" --json)")
  gov+=("$(secs "$BIN" --home "$H" scan governance --format json --fail-on critical || true)")
  if [ -n "${OLD:-}" ]; then old+=("$(secs "$OLD" --home "$H" classify --json)"); fi
done
n=$("$BIN" --home "$H" classify --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
a=$("$BIN" --home "$H" inventory --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["assets"]))')
printf 'store: %s systems, %s assets, 1000 datasets, 5 assessments\n' "$n" "$a"
printf 'classify --json %.3f s (target < 1 s)\n' "$(best "${cls[@]}")"
printf 'assess --answers %.3f s (target < 0.1 s)\n' "$(best "${ass[@]}")"
printf 'scan governance %.3f s\n' "$(best "${gov[@]}")"
if [ -n "${OLD:-}" ]; then
  printf 'old classify --json %.3f s; new/old %.2f\n' "$(best "${old[@]}")" "$(echo "$(best "${cls[@]}") / $(best "${old[@]}")" | bc -l)"
fi
