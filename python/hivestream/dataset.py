"""Datasets (training-records/1 and /2): random access and training reads.

    ds = open_dataset("train.hvs")
    len(ds); ds[i]                        # one verified chunk per record, through the index
    for i, rec in ds.records(shuffle=True, seed=1, epoch=0, rank=0, world_size=4, worker_id=0, num_workers=2, block_size=32):
        ...

With an index, an epoch is a full permutation; without one, records come in
file order through a bounded shuffle buffer. The orders are the Node
library's, number for number.
"""
import itertools
import struct

from .container import Closing, Container
from .errors import RecordIndexError, ValidationError
from .order import epoch_seed, mix32, partition_size, permutation, random_stream, rank_block_owner, rank_positions
from .records import PAGE_HEADER, PageReader, dataset_info, decode, is_index_page, load_index, page_head, resolve


class Dataset(Closing):
    def __init__(self, path, fields=None, verify=True, cache_chunks=2):
        self.path = path
        self._args = (fields, verify, cache_chunks)
        self._file = Container(path, verify=verify, cache_chunks=cache_chunks)
        self._checked = set()
        try:
            self.writer_fields, self.index_kind = dataset_info(self._file.content_type, self._file.content_meta)
            self.plan = resolve(self.writer_fields, fields)
            self._index = load_index(self._file) if self.index_kind else None
        except BaseException:
            self._file.close()
            raise

    # Picklable for DataLoader workers (they reopen the file).
    def __getstate__(self):
        return {"path": self.path, "args": self._args}

    def __setstate__(self, s):
        self.__init__(s["path"], *s["args"])

    @property
    def has_index(self):
        return self._index is not None

    @property
    def bytes_read(self):
        return self._file.bytes_read

    def _need(self):
        if self._index is None:
            raise RecordIndexError("%s has no record index; build one with: hivestream index %s" % (self.path, self.path))
        return self._index

    def __len__(self):
        return len(self._need()[1])

    def __getitem__(self, i):
        return decode(self.record_bytes(i), i, self.plan)

    get = __getitem__

    def record_bytes(self, i):
        firsts, positions = self._need()
        if not 0 <= i < len(positions):
            raise IndexError("record %d is outside 0..%d" % (i, len(positions) - 1))
        seq = int(firsts.searchsorted(i, side="right")) - 1
        page = self._file.chunk(seq)
        flags, first, count, end = page_head(page, seq)
        if first != firsts[seq] or not first <= i < first + count:
            raise RecordIndexError("record %d is not in page %d (records %d..%d)" % (i, seq, first, first + count - 1))
        if seq not in self._checked:
            # Walk the page's entries once: every position the index gives for it must be one.
            pos = PAGE_HEADER
            if flags & 1:
                pos += 4 + struct.unpack_from("<I", page, pos)[0]
            for k in range(first, first + count):
                if pos != positions[k] or pos + 4 > end:
                    raise RecordIndexError("record %d starts at byte %d of page %d; the index says %d" % (k, pos, seq, positions[k]))
                pos += 4 + min(struct.unpack_from("<I", page, pos)[0], end - pos - 4)
            self._checked.add(seq)
        pos = int(positions[i])
        n = struct.unpack_from("<I", page, pos)[0]
        have = min(n, end - pos - 4)
        if have == n:
            return memoryview(page)[pos + 4:pos + 4 + n]
        if n > (self._file.chunks - seq) * self._file.chunk_size:
            raise RecordIndexError("record %d claims %d bytes, more than the pages after it hold" % (i, n))
        out = bytearray(page[pos + 4:pos + 4 + have])
        nxt = seq + 1
        while len(out) < n:
            p = self._file.chunk(nxt)
            f, _, _, e = page_head(p, nxt)
            carry = struct.unpack_from("<I", p, PAGE_HEADER)[0]
            if not f & 1 or carry > n - len(out) or PAGE_HEADER + 4 + carry > e:
                raise RecordIndexError("page %d does not continue record %d" % (nxt, i))
            out += p[PAGE_HEADER + 4:PAGE_HEADER + 4 + carry]
            nxt += 1
        return bytes(out)

    def records(self, shuffle=False, seed=0, epoch=0, rank=0, world_size=1, worker_id=0, num_workers=1, block_size=1, shuffle_buffer=4096, skip=0, batches_done=0):
        """(index, record) of one partition of one epoch, from its `skip`-th record on.

        batches_done: the rank has consumed this many blocks (DataLoader batches) of the
        epoch; the worker continues so that the rank's batches keep their order (order.rank_positions).
        """
        if not (0 <= rank < world_size and 0 <= worker_id < num_workers and block_size >= 1):
            raise ValidationError("bad partition: rank %d of %d, worker %d of %d, block %d" % (rank, world_size, worker_id, num_workers, block_size))
        s = epoch_seed(seed, epoch) if shuffle else None
        layout = (rank, world_size, worker_id, num_workers, block_size, batches_done)
        # The index serves shuffles and partitions; one reader of the whole file in order walks the pages.
        if self._index is not None and (shuffle or world_size * num_workers > 1 or batches_done > 0):
            return self._indexed(layout, s, skip)
        return self._streamed(layout, s, shuffle_buffer, skip)

    def partition_length(self, rank=0, world_size=1, worker_id=0, num_workers=1, block_size=1):
        return partition_size(len(self), rank * num_workers + worker_id, world_size * num_workers, block_size)

    def _indexed(self, layout, seed, skip, window=65536):
        n = len(self)
        order = None if seed is None else permutation(n, seed)
        batch = []
        positions = rank_positions(n, *layout)
        for pos in itertools.islice(positions, skip, None):
            batch.append(int(pos if order is None else order[pos]))
            if len(batch) >= window:
                yield from self._window(batch)
                batch = []
        yield from self._window(batch)

    def _window(self, batch):
        # Page by page, so a page is decoded once per window; then in order.
        decoded = {i: self[i] for i in sorted(batch)}
        for i in batch:
            yield i, decoded[i]

    def _streamed(self, layout, seed, buffer_size, skip):
        rank, world_size, worker_id, num_workers, block_size, done = layout
        part = rank * num_workers + worker_id
        rand = None if seed is None else random_stream((seed ^ ((part + 1) * 0x85EBCA6B & 0xFFFFFFFF)) & 0xFFFFFFFF)
        reader = PageReader()
        buf = []
        emitted = 0
        out = []
        for seq in range(self._file.chunks):
            page = self._file.chunk(seq)
            if is_index_page(page):
                break
            for index, raw in reader.page(seq, page):
                if not rank_block_owner(index // block_size, rank, world_size, worker_id, num_workers, done):
                    continue
                rec = (index, decode(raw, index, self.plan))
                if rand is None or buffer_size == 0:
                    out.append(rec)
                elif len(buf) < buffer_size:
                    buf.append(rec)
                else:
                    j = next(rand) % buffer_size
                    out.append(buf[j])
                    buf[j] = rec
            for rec in out:
                if emitted >= skip:
                    yield rec
                emitted += 1
            out = []
        while buf and rand is not None:
            j = next(rand) % len(buf)
            rec = buf[j]
            last = buf.pop()
            if j < len(buf):
                buf[j] = last
            if emitted >= skip:
                yield rec
            emitted += 1

    def close(self):
        self._file.close()


def open_dataset(path, **options):
    return Dataset(path, **options)


__all__ = ["Dataset", "open_dataset", "mix32"]
