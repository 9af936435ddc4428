#!/usr/bin/env bash
# `synthgov audit-pack` and `synthgov verify-pack` on a store with 100,000 assets,
# 1,000 datasets and 1,000,000 ledger entries (issue 8: pack < 60 s, verify < 10 s).
# The store: the inventory and Shopify catalog of bench/inventory.sh (50,000 products
# -> 100,000 assets, 1,000 datasets), then store activity appended as JSONL until the
# log holds 1,000,000 entries (access decisions and asset observations: entries the
# pack does not cite; it cites every inventory object, asset and dataset version).
# Best of 3 for verify; one pack per run (each pack appends its own events).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/bench/out}
mkdir -p "$OUT"
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
BIN=$ROOT/target/release/synthgov
python3 "$ROOT/bench/gen_catalog.py" 50000 1000 "$OUT/catalog.csv" "$OUT/bench-inventory.yaml"
H=$OUT/phome; rm -rf "$H"; "$BIN" --home "$H" init >/dev/null
"$BIN" --home "$H" apply "$OUT/bench-inventory.yaml" >/dev/null
"$BIN" --home "$H" --quiet import shopify --csv "$OUT/catalog.csv" --generator gen-img >/dev/null
size() { "$BIN" --home "$H" verify --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["tree_size"])'; }
have=$(size)
need=$((1000000 - have))
python3 "$ROOT/bench/gen_events.py" "$need" "$OUT/pack-events.jsonl" "ext.access_decided,magento.asset_observed,ext.access_decided,ext.access_decided"
"$BIN" --home "$H" --quiet ledger append --jsonl "$OUT/pack-events.jsonl" >/dev/null
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
best() { printf '%s\n' "$@" | sort -g | head -1; }
packs=(); verifies=(); shas=()
for i in 1 2 3; do
  rm -rf "$OUT/pack$i"
  packs+=("$(secs "$BIN" --home "$H" --quiet audit-pack --out "$OUT/pack$i")")
  key=$(cat "$OUT/pack$i/ledger/key")
  verifies+=("$(secs "$BIN" verify-pack "$OUT/pack$i" --key "$key")")
  shas+=("$(cd "$OUT/pack$i" && secs bash -c "sed -n '/^\$/q;p' MANIFEST | tail -n +3 | sha256sum -c --strict --quiet")")
done
"$BIN" verify-pack "$OUT/pack1" --key "$(cat "$OUT/pack1/ledger/key")"
size=$(du -sh "$OUT/pack1" | cut -f1)
entries=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["entries"]))' "$OUT/pack1/ledger/proofs.json")
printf 'store: %s ledger entries; pack %s, %s cited entries proved\n' "$(size)" "$size" "$entries"
printf 'audit-pack  best %.2f s of %s (target < 60 s)\n' "$(best "${packs[@]}")" "${packs[*]}"
printf 'verify-pack best %.2f s of %s (target < 10 s)\n' "$(best "${verifies[@]}")" "${verifies[*]}"
printf 'sha256sum -c of the manifest body (file hashes only, the peer): best %.2f s; verify-pack / sha256sum = %.2f\n' "$(best "${shas[@]}")" "$(echo "$(best "${verifies[@]}") / $(best "${shas[@]}")" | bc -l)"
