"""Typed records: the declaration in the header, Avro decoding with schema
resolution, record pages (pages/1) and the record index (trailer/1).
docs/ML.md specifies all of it; this mirrors src/ml/ of the Node library.
"""
import json
import struct

import numpy as np

from .container import read_items, read_long, read_string, read_string_map
from .dtypes import DTYPES, itemsize, to_array
from .errors import ContentTypeError, FormatError, RecordIndexError, ValidationError

V1 = "training-records/1"
V2 = "training-records/2"
PAGE_MAGIC = b"HVRP"
PAGE_HEADER = 24
INDEX_MAGIC = b"HVIX"
TRAILER_MAGIC = b"HVIE"
INDEX_KIND = "trailer/1"

# Avro's promotions, for tensors: a stored dtype may be read as these.
WIDER = {
    "int8": {"int16", "int32", "int64", "float32", "float64"},
    "uint8": {"int16", "int32", "int64", "uint16", "uint32", "uint64", "float32", "float64"},
    "int16": {"int32", "int64", "float32", "float64"},
    "uint16": {"int32", "int64", "uint32", "uint64", "float32", "float64"},
    "int32": {"int64", "float64"},
    "uint32": {"int64", "uint64", "float64"},
    "float32": {"float64"},
}


_NONE = object()


def field(name, dtype, shape=(), optional=False, default=_NONE, aliases=()):
    """A field declaration, as the Node library's FieldSpec (shape: None for a variable dimension)."""
    f = {"name": name, "dtype": dtype, "shape": list(shape), "optional": optional, "aliases": list(aliases)}
    if default is not _NONE:
        f["default"] = default
    return f


def _norm(f):
    d = f.get("default")
    if isinstance(d, dict) and "bigint" in d:
        d = int(d["bigint"])
    dtype = f.get("dtype")
    if dtype not in DTYPES and dtype not in ("string", "map"):
        raise FormatError("field %r has dtype %r" % (f.get("name"), dtype))
    return {"name": f["name"], "dtype": dtype, "shape": list(f.get("shape") or []), "optional": bool(f.get("optional")), "default": d, "aliases": list(f.get("aliases") or []), "has_default": "default" in f}


def dataset_info(content_type, content_meta):
    """(writer fields, index kind or None) of a v1 or v2 dataset header."""
    try:
        meta = json.loads(content_meta or "null")
    except ValueError as e:
        raise FormatError("bad dataset description: not JSON") from e
    if content_type == V1:
        if not isinstance(meta, dict) or meta.get("dtype") != "float32":
            raise FormatError("bad training-records/1 description")
        fields = [
            field("inputs", "float32", meta["inputShape"]),
            field("targets", "float32", meta["targetShape"]),
            field("label", "string", optional=True),
            field("metadata", "map"),
        ]
        return [_norm(f) for f in fields], (INDEX_KIND if meta.get("index") == INDEX_KIND else None)
    if content_type != V2:
        raise ContentTypeError("container holds %r, expected %r" % (content_type, V2))
    if not isinstance(meta, dict) or meta.get("version") != 2 or meta.get("framing") != "pages/1" or meta.get("byteOrder") != "little":
        raise FormatError("bad training-records/2 description")
    return [_norm(f) for f in meta["fields"]], (INDEX_KIND if meta.get("index") == INDEX_KIND else None)


def resolve(writer, reader=None):
    """Avro schema resolution: (steps [(writer field, reader field or None)], reader fields lacking in the writer)."""
    reader = writer if reader is None else [_norm(f) for f in reader]
    taken = set()
    steps = []
    for w in writer:
        r = next((f for f in reader if f["name"] == w["name"]), None) or next((f for f in reader if w["name"] in f["aliases"]), None)
        if r is not None:
            ok = w["dtype"] == r["dtype"] or r["dtype"] in WIDER.get(w["dtype"], ())
            if not ok:
                raise ValidationError("field %s: stored as %s, which cannot be read as %s" % (r["name"], w["dtype"], r["dtype"]))
            if w["dtype"] in DTYPES and (len(w["shape"]) != len(r["shape"]) or any(rd is not None and wd != rd for wd, rd in zip(w["shape"], r["shape"]))):
                raise ValidationError("field %s: stored shape %s does not fit %s" % (r["name"], w["shape"], r["shape"]))
            taken.add(r["name"])
        steps.append((w, r))
    defaults = [r for r in reader if r["name"] not in taken]
    for r in defaults:
        if not r["has_default"] and not (r["dtype"] == "string" and r["optional"]) and r["dtype"] != "map":
            raise ValidationError("field %s: is not in the stored records and has no default" % r["name"])
    return steps, defaults


def decode(buf, index, plan):
    """One record's Avro bytes -> dict of numpy arrays (torch for bfloat16), str or None, dict."""
    steps, defaults = plan
    end = len(buf)
    pos = 0
    out = {}

    def fail(name, why):
        raise FormatError("record %d %s: %s" % (index, name, why))

    for w, r in steps:
        name = w["name"]
        if w["dtype"] in DTYPES:
            shape = w["shape"]
            if any(d is None for d in shape):
                shape = []

                def dim(p):
                    d, p = read_long(buf, p, end)
                    shape.append(d)
                    return p

                pos = read_items(buf, pos, end, dim)
                if len(shape) != len(w["shape"]) or any(d < 0 or (wd is not None and wd != d) for d, wd in zip(shape, w["shape"])):
                    fail(name, "shape %s does not fit %s" % (shape, w["shape"]))
            n, pos = read_long(buf, pos, end)
            need = int(np.prod(shape, dtype=np.int64)) * itemsize(w["dtype"])
            if n != need or pos + n > end:
                fail(name, "holds %d bytes; shape %s of %s needs %d" % (n, shape, w["dtype"], need))
            if r is not None:
                v = to_array(w["dtype"], shape, buf[pos:pos + n])
                if r["dtype"] != w["dtype"]:
                    v = v.astype(DTYPES[r["dtype"]][0])
                out[r["name"]] = v
            pos += n
        elif w["dtype"] == "string":
            present = True
            if w["optional"]:
                b, pos = read_long(buf, pos, end)
                present = b == 1
            s = None
            if present:
                s, pos = read_string(buf, pos, end, name)
            if r is not None:
                out[r["name"]] = s
        else:
            m, pos = read_string_map(buf, pos, end)
            if r is not None:
                out[r["name"]] = m
    if pos != end:
        fail("end", "%d bytes after the last field" % (end - pos))
    for f in defaults:
        if f["dtype"] in DTYPES:
            shape = [d if d is not None else 0 for d in f["shape"]]
            out[f["name"]] = np.full(shape, f["default"] if f["default"] is not None else 0, dtype=DTYPES[f["dtype"]][0])
        elif f["dtype"] == "string":
            out[f["name"]] = f["default"]
        else:
            out[f["name"]] = {}
    return out


def page_head(page, seq):
    if len(page) < PAGE_HEADER or bytes(page[:4]) != PAGE_MAGIC:
        raise FormatError("chunk %d is not a record page" % seq)
    version, flags, first_lo, first_hi, count, used = struct.unpack_from("<HHIIII", page, 4)
    if version != 1 or PAGE_HEADER + used > len(page):
        raise FormatError("page %d: bad version or used length" % seq)
    return flags, first_lo + first_hi * 2**32, count, PAGE_HEADER + used


def is_index_page(page):
    return bytes(page[:4]) == INDEX_MAGIC


def load_index(container):
    """(firsts: uint64 array, positions: uint32 array) of an indexed dataset, checked."""
    raw, cs = container.raw_length, container.chunk_size
    if raw < 48:
        raise RecordIndexError("the stream is too short to hold an index")
    trailer = container.range(raw - 16, 16)
    if trailer[:4] != TRAILER_MAGIC or struct.unpack_from("<I", trailer, 4)[0] != 1:
        raise RecordIndexError("the stream does not end with an index trailer")
    start = struct.unpack_from("<Q", trailer, 8)[0]
    if start % cs or start + 48 > raw:
        raise RecordIndexError("trailer puts the index at %d, not a page boundary before the end" % start)
    head = container.range(start, 32)
    if head[:4] != INDEX_MAGIC or struct.unpack_from("<H", head, 4)[0] != 1:
        raise RecordIndexError("no HVIX version 1 header at raw offset %d" % start)
    records, pages = struct.unpack_from("<QQ", head, 8)
    if pages != start // cs or 32 + 8 * pages + 4 * records + 16 != raw - start:
        raise RecordIndexError("index of %d records and %d pages does not fill its %d bytes" % (records, pages, raw - start))
    region = container.range(start + 32, 8 * pages + 4 * records)
    firsts = np.frombuffer(region, dtype="<u8", count=pages)
    positions = np.frombuffer(region, dtype="<u4", offset=8 * pages, count=records)
    if pages and (firsts[0] != 0 or np.any(np.diff(firsts.astype(np.int64)) < 0) or firsts[-1] > records):
        raise RecordIndexError("page first records are out of order")
    if records and (positions.min() < PAGE_HEADER or int(positions.max()) + 4 > cs):
        raise RecordIndexError("a record position lies outside its page")
    if pages:
        _, first, count, _ = page_head(container.chunk(pages - 1), pages - 1)
        if first + count != records:
            raise RecordIndexError("index holds %d records; the pages hold %d" % (records, first + count))
    return firsts, positions


class PageReader:
    """Undoes the page framing in file order (no corruption handling: chunks arrive verified)."""

    def __init__(self):
        self.next = 0
        self.partial = None

    def page(self, seq, page):
        flags, first, count, end = page_head(page, seq)
        if first != self.next:
            raise FormatError("page %d: first record %d, expected %d" % (seq, first, self.next))
        pos = PAGE_HEADER
        out = []
        if flags & 1:
            carry = struct.unpack_from("<I", page, pos)[0]
            pos += 4
            if self.partial is None or pos + carry > end:
                raise FormatError("page %d continues no record" % seq)
            self.partial[1].extend(page[pos:pos + carry])
            pos += carry
            if len(self.partial[1]) == self.partial[2]:
                out.append((self.partial[0], bytes(self.partial[1])))
                self.partial = None
        for _ in range(count):
            n = struct.unpack_from("<I", page, pos)[0]
            pos += 4
            index = self.next
            self.next += 1
            have = min(n, end - pos)
            if have < n:
                self.partial = (index, bytearray(page[pos:pos + have]), n)
            else:
                out.append((index, page[pos:pos + n]))
            pos += have
        return out
