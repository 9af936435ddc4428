#!/usr/bin/env bash
# Load test of `synthgov serve` on loopback with wrk (issue 7):
#   GET /v1/assets/{sha256}: target >= 20,000 req/s, p99 < 10 ms;
#   POST /v1/events: target >= 5,000 durable appends/s (group commit), 0 errors, and
#   afterwards new ledger entries == 201 responses.
# The store: 5,000 Shopify products (10,000 assets) and 1,000 datasets, SQLite.
# The same run measures GET /healthz (no store, no auth: the HTTP stack alone) as the
# ceiling the asset lookup is compared with.
# wrk and the server share the machine's 2 cores. DURATION (default 30s), CONNS (64).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/bench/out}
DURATION=${DURATION:-30s}
CONNS=${CONNS:-64}
PORT=${PORT:-18417}
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 3; }
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
BIN=$ROOT/target/release/synthgov
python3 "$ROOT/bench/gen_catalog.py" 5000 1000 "$OUT/load-catalog.csv" "$OUT/load-inventory.yaml"
H=$OUT/lhome; rm -rf "$H"; "$BIN" --home "$H" init >/dev/null
"$BIN" --home "$H" apply "$OUT/load-inventory.yaml" >/dev/null
"$BIN" --home "$H" --quiet import shopify --csv "$OUT/load-catalog.csv" --generator gen-img >/dev/null
SHA=$("$BIN" --home "$H" inventory --json | python3 -c 'import json,sys; a=[x for x in json.load(sys.stdin)["assets"] if x.get("sha256")]; print(a[len(a)//2]["sha256"])')
READ=$("$BIN" --home "$H" token create --role auditor --name load-read 2>/dev/null)
SVC=$("$BIN" --home "$H" token create --role service --name load-write 2>/dev/null)
"$BIN" --home "$H" serve --addr "127.0.0.1:$PORT" > "$OUT/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
curl -sf -H "Authorization: Bearer $READ" "http://127.0.0.1:$PORT/v1/assets/$SHA" >/dev/null

cat > "$OUT/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"type":"bench.load","data":{"source":"wrk","sku":"MH00042"}}'
wrk.headers["Content-Type"] = "application/json"
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) created = 0; other = 0 end
function response(status, headers, body)
  if status == 201 then created = created + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local c, o = 0, 0
  for _, t in ipairs(threads) do c = c + t:get("created"); o = o + t:get("other") end
  io.write(string.format("CREATED %d OTHER %d\n", c, o))
end
LUA

run() { wrk -t2 -c"$CONNS" -d"$DURATION" --latency "$@"; }
rps() { awk '/^Requests\/sec/ {print $2}' "$1"; }
p99() { awk '$1 == "99%" {print $2}' "$1"; }

run "http://127.0.0.1:$PORT/healthz" > "$OUT/wrk-healthz.txt"
run -H "Authorization: Bearer $READ" "http://127.0.0.1:$PORT/v1/assets/$SHA" > "$OUT/wrk-asset.txt"
before=$(curl -sf -H "Authorization: Bearer $READ" "http://127.0.0.1:$PORT/v1/ledger/checkpoint" | sed -n 2p)
run -H "Authorization: Bearer $SVC" -s "$OUT/post.lua" "http://127.0.0.1:$PORT/v1/events" > "$OUT/wrk-events.txt"
after=$(curl -sf -H "Authorization: Bearer $READ" "http://127.0.0.1:$PORT/v1/ledger/checkpoint" | sed -n 2p)
kill $SERVER; wait $SERVER 2>/dev/null || true
"$BIN" --home "$H" verify --json | python3 -c 'import json,sys; r=json.load(sys.stdin); print("verify:", "ok" if r["ok"] else "FAILED", r["tree_size"], "entries")'

created=$(awk '/^CREATED/ {print $2}' "$OUT/wrk-events.txt")
other=$(awk '/^CREATED/ {print $4}' "$OUT/wrk-events.txt")
errors=$(grep -E "Socket errors|Non-2xx" "$OUT/wrk-events.txt" || true)
secs=${DURATION%s}
printf 'machine: %s cores, %s\n' "$(nproc)" "$(uname -sr)"
printf 'GET /healthz (HTTP stack alone):   %s req/s, p99 %s\n' "$(rps "$OUT/wrk-healthz.txt")" "$(p99 "$OUT/wrk-healthz.txt")"
printf 'GET /v1/assets/{sha256}:           %s req/s, p99 %s (target >= 20000, p99 < 10ms); asset/healthz = %.2f\n' \
  "$(rps "$OUT/wrk-asset.txt")" "$(p99 "$OUT/wrk-asset.txt")" "$(echo "$(rps "$OUT/wrk-asset.txt") / $(rps "$OUT/wrk-healthz.txt")" | bc -l)"
printf 'POST /v1/events:                   %s req/s, p99 %s; %s x 201, %s other; %.0f durable appends/s (target >= 5000)\n' \
  "$(rps "$OUT/wrk-events.txt")" "$(p99 "$OUT/wrk-events.txt")" "$created" "$other" "$(echo "$created / $secs" | bc -l)"
printf 'ledger grew %s -> %s: %s new entries for %s x 201 (%s)\n' "$before" "$after" "$((after - before))" "$created" \
  "$([ $((after - before)) -eq "$created" ] && echo equal || echo MISMATCH)"
[ -n "$errors" ] && echo "wrk: $errors"
exit 0
