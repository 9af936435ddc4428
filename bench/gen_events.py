#!/usr/bin/env python3
"""Writes N small governance events as JSONL (deterministic), for bench/ledger.sh.
Usage: gen_events.py N OUT [TYPE,TYPE,...]"""
import random
import sys

n = int(sys.argv[1])
out = sys.argv[2]
random.seed(1)
# What a store integration reports (synthgov's own types are refused from outside).
kinds = ["magento.product_saved", "magento.media_gallery_changed", "magento.order_placed", "shopify.products_update", "ext.audit_note"]
if len(sys.argv) > 3:  # optional comma-separated event types to cycle through
    kinds = sys.argv[3].split(",")
with open(out, "w") as f:
    for i in range(n):
        f.write('{"type":"%s","actor":"svc:magento-module","time":"2026-11-23T10:00:00Z",'
                '"data":{"sku":"MH%05d","sha256":"%064x","n":%d}}\n'
                % (kinds[i % len(kinds)], i % 50000, random.getrandbits(256), i))
