#!/usr/bin/env bash
# `synthgov register` of a folder of N files totalling about SIZE_MB vs sha256sum over
# the same files (issue 3: at least sha256sum's throughput; register may use both
# cores, sha256sum is one process). Page cache warm for both. Best of 3.
# Usage: bench/register.sh [N=10000] [SIZE_MB=2000]
set -euo pipefail
N=${1:-10000}; SIZE_MB=${2:-2000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/bench/out}
mkdir -p "$OUT"
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
BIN=$ROOT/target/release/synthgov
DIR=$OUT/files-$N-$SIZE_MB
if [ ! -d "$DIR" ]; then
  mkdir -p "$DIR"
  per=$(( SIZE_MB * 1024 * 1024 / N ))
  head -c $(( SIZE_MB * 1024 * 1024 )) /dev/urandom | split -a 5 -d -b "$per" --additional-suffix=.png - "$DIR/img-"
fi
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
best() { printf '%s\n' "$@" | sort -g | head -1; }
cat "$DIR"/* > /dev/null   # warm the page cache
reg=(); sha=()
for _ in 1 2 3; do
  rm -rf "$OUT/rhome"; "$BIN" --home "$OUT/rhome" init >/dev/null
  "$BIN" --home "$OUT/rhome" apply "$ROOT/examples/inventory.yaml" >/dev/null
  reg+=("$(secs "$BIN" --home "$OUT/rhome" --quiet register "$DIR" --generator product-image-gan)")
  sha+=("$(secs sh -c "find '$DIR' -type f -print0 | xargs -0 sha256sum")")
done
r=$(best "${reg[@]}"); s=$(best "${sha[@]}")
files=$(find "$DIR" -type f | wc -l); bytes=$(du -sb "$DIR" | cut -f1)
printf 'register %d files, %d bytes: %.2f s (%.0f MB/s); sha256sum %.2f s (%.0f MB/s); ratio sha256sum/register %.2f (target >= 1)\n' \
  "$files" "$bytes" "$r" "$(echo "$bytes / $r / 1000000" | bc -l)" "$s" "$(echo "$bytes / $s / 1000000" | bc -l)" "$(echo "$s / $r" | bc -l)"
