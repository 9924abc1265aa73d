#!/usr/bin/env python3
"""Checks encoded.txt (written by encode/msgpack's TestGoldenEncoded) with
msgpack-python, an implementation independent of the Go code.

    python3 -m pip install msgpack && python3 testdata/msgpack/verify_encoded.py
"""
import os

import msgpack

here = os.path.dirname(os.path.abspath(__file__))
T = msgpack.Timestamp

want = [
    {"id": "pay_1", "n": 42, "amount": 19.99, "ok": True, "ts": T.from_unix_nano(1700000000123 * 10**6),
     "raw": b"\x00\x01\xff", "tags": ["a", ""], "attrs": {"x": 1}, "geo": {"lat": 48.85, "lon": 2.35}},
    {"id": "", "n": None, "amount": -0.5, "ok": False, "ts": T.from_unix_nano(-1 * 10**6), "raw": b"",
     "tags": [], "attrs": {}, "geo": None},
    {"id": "日本語", "n": -(2**63), "amount": None, "ok": None, "ts": None, "raw": None, "tags": None,
     "attrs": None, "geo": {"lat": None, "lon": 0.0}},
]

with open(os.path.join(here, "encoded.txt")) as f:
    got = [msgpack.unpackb(bytes.fromhex(line.strip()), raw=False) for line in f if line.strip()]
assert got == want, f"\n got {got}\nwant {want}"
print(f"{len(got)} rows match")
