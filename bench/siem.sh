#!/usr/bin/env bash
# SIEM forwarding throughput (issue 17: >= 20,000 events/s per sink over TCP to a
# local rsyslog), against util-linux `logger --tcp --octet-count` sending the same
# number of lines to the same rsyslog in the same run. Release build.
#   N=100000   events            BIN=path   use this binary
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/bench/out}/siem
N=${N:-100000}
rm -rf "$OUT"; mkdir -p "$OUT/work"
if [ -z "${BIN:-}" ]; then
  cargo build --release --locked --quiet --manifest-path "$ROOT/Cargo.toml" -p synthgov
  BIN=$ROOT/target/release/synthgov
fi
PORT=${PORT:-16514}
cat > "$OUT/rsyslog.conf" <<CONF
global(workDirectory="$OUT/work" maxMessageSize="64k")
module(load="imtcp")
template(name="raw" type="string" string="%rawmsg%\n")
ruleset(name="fwd") { action(type="omfile" file="$OUT/received.log" template="raw") }
input(type="imtcp" port="$PORT" address="127.0.0.1" ruleset="fwd")
CONF
/usr/sbin/rsyslogd -n -f "$OUT/rsyslog.conf" -i "$OUT/rsyslog.pid" &
RS=$!
trap 'kill $RS 2>/dev/null || true' EXIT
for _ in $(seq 50); do (echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
python3 - "$N" > "$OUT/events.jsonl" <<'PY'
import sys
for i in range(int(sys.argv[1])):
    print('{"type":"ext.bench_event","actor":"bench","time":"2026-12-01T10:00:00Z","data":{"i":%d,"sku":"SKU-%06d","note":"a product saved by the store"}}' % (i, i))
PY
H=$OUT/home
"$BIN" --home "$H" init >/dev/null
"$BIN" --home "$H" ledger append --jsonl "$OUT/events.jsonl" >/dev/null
cat >> "$H/synthgov.toml" <<TOML

[[siem.sinks]]
name = "bench"
kind = "syslog-tcp"
address = "127.0.0.1:$PORT"
format = "rfc5424"
batch = 5000
TOML
count() { [ -f "$OUT/received.log" ] && wc -l < "$OUT/received.log" || echo 0; }
wait_for() { for _ in $(seq 600); do [ "$(count)" -ge "$1" ] && return 0; sleep 0.1; done; echo "rsyslog got $(count) of $1" >&2; return 1; }
total=$("$BIN" --home "$H" ledger checkpoint | sed -n 2p)
t0=$(date +%s.%N)
"$BIN" --home "$H" siem forward --once >/dev/null
wait_for "$total"
t1=$(date +%s.%N)
# The peer: the same number of lines through logger, octet-counted over TCP.
base=$(count)
python3 - "$N" > "$OUT/lines.txt" <<'PY'
import sys
for i in range(int(sys.argv[1])):
    print('{"type":"ext.bench_event","actor":"bench","time":"2026-12-01T10:00:00Z","data":{"i":%d,"sku":"SKU-%06d","note":"a product saved by the store"}}' % (i, i))
PY
t2=$(date +%s.%N)
logger --tcp --octet-count --server 127.0.0.1 --port "$PORT" --rfc5424 --size 65536 -f "$OUT/lines.txt"
wait_for $(( base + N ))
t3=$(date +%s.%N)
ours=$(echo "$t1 - $t0" | bc -l); peer=$(echo "$t3 - $t2" | bc -l)
printf 'synthgov siem forward --once: %d entries in %.2f s = %.0f events/s\n' "$total" "$ours" "$(echo "$total / $ours" | bc -l)"
printf 'logger --tcp --octet-count:   %d lines in %.2f s = %.0f events/s\n' "$N" "$peer" "$(echo "$N / $peer" | bc -l)"
printf 'ratio (synthgov / logger throughput): %.2f\n' "$(echo "($total / $ours) / ($N / $peer)" | bc -l)"
