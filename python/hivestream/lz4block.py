"""LZ4 block decoding (the block format, not frames), in pure Python.

Uses the `lz4` package (Debian: python3-lz4) when it is installed, which is
much faster; the pure-Python decoder gives the same bytes and is what runs
without it. HIVESTREAM_PURE_LZ4=1 forces the pure decoder (tests use it).
"""
import os

from .errors import FormatError

try:  # optional accelerator
    if os.environ.get("HIVESTREAM_PURE_LZ4") == "1":
        raise ImportError("pure decoder requested")
    import lz4.block as _lz4  # type: ignore
except ImportError:  # pragma: no cover - depends on the machine
    _lz4 = None


def decompress(src, size):
    """Decodes one LZ4 block that must restore exactly `size` bytes."""
    if _lz4 is not None:
        try:
            out = _lz4.decompress(bytes(src), uncompressed_size=size)
        except Exception as e:  # lz4 raises LZ4BlockError
            raise FormatError("LZ4 data is malformed: %s" % e) from e
        if len(out) != size:
            raise FormatError("LZ4 data restores %d bytes, expected %d" % (len(out), size))
        return out
    return _decompress_pure(memoryview(src), size)


def _length(src, i, n, value, what):
    """An LZ4 length of 15 goes on in bytes up to one that is not 255."""
    if value != 15:
        return value, i
    while True:
        if i >= n:
            raise FormatError("LZ4 %s length runs past the block" % what)
        b = src[i]
        i += 1
        value += b
        if b != 255:
            return value, i


def _decompress_pure(src, size):
    dst = bytearray()
    i = 0
    n = len(src)
    while i < n:
        token = src[i]
        i += 1
        lit, i = _length(src, i, n, token >> 4, "literal")
        if i + lit > n:
            raise FormatError("LZ4 literals run past the block")
        dst += src[i:i + lit]
        i += lit
        if i >= n:
            break
        if i + 2 > n:
            raise FormatError("LZ4 match offset runs past the block")
        offset = src[i] | (src[i + 1] << 8)
        i += 2
        if offset == 0 or offset > len(dst):
            raise FormatError("LZ4 match offset %d is outside the output" % offset)
        ml, i = _length(src, i, n, token & 15, "match")
        ml += 4
        if len(dst) + ml > size:
            raise FormatError("LZ4 data restores more than %d bytes" % size)
        start = len(dst) - offset
        if ml <= offset:
            dst += dst[start:start + ml]
        else:
            pattern = bytes(dst[start:])
            dst += pattern * (ml // offset) + pattern[:ml % offset]
        if len(dst) > size:
            raise FormatError("LZ4 data restores more than %d bytes" % size)
    if len(dst) != size:
        raise FormatError("LZ4 data restores %d bytes, expected %d" % (len(dst), size))
    return bytes(dst)
