#!/usr/bin/env python3
"""Rewrites `database` fuzz inputs that are whole household files as patch
inputs against the base households here (the format is in src/fuzz.rs,
`database_file`): same file, a few bytes instead of 50 KB or more.

Usage: fuzz/households/to_patch.py FILE...   (rewrites each in place when
the patch is smaller; prints what it did)
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BASES = [open(os.path.join(HERE, n), "rb").read() for n in ("v8.db", "latest.db")]
MAGIC = b"CGPATCH"
GAP = 4  # equal bytes shorter than a record header are rewritten, not skipped


def apply(data):
    """What src/fuzz.rs database_file makes of an input."""
    if not data.startswith(MAGIC) or len(data) == len(MAGIC):
        return data
    which, rest = data[len(MAGIC)], data[len(MAGIC) + 1:]
    out = bytearray(BASES[which % len(BASES)])
    while len(rest) >= 4:
        at = rest[0] | rest[1] << 8 | rest[2] << 16
        n = rest[3]
        chunk, rest = rest[4:4 + n], rest[4 + n:]
        end = at + len(chunk)
        if end > 1 << 17:
            break
        if not chunk:
            del out[at:]
            continue
        if len(out) < end:
            out.extend(b"\0" * (end - len(out)))
        out[at:end] = chunk
    return bytes(out)


def patch(base_index, file):
    base = BASES[base_index]
    out = bytearray(MAGIC + bytes([base_index]))
    i, n = 0, len(file)
    while i < n:
        if i < len(base) and file[i] == base[i]:
            i += 1
            continue
        j = i
        while j < n and j - i < 255:
            if j < len(base) and file[j:j + GAP] == base[j:j + GAP]:
                break
            j += 1
        out += bytes([i & 0xFF, i >> 8 & 0xFF, i >> 16 & 0xFF, j - i]) + file[i:j]
        i = j
    if n < len(base):
        out += bytes([n & 0xFF, n >> 8 & 0xFF, n >> 16 & 0xFF, 0])
    return bytes(out)


for name in sys.argv[1:]:
    data = open(name, "rb").read()
    if data.startswith(MAGIC) or not data.startswith(b"SQLite format 3\0"):
        continue
    best = min((patch(k, data) for k in range(len(BASES))), key=len)
    assert apply(best) == data, name
    if len(best) < len(data):
        with open(name, "wb") as f:
            f.write(best)
        print(f"{name}: {len(data)} -> {len(best)} bytes")
