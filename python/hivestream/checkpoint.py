"""Checkpoints (content type checkpoint/1): a safetensors file as the raw stream.

open_checkpoint(path) reads the tensor directory from the first chunks; each
tensor is then read from the chunks that hold it (verified), or slice by
slice for tensors larger than memory. load_state_dict() gives torch tensors.
"""
import json

import numpy as np

from .container import Closing, Container
from .dtypes import DTYPES, FROM_SAFETENSORS, itemsize, to_array, torch
from .errors import ContentTypeError, DtypeMismatchError, FormatError, FrameTooLargeError, TruncatedStreamError, ValidationError

CONTENT_TYPE = "checkpoint/1"
MAX_HEADER = 100_000_000
_NO_TORCH = ("uint16", "uint32", "uint64")
TENSOR_METADATA_KEY = "hivestream.tensor_metadata"


def parse_layout(read, total, limit=MAX_HEADER):
    """Validates a safetensors header; `read(offset, length)` gives raw bytes of the `total`-byte stream."""
    if total < 8:
        raise TruncatedStreamError("safetensors data of %d bytes ends inside the header size" % total)
    n = int.from_bytes(read(0, 8), "little")
    if n > limit:
        raise FrameTooLargeError("safetensors header claims %d bytes, over the limit of %d" % (n, limit))
    if 8 + n > total:
        raise TruncatedStreamError("safetensors header claims %d bytes, the data holds %d after the size" % (n, total - 8))
    try:
        header = json.loads(read(8, n).decode("utf-8"))
    except ValueError as e:
        raise FormatError("safetensors header is not UTF-8 JSON") from e
    if not isinstance(header, dict):
        raise FormatError("safetensors header is not a JSON object")
    metadata = dict(header.pop("__metadata__", None) or {})
    if not all(isinstance(v, str) for v in metadata.values()):
        raise FormatError("__metadata__ is not an object of strings")
    per_tensor = json.loads(metadata.pop(TENSOR_METADATA_KEY, "{}"))
    tensors = []
    for name, t in header.items():
        dtype = FROM_SAFETENSORS.get(t.get("dtype")) if isinstance(t, dict) else None
        if dtype is None:
            raise FormatError("tensor %r has a dtype hivestream does not store: %r" % (name, t))
        shape = t.get("shape")
        begin, end = t.get("data_offsets", (None, None))
        if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape) or not isinstance(begin, int) or not isinstance(end, int):
            raise FormatError("tensor %r has a bad shape or data_offsets" % name)
        need = int(np.prod(shape, dtype=np.int64)) * itemsize(dtype)
        if end - begin != need:
            raise FormatError("tensor %r spans %d bytes; its shape needs %d" % (name, end - begin, need))
        tensors.append({"name": name, "dtype": dtype, "shape": shape, "begin": begin, "end": end, "metadata": dict(per_tensor.get(name, {}))})
    tensors.sort(key=lambda t: (t["begin"], t["end"]))
    at = 0
    for t in tensors:
        if t["begin"] != at:
            raise FormatError("tensor %r starts at data byte %d, expected %d" % (t["name"], t["begin"], at))
        at = t["end"]
    if 8 + n + at != total:
        raise FormatError("safetensors tensors end at byte %d, the data holds %d" % (8 + n + at, total))
    return {"data_offset": 8 + n, "tensors": tensors, "metadata": metadata}


class Checkpoint(Closing):
    def __init__(self, path, verify=True, max_header=MAX_HEADER, cache_chunks=2):
        self._file = Container(path, verify=verify, cache_chunks=cache_chunks)
        try:
            if self._file.content_type != CONTENT_TYPE:
                raise ContentTypeError("container holds %r, expected %r" % (self._file.content_type, CONTENT_TYPE))
            self.layout = parse_layout(self._file.range, self._file.raw_length, max_header)
        except BaseException:
            self._file.close()
            raise
        self._by_name = {t["name"]: t for t in self.layout["tensors"]}

    @property
    def metadata(self):
        return self.layout["metadata"]

    @property
    def tensors(self):
        return [{"name": t["name"], "dtype": t["dtype"], "shape": list(t["shape"]), "metadata": t["metadata"]} for t in self.layout["tensors"]]

    @property
    def bytes_read(self):
        return self._file.bytes_read

    def _entry(self, name, dtype=None):
        t = self._by_name.get(name)
        if t is None:
            raise ValidationError("tensor %r is not in the checkpoint" % name)
        if dtype is not None and dtype != t["dtype"]:
            raise DtypeMismatchError("dtype mismatch in tensor %r: stored %s, requested %s" % (name, t["dtype"], dtype))
        return t

    def read(self, name, dtype=None):
        """The whole tensor as a numpy array (bfloat16: a torch tensor when torch is present)."""
        t = self._entry(name, dtype)
        return to_array(t["dtype"], t["shape"], self._file.range(self.layout["data_offset"] + t["begin"], t["end"] - t["begin"]))

    def pieces(self, name):
        """The tensor's little-endian bytes chunk by chunk (bounded memory)."""
        t = self._entry(name)
        return self._file.pieces(self.layout["data_offset"] + t["begin"], t["end"] - t["begin"])

    def load_state_dict(self):
        """Every tensor as a torch tensor, bit for bit (uint16/32/64, which torch 1.13 lacks, stay numpy arrays)."""
        if torch is None:
            raise ImportError("load_state_dict needs torch")
        out = {}
        for t in self.layout["tensors"]:
            v = self.read(t["name"])
            # frombuffer arrays are C-contiguous and writable (np.ascontiguousarray would turn 0-d into 1-d).
            out[t["name"]] = v if isinstance(v, torch.Tensor) or t["dtype"] in _NO_TORCH else torch.from_numpy(v)
        return out

    def close(self):
        self._file.close()


def open_checkpoint(path, **options):
    return Checkpoint(path, **options)


__all__ = ["Checkpoint", "open_checkpoint", "DTYPES", "parse_layout"]
