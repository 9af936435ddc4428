#!/usr/bin/env bash
# `synthgov scan storefront` over N saved product pages of about SIZE_KB each (issue 5:
# 10,000 pages, about 1 GB of HTML, images registered: at least 100 MB/s of HTML).
# Peers in the same run, page cache warm: `grep -c '<img'` over the same files (a raw
# read-and-match pass, the floor any scanner pays) and Python's stdlib html.parser
# (an HTML tokenizer with no rules at all), each as a ratio. Best of 3.
# Usage: bench/scan_storefront.sh [N=10000] [SIZE_KB=100]
set -euo pipefail
N=${1:-10000}; SIZE_KB=${2:-100}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/bench/out}
mkdir -p "$OUT"
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
BIN=$ROOT/target/release/synthgov
DIR=$OUT/storefront-$N-$SIZE_KB
[ -d "$DIR/site" ] || python3 "$ROOT/bench/gen_storefront.py" "$N" "$SIZE_KB" "$DIR"
H=$OUT/sfhome
rm -rf "$H"; "$BIN" --home "$H" init >/dev/null
"$BIN" --home "$H" apply "$ROOT/examples/inventory.yaml" >/dev/null
"$BIN" --home "$H" -q register "$DIR"/registered/*.png --generator product-image-gan >/dev/null
"$BIN" --home "$H" -q register "$DIR"/registered/ --kind text --generator description-llm >/dev/null 2>&1 || \
  find "$DIR/registered" -name '*.html' -print0 | xargs -0 "$BIN" --home "$H" -q register --generator description-llm >/dev/null
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
best() { printf '%s\n' "$@" | sort -g | head -1; }
find "$DIR/site" -type f -name '*.html' -print0 | xargs -0 cat > /dev/null
sg=(); gr=(); py=()
for _ in 1 2 3; do
  sg+=("$(secs "$BIN" --home "$H" -q scan storefront "$DIR/site" --format json --output "$OUT/sf-report.json")")
  gr+=("$(secs sh -c "find '$DIR/site' -name '*.html' -print0 | xargs -0 grep -c '<img' ")")
done
py+=("$(secs python3 -c "
import sys, os
from html.parser import HTMLParser
class P(HTMLParser):
    def handle_starttag(self, t, a): pass
for d, _, fs in os.walk(sys.argv[1]):
    for f in fs:
        if f.endswith('.html'):
            p = P(); p.feed(open(os.path.join(d, f), encoding='utf-8').read()); p.close()
" "$DIR/site")")
bytes=$(find "$DIR/site" -name '*.html' -printf '%s\n' | awk '{s+=$1} END {print s}')
pages=$(find "$DIR/site" -name '*.html' | wc -l)
s=$(best "${sg[@]}"); g=$(best "${gr[@]}"); p=${py[0]}
findings=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r['summary']['findings'])" "$OUT/sf-report.json")
printf 'scan storefront: %d pages, %d bytes of HTML, %d findings: %.2f s = %.0f MB/s (target >= 100)\n' "$pages" "$bytes" "$findings" "$s" "$(echo "$bytes / $s / 1000000" | bc -l)"
printf '  grep -c "<img": %.2f s = %.0f MB/s (ratio scan/grep time %.2f)\n' "$g" "$(echo "$bytes / $g / 1000000" | bc -l)" "$(echo "$s / $g" | bc -l)"
printf '  python html.parser (tokenize only, 1 run): %.2f s = %.0f MB/s (synthgov is %.1fx faster)\n' "$p" "$(echo "$bytes / $p / 1000000" | bc -l)" "$(echo "$p / $s" | bc -l)"
