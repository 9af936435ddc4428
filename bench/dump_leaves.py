#!/usr/bin/env python3
"""Concatenates every stored leaf (the exact bytes the ledger hashes) into one file,
so sha256sum can hash the same bytes `synthgov verify` hashes."""
import sqlite3
import sys

db, out = sys.argv[1], sys.argv[2]
with sqlite3.connect(db) as c, open(out, "wb") as f:
    for (leaf,) in c.execute("SELECT leaf FROM ledger_entries ORDER BY idx"):
        f.write(leaf)
