#!/usr/bin/env bash
# Load test of `synthgov serve` on loopback with wrk (issue 7):
#   GET /v1/assets/{sha256}: target >= 20,000 req/s, p99 < 10 ms;
#   POST /v1/events: target >= 5,000 durable appends/s (group commit), 0 errors, and
#   afterwards new ledger entries == 201 responses. The appends are driven by h2load
#   (nghttp2-client, HTTP/1.1) with a fixed request count, because wrk stops with
#   requests in flight whose 201s it never counts: the server committed them, so the
#   ledger would hold more entries than wrk saw 201s.
# The store: 5,000 Shopify products (10,000 assets) and 1,000 datasets, in SQLite, or
# with DATABASE=postgres://... in a fresh schema of that PostgreSQL database.
# The same run measures GET /healthz (no store, no auth: the HTTP stack alone) as the
# ceiling the asset lookup is compared with.
# wrk and the server share the machine's 2 cores. DURATION (default 30s), CONNS (64),
# READERS (the server's read connections, 4).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/bench/out}
DURATION=${DURATION:-30s}
CONNS=${CONNS:-64}
PORT=${PORT:-18417}
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 3; }
command -v h2load >/dev/null || { echo "h2load is needed: apt-get install nghttp2-client" >&2; exit 3; }
POSTS=${POSTS:-300000}
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
BIN=$ROOT/target/release/synthgov
python3 "$ROOT/bench/gen_catalog.py" 5000 1000 "$OUT/load-catalog.csv" "$OUT/load-inventory.yaml"
H=$OUT/lhome; rm -rf "$H"
if [ -n "${DATABASE:-}" ]; then
  schema="sg_bench_$(date +%s)"
  psql "$DATABASE" -qc "CREATE SCHEMA $schema"
  sep='?'; case "$DATABASE" in *\?*) sep='&';; esac
  "$BIN" --home "$H" --database "${DATABASE}${sep}options=-csearch_path%3D$schema" init >/dev/null
else
  "$BIN" --home "$H" init >/dev/null
fi
"$BIN" --home "$H" apply "$OUT/load-inventory.yaml" >/dev/null
"$BIN" --home "$H" --quiet import shopify --csv "$OUT/load-catalog.csv" --generator gen-img >/dev/null
SHA=$("$BIN" --home "$H" inventory --json | python3 -c 'import json,sys; a=[x for x in json.load(sys.stdin)["assets"] if x.get("sha256")]; print(a[len(a)//2]["sha256"])')
READ=$("$BIN" --home "$H" token create --role auditor --name load-read 2>/dev/null)
SVC=$("$BIN" --home "$H" token create --role service --name load-write 2>/dev/null)
"$BIN" --home "$H" serve --addr "127.0.0.1:$PORT" --readers "${READERS:-4}" > "$OUT/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
curl -sf -H "Authorization: Bearer $READ" "http://127.0.0.1:$PORT/v1/assets/$SHA" >/dev/null

printf '%s' '{"type":"bench.load","data":{"source":"h2load","sku":"MH00042"}}' > "$OUT/event.json"

run() { wrk -t2 -c"$CONNS" -d"$DURATION" --latency "$@"; }
rps() { awk '/^Requests\/sec/ {print $2}' "$1"; }
p99() { awk '$1 == "99%" {print $2}' "$1"; }

run "http://127.0.0.1:$PORT/healthz" > "$OUT/wrk-healthz.txt"
run -H "Authorization: Bearer $READ" "http://127.0.0.1:$PORT/v1/assets/$SHA" > "$OUT/wrk-asset.txt"
before=$(curl -sf -H "Authorization: Bearer $READ" "http://127.0.0.1:$PORT/v1/ledger/checkpoint" | sed -n 2p)
h2load --h1 -n "$POSTS" -c "$CONNS" -t 2 -d "$OUT/event.json" -H 'Content-Type: application/json' \
  -H "Authorization: Bearer $SVC" "http://127.0.0.1:$PORT/v1/events" > "$OUT/h2load-events.txt"
after=$(curl -sf -H "Authorization: Bearer $READ" "http://127.0.0.1:$PORT/v1/ledger/checkpoint" | sed -n 2p)
kill $SERVER; wait $SERVER 2>/dev/null || true
"$BIN" --home "$H" verify --json | python3 -c 'import json,sys; r=json.load(sys.stdin); print("verify:", "ok" if r["ok"] else "FAILED", r["tree_size"], "entries")'

created=$(sed -n 's/^status codes: \([0-9]*\) 2xx.*/\1/p' "$OUT/h2load-events.txt")
summary=$(grep -E "^finished in|^requests:|^status codes:" "$OUT/h2load-events.txt" | tr '\n' ' ')
took=$(sed -n 's/^finished in \([0-9.]*\)s.*/\1/p' "$OUT/h2load-events.txt")
printf 'machine: %s cores, %s; store: %s\n' "$(nproc)" "$(uname -sr)" "$([ -n "${DATABASE:-}" ] && echo PostgreSQL || echo SQLite)"
printf 'GET /healthz (HTTP stack alone):   %s req/s, p99 %s\n' "$(rps "$OUT/wrk-healthz.txt")" "$(p99 "$OUT/wrk-healthz.txt")"
printf 'GET /v1/assets/{sha256}:           %s req/s, p99 %s (target >= 20000, p99 < 10ms); asset/healthz = %.2f\n' \
  "$(rps "$OUT/wrk-asset.txt")" "$(p99 "$OUT/wrk-asset.txt")" "$(echo "$(rps "$OUT/wrk-asset.txt") / $(rps "$OUT/wrk-healthz.txt")" | bc -l)"
printf 'POST /v1/events (h2load):          %.0f durable appends/s (target >= 5000); %s\n' "$(echo "$created / $took" | bc -l)" "$summary"
printf 'ledger grew %s -> %s: %s new entries for %s x 201 (%s)\n' "$before" "$after" "$((after - before))" "$created" \
  "$([ $((after - before)) -eq "$created" ] && echo equal || echo MISMATCH)"
grep -E "Socket errors|Non-2xx" "$OUT"/wrk-*.txt || true
