#!/usr/bin/env python3
"""Writes golden MessagePack values with msgpack-python, an implementation
independent of the Go code, and the rows decode/msgpack must read from them.

    python3 -m pip install msgpack && python3 testdata/msgpack/gen.py

Outputs (next to this script):
  python_values.txt   one "name hex" line per value
  python_expect.jsonl one JSON object per value: {"name", "row"} or {"name", "error"}

The Go schema is in decode/msgpack/golden_test.go. Timestamps are expected as
epoch milliseconds, binary as base64, maps as objects, absent values as null.
"""
import base64
import datetime as dt
import json
import os

import msgpack

UTC = dt.timezone.utc
here = os.path.dirname(os.path.abspath(__file__))


def ts(v):
    return msgpack.Timestamp.from_unix_nano(v)


def ms(t):
    return t.to_unix_nano() // 1_000_000  # floor, as the decoder rounds toward the past


full = {
    "id": "pay_1", "n": 42, "small": -5, "u": 7, "amount": 19.99, "f32": 1.5, "ok": True,
    "ts": ts(1_700_000_000_123_000_000), "raw": b"\x00\x01\xff", "tags": ["a", "b"],
    "attrs": {"x": 1, "y": -2}, "geo": {"lat": 48.85, "lon": 2.35},
}

cases = [
    ("full", full, {}),
    ("nulls", {k: (v if k == "id" else None) for k, v in full.items()}, {}),
    ("missing_and_unknown", {"id": "p2", "zzz": [{"deep": [1, 2, {"x": None}]}], "n": 1, "extra": b"\x01"}, {}),
    ("extremes", {
        "id": "", "n": -(2**63), "small": -128, "u": 2**64 - 1, "amount": -0.0, "f32": 3.0, "ok": False,
        "ts": ts(-1_500_000), "raw": b"", "tags": [], "attrs": {}, "geo": {"lat": 0.0, "lon": -180.0},
    }, {}),
    ("unicode_and_order", dict(reversed(list({**full, "id": "日本語 ✓", "tags": ["é", "", "🎉"]}.items()))), {}),
    ("struct_as_array", {"id": "p3", "geo": [1.0, 2.0]}, {}),
    ("ts_64bit", {"id": "p4", "ts": ts(1_000_000_001)}, {}),
    ("ts_96bit", {"id": "p5", "ts": ts(32_503_680_000_000_000_000)}, {}),  # year 3000
    ("ts_32bit", {"id": "p6", "ts": ts(1_700_000_000_000_000_000)}, {}),
    ("single_floats", {"id": "p7", "amount": 0.25, "f32": 0.5}, {"use_single_float": True}),
    ("long_strings", {"id": "x" * 300, "tags": ["y" * 300]}, {}),
    ("int_widths", {"id": "p8", "n": 2**40, "small": 127, "u": 2**32}, {}),
    ("err_type", {"id": "e1", "n": "not a number"}, {}),
    ("err_range", {"id": "e2", "small": 300}, {}),
    ("err_missing_id", {"n": 1}, {}),
]


def expect(row):
    out = {}
    for k in ["id", "n", "small", "u", "amount", "f32", "ok", "ts", "raw", "tags", "attrs", "geo"]:
        v = row.get(k)
        if isinstance(v, msgpack.Timestamp):
            v = ms(v)
        elif isinstance(v, bytes):
            v = base64.b64encode(v).decode()
        elif k == "geo" and isinstance(v, list):
            v = {"lat": v[0], "lon": v[1]}
        out[k] = v
    return out


errors = {"err_type": "type", "err_range": "range", "err_missing_id": "null"}

with open(os.path.join(here, "python_values.txt"), "w") as vf, open(os.path.join(here, "python_expect.jsonl"), "w") as ef:
    for name, row, opts in cases:
        packed = msgpack.packb(row, use_bin_type=True, datetime=False, **opts)
        vf.write(f"{name} {packed.hex()}\n")
        if name in errors:
            ef.write(json.dumps({"name": name, "error": errors[name]}) + "\n")
        else:
            ef.write(json.dumps({"name": name, "row": expect(row)}, ensure_ascii=False) + "\n")
    # Malformed: a value cut short and a map claiming more entries than bytes.
    cut = msgpack.packb(full, use_bin_type=True)[:20]
    vf.write(f"err_truncated {cut.hex()}\n")
    ef.write(json.dumps({"name": "err_truncated", "error": "malformed"}) + "\n")
    vf.write("err_count dfffffffff\n")
    ef.write(json.dumps({"name": "err_count", "error": "malformed"}) + "\n")
