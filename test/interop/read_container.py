#!/usr/bin/env python3
"""Reads a hivestream container with Apache Avro's own Python implementation
(not avsc) and restores the original bytes from its records alone.

usage: read_container.py CONTAINER OUTPUT
Prints one JSON line: header metadata, record count, root digest.
"""
import hashlib
import json
import sys

from avro.datafile import DataFileReader
from avro.io import DatumReader


def lz4_block_decompress(src: bytes) -> bytes:
    """The LZ4 block format with hivestream's 4-byte little-endian size prefix."""
    size = int.from_bytes(src[:4], "little")
    out = bytearray()
    i = 4
    while i < len(src):
        token = src[i]
        i += 1
        lit = token >> 4
        if lit == 15:
            while True:
                b = src[i]
                i += 1
                lit += b
                if b != 255:
                    break
        out += src[i:i + lit]
        i += lit
        if i >= len(src):
            break
        offset = src[i] | (src[i + 1] << 8)
        i += 2
        mlen = token & 15
        if mlen == 15:
            while True:
                b = src[i]
                i += 1
                mlen += b
                if b != 255:
                    break
        mlen += 4
        start = len(out) - offset
        for k in range(mlen):
            out.append(out[start + k])
    if len(out) != size:
        raise ValueError(f"LZ4 size prefix {size} but decoded {len(out)}")
    return bytes(out)


def main() -> None:
    container, output = sys.argv[1], sys.argv[2]
    digests = hashlib.sha256()
    count = 0
    root = None
    with open(container, "rb") as f, open(output, "wb") as out:
        reader = DataFileReader(f, DatumReader())
        meta = {k: v.decode("utf-8") for k, v in reader.meta.items() if k != "avro.schema"}
        schema_name = json.loads(reader.meta["avro.schema"].decode("utf-8"))["name"]
        offset = 0
        for rec in reader:
            if rec["sequence"] != count or rec["offset"] != offset:
                raise ValueError(f"record {count} out of order")
            data = rec["data"]
            raw = lz4_block_decompress(data) if rec["codec"] == "LZ4" else data
            if len(raw) != rec["length"]:
                raise ValueError(f"record {count}: length mismatch")
            if hashlib.sha256(raw).digest() != rec["sha256"]:
                raise ValueError(f"record {count}: sha256 mismatch")
            digests.update(rec["sha256"])
            out.write(raw)
            offset += len(raw)
            count += 1
            if rec["final"]:
                root = rec["root"].hex()
        reader.close()
    if root != digests.hexdigest():
        raise ValueError("root digest mismatch")
    print(json.dumps({"schema": schema_name, "meta": meta, "records": count, "root": root, "bytes": offset}))


if __name__ == "__main__":
    main()
