"""Reading hivestream containers (.hvs) from a file, every byte verified.

Opening parses the Avro header, then walks the blocks reading only the first
bytes of each (sequence, offset, length, codec, SHA-256) and the final record
in full: the chain, the root digest over all chunk digests and the header
digest are checked before any data is read (docs/FORMAT.md). A chunk read
afterwards is decoded, decompressed, and hashed against its stored digest.
In a record-aligned container (hivestream.boundary) chunks may be shorter
than the chunk size: each non-final one ends with the delimiter byte.
"""
import bisect
import hashlib
import json
import os
from collections import OrderedDict

from . import lz4block
from .errors import ChecksumMismatchError, FormatError, FrameTooLargeError, TruncatedStreamError

MAGIC = b"Obj\x01"
SYNC_SIZE = 16
DIGEST_SIZE = 32
MAX_CHUNK_SIZE = 64 * 1024 * 1024
MAX_HEADER_BYTES = 1024 * 1024
# Largest record overhead beyond its data bytes (format/record.ts RECORD_OVERHEAD_MAX).
RECORD_OVERHEAD_MAX = 6 * 10 + 2 * DIGEST_SIZE + 4 + 256
HEADER_DIGEST_KEY = "hivestream.header_sha256"
_HEAD_PEEK = 128


def read_long(buf, pos, end, what="varint"):
    """Avro zig-zag long at buf[pos]; returns (value, next position)."""
    n = 0
    shift = 0
    for _ in range(10):
        if pos >= end:
            raise TruncatedStreamError("data ends inside a %s" % what)
        b = buf[pos]
        pos += 1
        n |= (b & 0x7F) << shift
        if not b & 0x80:
            return (n >> 1) ^ -(n & 1), pos
        shift += 7
    raise FormatError("overlong %s" % what)


def read_bytes(buf, pos, end, what="bytes"):
    """Avro bytes: a length, then that many bytes (bounded by `end`)."""
    n, pos = read_long(buf, pos, end, what)
    if n < 0 or pos + n > end:
        raise FormatError("%s of %d bytes runs past the data" % (what, n))
    return buf[pos:pos + n], pos + n


def read_string(buf, pos, end, what="string"):
    b, pos = read_bytes(buf, pos, end, what)
    try:
        return bytes(b).decode("utf-8"), pos
    except UnicodeDecodeError as e:
        raise FormatError("%s is not UTF-8" % what) from e


def read_items(buf, pos, end, item):
    """Avro array/map blocks: counts until 0 (a negative count carries a byte size); item(pos) -> pos."""
    while True:
        count, pos = read_long(buf, pos, end, "block count")
        if count == 0:
            return pos
        if count < 0:
            count = -count
            _, pos = read_long(buf, pos, end, "block size")
        if count > end - pos:
            raise FormatError("count %d runs past the data" % count)
        for _ in range(count):
            pos = item(pos)


def read_string_map(buf, pos, end):
    out = {}

    def entry(p):
        k, p = read_string(buf, p, end)
        out[k], p = read_string(buf, p, end)
        return p

    return out, read_items(buf, pos, end, entry)


class Closing:
    """close() on exit of a with-block."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _pread(fd, size, offset):
    out = os.pread(fd, size, offset)
    if len(out) < size:
        parts = [out]
        got = len(out)
        while got < size:
            more = os.pread(fd, size - got, offset + got)
            if not more:
                break
            parts.append(more)
            got += len(more)
        out = b"".join(parts)
    return out


def parse_header(buf, eof, max_header_bytes=MAX_HEADER_BYTES, max_chunk_size=MAX_CHUNK_SIZE):
    """Parses the container header; returns None when `buf` ends inside it (and not at eof)."""
    end = len(buf)
    if end < 4:
        if eof:
            raise FormatError("not a hivestream container: too short for an Avro header")
        return None
    if bytes(buf[:4]) != MAGIC:
        raise FormatError("not a hivestream container: no Avro magic bytes")
    pos = 4
    meta = {}
    try:
        while True:
            count, pos = read_long(buf, pos, end, "header map count")
            if count == 0:
                break
            if count < 0:
                count = -count
                _, pos = read_long(buf, pos, end, "header map size")
            for _ in range(count):
                kl, pos = read_long(buf, pos, end, "header key length")
                if kl < 0 or pos + kl > max_header_bytes:
                    raise FrameTooLargeError("header key of %d bytes is over the limit of %d" % (kl, max_header_bytes))
                if pos + kl > end:
                    raise TruncatedStreamError("header")
                key = bytes(buf[pos:pos + kl]).decode("utf-8")
                pos += kl
                vl, pos = read_long(buf, pos, end, "header value length")
                if vl < 0 or pos + vl > max_header_bytes:
                    raise FrameTooLargeError("header value of %d bytes is over the limit of %d" % (vl, max_header_bytes))
                if pos + vl > end:
                    raise TruncatedStreamError("header")
                meta[key] = bytes(buf[pos:pos + vl])
                pos += vl
        if pos + SYNC_SIZE > end:
            raise TruncatedStreamError("header")
    except TruncatedStreamError:
        if eof or end >= max_header_bytes:
            if end >= max_header_bytes:
                raise FrameTooLargeError("container header is over the limit of %d bytes" % max_header_bytes)
            raise TruncatedStreamError("container ends inside the header")
        return None
    sync = bytes(buf[pos:pos + SYNC_SIZE])
    length = pos + SYNC_SIZE

    def text(key):
        v = meta.get(key)
        return None if v is None else v.decode("utf-8")

    if text("hivestream.format") != "1":
        raise FormatError("not a hivestream format-1 container (hivestream.format = %r)" % text("hivestream.format"))
    if (text("avro.codec") or "null") != "null" or text("hivestream.hash") != "sha256":
        raise FormatError("unsupported codec or hash")
    try:
        schema = json.loads(text("avro.schema") or "null")
    except ValueError as e:
        raise FormatError("avro.schema is not JSON") from e
    if not isinstance(schema, dict) or schema.get("name") not in ("Chunk", "hivestream.Chunk"):
        raise FormatError("schema is not hivestream.Chunk")
    size_text = text("hivestream.chunk_size") or ""
    if not size_text.isdigit() or int(size_text) < 1:
        raise FormatError("bad hivestream.chunk_size %r" % size_text)
    chunk_size = int(size_text)
    if chunk_size > max_chunk_size:
        raise FrameTooLargeError("chunk size %d is over the limit of %d" % (chunk_size, max_chunk_size))
    boundary_text = text("hivestream.boundary")
    if boundary_text is not None and (len(boundary_text) != 2 or any(c not in "0123456789abcdef" for c in boundary_text)):
        raise FormatError("bad hivestream.boundary %r (a delimiter byte as two hex digits)" % boundary_text)
    return {
        "metadata": meta,
        "chunk_size": chunk_size,
        "sync": sync,
        "length": length,
        "digest": hashlib.sha256(bytes(buf[:length])).hexdigest(),
        "content_type": text("hivestream.content_type"),
        "content_meta": text("hivestream.content_meta"),
        "stream_id": text("hivestream.stream_id"),
        "boundary": None if boundary_text is None else int(boundary_text, 16),
    }


class Container(Closing):
    """A container file opened for random access; `chunk(seq)` returns verified raw bytes.

    verify=False skips hashing chunk data on reads (the chain, the root and the
    header digest are still checked at open); for measuring, not for trust.
    """

    def __init__(self, path, max_chunk_size=MAX_CHUNK_SIZE, max_header_bytes=MAX_HEADER_BYTES, cache_chunks=2, verify=True):
        self.path = path
        self.verify = verify
        self.bytes_read = 0
        self.chunks_read = 0
        self._cache = OrderedDict()
        self._cache_chunks = max(1, cache_chunks)
        self._fd = os.open(path, os.O_RDONLY)
        try:
            self._walk(max_chunk_size, max_header_bytes)
        except BaseException:
            os.close(self._fd)
            raise

    # -- opening ---------------------------------------------------------
    def _walk(self, max_chunk_size, max_header_bytes):
        fd = self._fd
        size = os.fstat(fd).st_size
        want = 4096
        while True:
            buf = _pread(fd, min(want, size), 0)
            h = parse_header(buf, len(buf) >= size, max_header_bytes, max_chunk_size)
            if h is not None:
                break
            if want >= max_header_bytes:
                raise FrameTooLargeError("container header is over the limit of %d bytes" % max_header_bytes)
            want = min(want * 4, max_header_bytes)
        self.header = h
        self.metadata = h["metadata"]
        self.chunk_size = cs = h["chunk_size"]
        self.content_type = h["content_type"]
        self.content_meta = h["content_meta"]
        self.boundary = h["boundary"]
        limit = cs + RECORD_OVERHEAD_MAX
        self._at, self._size, self._len, self._off, digests = [], [], [], [], []
        expected_offset = 0
        pos = h["length"]
        self.bytes_read = pos
        seq = 0
        while pos < size:
            peek = _pread(fd, _HEAD_PEEK, pos)
            self.bytes_read += len(peek)
            n = len(peek)
            count, p = read_long(peek, 0, n, "block count")
            if count != 1:
                raise FormatError("block holds %d records (chunk %d)" % (count, seq))
            bsize, p = read_long(peek, p, n, "block size")
            if bsize > limit:
                raise FrameTooLargeError("block of %d bytes is over the limit of %d (chunk %d)" % (bsize, limit, seq))
            if bsize <= 0:
                raise FormatError("block size %d is not positive (chunk %d)" % (bsize, seq))
            at = pos + p
            if at + bsize + SYNC_SIZE > size:
                raise TruncatedStreamError("container ends inside a block (chunk %d)" % seq)
            sequence, p = read_long(peek, p, n)
            offset, p = read_long(peek, p, n)
            length, p = read_long(peek, p, n)
            _, p = read_long(peek, p, n)
            if sequence != seq or offset != expected_offset or not 0 <= length <= cs:
                raise FormatError("chunk %d breaks the chain (sequence %d, offset %d, length %d)" % (seq, sequence, offset, length))
            # Fixed chunks: every non-final one is full; delimited ones: not empty (their last byte is checked when read).
            if seq > 0 and (self._len[-1] != cs if self.boundary is None else self._len[-1] == 0):
                raise FormatError("non-final chunk %d of %d bytes" % (seq - 1, self._len[-1]))
            if p + DIGEST_SIZE > n:
                raise TruncatedStreamError("container ends inside a record (chunk %d)" % seq)
            digests.append(bytes(peek[p:p + DIGEST_SIZE]))
            self._at.append(at)
            self._size.append(bsize)
            self._len.append(length)
            self._off.append(offset)
            expected_offset += length
            pos = at + bsize + SYNC_SIZE
            seq += 1
        if not self._at:
            raise TruncatedStreamError("the container holds no chunk")
        last = len(self._at) - 1
        block = _pread(fd, self._size[last], self._at[last])
        self.bytes_read += len(block)
        rec = self._decode_record(block, last)
        if not rec["final"]:
            raise TruncatedStreamError("the final chunk is missing")
        self._digests = digests
        root = hashlib.sha256(b"".join(digests)).hexdigest()
        if root != rec["root"]:
            raise ChecksumMismatchError("checksum mismatch in stream root digest: expected %s, got %s" % (rec["root"][:16], root[:16]))
        if rec["metadata"].get(HEADER_DIGEST_KEY) != h["digest"]:
            raise FormatError("container header was altered: its SHA-256 differs from the one in the final chunk")
        self.root_digest = root
        self._raw_length = expected_offset

    def _decode_record(self, buf, seq):
        """Decodes one hivestream.Chunk record that fills `buf` exactly."""
        end = len(buf)
        sequence, p = read_long(buf, 0, end)
        offset, p = read_long(buf, p, end)
        length, p = read_long(buf, p, end)
        codec, p = read_long(buf, p, end)
        if sequence != seq or offset != self._off[seq] or not 0 <= length <= self.chunk_size or codec not in (0, 1):
            raise FormatError("bad record fields in chunk %d" % seq)
        if p + DIGEST_SIZE > end:
            raise FormatError("record ends inside the digest (chunk %d)" % seq)
        digest = bytes(buf[p:p + DIGEST_SIZE])
        p += DIGEST_SIZE
        dlen, p = read_long(buf, p, end)
        if dlen < 0 or p + dlen > end:
            raise FormatError("data length %d exceeds the block (chunk %d)" % (dlen, seq))
        data = memoryview(buf)[p:p + dlen]
        p += dlen
        if codec == 0 and dlen != length:
            raise FormatError("raw data length differs from length (chunk %d)" % seq)
        if p >= end or buf[p] not in (0, 1):
            raise FormatError("bad final flag (chunk %d)" % seq)
        final = buf[p] == 1
        p += 1
        branch, p = read_long(buf, p, end)
        root = None
        if branch == 1:
            if p + DIGEST_SIZE > end:
                raise FormatError("record ends inside the root (chunk %d)" % seq)
            root = bytes(buf[p:p + DIGEST_SIZE]).hex()
            p += DIGEST_SIZE
        elif branch != 0:
            raise FormatError("bad root union (chunk %d)" % seq)
        if final != (root is not None):
            raise FormatError("final flag and root disagree (chunk %d)" % seq)
        metadata, p = read_string_map(buf, p, end)
        if p != end:
            raise FormatError("%d unexpected bytes after the record (chunk %d)" % (end - p, seq))
        return {"length": length, "codec": codec, "digest": digest, "data": data, "final": final, "root": root, "metadata": metadata}

    # -- reading ---------------------------------------------------------
    @property
    def chunks(self):
        return len(self._len)

    @property
    def raw_length(self):
        return self._raw_length

    def meta(self, key):
        v = self.metadata.get(key)
        return None if v is None else v.decode("utf-8")

    def chunk(self, seq):
        """The verified raw bytes of chunk `seq`."""
        hit = self._cache.get(seq)
        if hit is not None:
            self._cache.move_to_end(seq)
            return hit
        raw = self._read_chunk(seq)
        self._cache[seq] = raw
        while len(self._cache) > self._cache_chunks:
            self._cache.popitem(last=False)
        return raw

    def _read_chunk(self, seq):
        if not 0 <= seq < len(self._at):
            raise FormatError("chunk %d does not exist (the container has %d)" % (seq, len(self._at)))
        at, size, length = self._at[seq], self._size[seq], self._len[seq]
        block = _pread(self._fd, size + SYNC_SIZE, at)
        self.bytes_read += len(block)
        self.chunks_read += 1
        if len(block) < size + SYNC_SIZE:
            raise TruncatedStreamError("container ends inside a block (chunk %d)" % seq)
        rec = self._decode_record(memoryview(block)[:size], seq)
        if rec["final"] != (seq == len(self._at) - 1) or rec["length"] != length:
            raise FormatError("chunk %d changed since the container was opened" % seq)
        if block[size:] != self.header["sync"]:
            raise FormatError("sync marker mismatch after chunk %d" % seq)
        if rec["digest"] != self._digests[seq]:
            raise ChecksumMismatchError("checksum mismatch in chunk %d: stored digest changed" % seq)
        raw = lz4block.decompress(rec["data"][4:], length) if rec["codec"] == 1 else bytes(rec["data"])
        if rec["codec"] == 1 and int.from_bytes(rec["data"][:4], "little") != length:
            raise FormatError("LZ4 size prefix differs from length (chunk %d)" % seq)
        if self.verify:
            actual = hashlib.sha256(raw).digest()
            if actual != rec["digest"]:
                raise ChecksumMismatchError(
                    "checksum mismatch in chunk %d (byte offset %d, stream offset %d): expected %s…, got %s…"
                    % (seq, at, self._off[seq], rec["digest"].hex()[:16], actual.hex()[:16])
                )
        if self.boundary is not None and seq < len(self._at) - 1 and raw[-1] != self.boundary:
            raise FormatError("non-final chunk %d does not end with the delimiter 0x%02x" % (seq, self.boundary))
        return raw

    def pieces(self, offset, length):
        """Raw bytes [offset, offset + length) chunk by chunk (memoryviews)."""
        if offset < 0 or length < 0 or offset + length > self.raw_length:
            raise FormatError("raw range %d+%d lies outside the stream of %d bytes" % (offset, length, self.raw_length))
        pos, end = offset, offset + length
        while pos < end:
            # The chunk holding `pos`: offsets are increasing (full chunks: seq * chunk_size).
            seq = bisect.bisect_right(self._off, pos) - 1
            raw = self.chunk(seq)
            a = pos - self._off[seq]
            b = min(len(raw), end - self._off[seq])
            yield memoryview(raw)[a:b]
            pos += b - a

    def range(self, offset, length):
        return b"".join(bytes(p) for p in self.pieces(offset, length))

    def close(self):
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
            self._cache.clear()

    def __getstate__(self):
        # Picklable for DataLoader workers: they reopen the file.
        return {"path": self.path, "verify": self.verify, "cache": self._cache_chunks}

    def __setstate__(self, s):
        self.__init__(s["path"], cache_chunks=s["cache"], verify=s["verify"])
