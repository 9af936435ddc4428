#!/usr/bin/env bash
# Evidence-integrity figures (issue 14), on this machine, release build:
#   1. `synthgov verify` (log + projection replay) on a store of ENTRIES entries and
#      ASSETS assets, against `synthgov verify --log-only` (the log check alone, what
#      verify did before the replay existed) on the same store: target ratio <= 2.
#   2. bulk append through the registry (`ledger append --jsonl`, every line checked
#      against the reserved namespaces) against OLD=path/to/an/older/synthgov doing
#      the same on a fresh store of its own: target >= 0.9 of its throughput.
#   3. p99 latency of POST /v1/events while a 5,000,000-row POST /v1/generate runs,
#      with wrk (a Lua script posting one event per request, 25 s: the whole run and
#      its commit fall inside): target < 50 ms; the same
#      without generation as the baseline, and with OLD when given.
# Usage: [OLD=/path/to/old/synthgov] bench/integrity.sh [ENTRIES] [ASSETS]
# (defaults 1,000,000 and 100,000). Best of 3 for 1, best of 5 interleaved for 2.
# ONLY_LATENCY=1 runs part 3 alone.
set -euo pipefail
ENTRIES=${1:-1000000}
ASSETS=${2:-100000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/bench/out}
PORT=${PORT:-18427}
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 3; }
[ -n "${SKIP_BUILD:-}" ] || cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
BIN=${BIN:-$ROOT/target/release/synthgov}

secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
best() { printf '%s\n' "$@" | sort -g | head -1; }
printf 'machine: %s, %s cores, %s\n' "$(lscpu | sed -n 's/Model name: *//p')" "$(nproc)" "$(free -g | awk '/Mem/{print $2" GiB"}')"

if [ -z "${ONLY_LATENCY:-}" ]; then
# 1. The store: ASSETS assets from a Shopify catalog (two per product), then
# external events up to ENTRIES entries.
products=$((ASSETS / 2))
python3 "$ROOT/bench/gen_catalog.py" "$products" 1000 "$OUT/int-catalog.csv" "$OUT/int-inventory.yaml"
H=$OUT/int-home; rm -rf "$H"
"$BIN" --home "$H" init >/dev/null
"$BIN" --home "$H" apply "$OUT/int-inventory.yaml" >/dev/null
"$BIN" --home "$H" --quiet import shopify --csv "$OUT/int-catalog.csv" --generator gen-img >/dev/null
have=$("$BIN" --home "$H" verify --json --log-only | python3 -c 'import json,sys; print(json.load(sys.stdin)["tree_size"])')
more=$((ENTRIES - have))
[ -f "$OUT/int-events-$more.jsonl" ] || python3 "$ROOT/bench/gen_events.py" "$more" "$OUT/int-events-$more.jsonl"
"$BIN" --home "$H" --quiet ledger append --jsonl "$OUT/int-events-$more.jsonl" >/dev/null
rows=$("$BIN" --home "$H" verify --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["ok"], d; p=d["projections"]; print(d["tree_size"], p["rows_checked"], p["events_replayed"])')
full=(); log=()
for _ in 1 2 3; do
  full+=("$(secs "$BIN" --home "$H" --quiet verify)")
  log+=("$(secs "$BIN" --home "$H" --quiet verify --log-only)")
done
f=$(best "${full[@]}"); l=$(best "${log[@]}")
printf 'verify    %s entries, %s projection rows, %s entries replayed\n' $rows
printf 'verify    with replay %.2f s; --log-only %.2f s; ratio %.2f (target <= 2)\n' "$f" "$l" "$(echo "$f / $l" | bc -l)"

# 2. Bulk append: the same 1,000,000-line file into fresh stores.
N=1000000
[ -f "$OUT/events-$N.jsonl" ] || python3 "$ROOT/bench/gen_events.py" "$N" "$OUT/events-$N.jsonl"
once() {
  rm -rf "$OUT/int-append"; "$1" --home "$OUT/int-append" init >/dev/null
  secs "$1" --home "$OUT/int-append" --quiet ledger append --jsonl "$OUT/events-$N.jsonl"
}
# Interleaved, best of 5: run-to-run noise on this machine is +-20%.
new=(); old=()
for _ in 1 2 3 4 5; do
  new+=("$(once "$BIN")")
  [ -z "${OLD:-}" ] || old+=("$(once "$OLD")")
done
a=$(best "${new[@]}")
printf 'append    %d events through the registry: %.2f s = %.0f events/s (runs: %s)\n' "$N" "$a" "$(echo "$N / $a" | bc -l)" "${new[*]}"
if [ -n "${OLD:-}" ]; then
  o=$(best "${old[@]}")
  printf 'append    %d events with %s: %.2f s = %.0f events/s; ratio new/old throughput %.3f (target >= 0.9) (runs: %s)\n' \
    "$N" "$OLD" "$o" "$(echo "$N / $o" | bc -l)" "$(echo "$o / $a" | bc -l)" "${old[*]}"
fi

fi

# 3. Appends while a large generation runs.
cat > "$OUT/post-event.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"type":"bench.during_generate","data":{"sku":"MH00042"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("SVC")
LUA
latency() {
  local bin=$1 label=$2 gen=$3 home=$OUT/int-serve
  rm -rf "$home"; "$bin" --home "$home" init >/dev/null
  local eng svc
  eng=$("$bin" --home "$home" token create --role engineer --name eng 2>/dev/null)
  svc=$("$bin" --home "$home" token create --role service --name svc 2>/dev/null)
  "$bin" --home "$home" serve --addr "127.0.0.1:$PORT" > "$OUT/int-serve.log" 2>&1 &
  local server=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
  local genpid=""
  if [ "$gen" = yes ]; then
    curl -s -o "$OUT/int-generate.json" -w '%{http_code} %{time_total}\n' -X POST \
      -H "Authorization: Bearer $eng" -H 'Content-Type: application/json' \
      -d '{"entity":"customers","rows":5000000,"seed":1}' \
      "http://127.0.0.1:$PORT/v1/generate" > "$OUT/int-generate.status" &
    genpid=$!
    sleep 1
  fi
  SVC=$svc wrk -t1 -c4 -d"${WRK_DURATION:-25s}" --timeout 30s --latency -s "$OUT/post-event.lua" "http://127.0.0.1:$PORT/v1/events" > "$OUT/wrk-$label.txt"
  local running=no
  if [ -n "$genpid" ] && kill -0 "$genpid" 2>/dev/null; then running=yes; fi
  [ -z "$genpid" ] || wait "$genpid" || true
  kill "$server"; wait "$server" 2>/dev/null || true
  local p99 rps errs
  p99=$(awk '$1 == "99%" {print $2}' "$OUT/wrk-$label.txt")
  rps=$(awk '/^Requests\/sec/ {print $2}' "$OUT/wrk-$label.txt")
  errs=$(awk '/Non-2xx/ {print $5}' "$OUT/wrk-$label.txt")
  printf 'events    %-28s p99 %s, %s req/s, non-2xx %s%s\n' "$label" "$p99" "$rps" "${errs:-0}" \
    "$([ "$gen" = yes ] && echo "; generation still running when wrk ended: $running; generate answered $(cat "$OUT/int-generate.status")")"
}
latency "$BIN" "idle" no
latency "$BIN" "during-5M-generate" yes
if [ -n "${OLD:-}" ]; then
  latency "$OLD" "old-during-5M-generate" yes
fi
