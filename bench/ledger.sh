#!/usr/bin/env bash
# Whole-process ledger figures (issue 2), on this machine:
#   - bulk append of N small events from JSONL (target >= 200,000 events/s)
#   - `synthgov verify` over N entries vs `sha256sum` over the same leaf bytes in
#     one file (target: verify <= 3x sha256sum)
# Usage: bench/ledger.sh [N]   (default 1,000,000). Best of 3 runs each.
set -euo pipefail
N=${1:-1000000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/bench/out}
mkdir -p "$OUT"
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
BIN=$ROOT/target/release/synthgov

[ -f "$OUT/events-$N.jsonl" ] || python3 "$ROOT/bench/gen_events.py" "$N" "$OUT/events-$N.jsonl"

secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
best() { printf '%s\n' "$@" | sort -g | head -1; }

append=()
for _ in 1 2 3; do
  rm -rf "$OUT/home"; "$BIN" --home "$OUT/home" init >/dev/null
  append+=("$(secs "$BIN" --home "$OUT/home" --quiet ledger append --jsonl "$OUT/events-$N.jsonl")")
done
python3 "$ROOT/bench/dump_leaves.py" "$OUT/home/synthgov.db" "$OUT/leaves.bin"
verify=(); sha=()
for _ in 1 2 3; do
  verify+=("$(secs "$BIN" --home "$OUT/home" --quiet verify)")
  sha+=("$(secs sha256sum "$OUT/leaves.bin")")
done
a=$(best "${append[@]}"); v=$(best "${verify[@]}"); s=$(best "${sha[@]}")
bytes=$(stat -c %s "$OUT/leaves.bin")
printf 'machine: %s, %s cores, %s\n' "$(lscpu | sed -n 's/Model name: *//p')" "$(nproc)" "$(free -g | awk '/Mem/{print $2" GiB"}')"
printf 'append  %d events (%d leaf bytes): %.2f s = %.0f events/s\n' "$N" "$bytes" "$a" "$(echo "$N / $a" | bc -l)"
printf 'verify  %.2f s; sha256sum %.2f s; ratio %.2f (target <= 3)\n' "$v" "$s" "$(echo "$v / $s" | bc -l)"
