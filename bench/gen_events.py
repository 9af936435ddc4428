#!/usr/bin/env python3
"""Writes N small governance events as JSONL (deterministic), for bench/ledger.sh."""
import random
import sys

n = int(sys.argv[1])
out = sys.argv[2]
random.seed(1)
kinds = ["asset.registered", "generation.completed", "access.decided", "scan.completed", "disclosure.applied"]
with open(out, "w") as f:
    for i in range(n):
        f.write('{"type":"%s","actor":"svc:magento-module","time":"2026-11-23T10:00:00Z",'
                '"data":{"sku":"MH%05d","sha256":"%064x","n":%d}}\n'
                % (kinds[i % 5], i % 50000, random.getrandbits(256), i))
