"""Element types: hivestream names, numpy dtypes (little-endian), safetensors codes.

numpy has no bfloat16: such values come as torch tensors when torch is
installed, else as uint16 arrays of the raw bit patterns.
"""
import numpy as np

DTYPES = {
    "float16": ("<f2", "F16"),
    "bfloat16": ("<u2", "BF16"),
    "float32": ("<f4", "F32"),
    "float64": ("<f8", "F64"),
    "int8": ("i1", "I8"),
    "int16": ("<i2", "I16"),
    "int32": ("<i4", "I32"),
    "int64": ("<i8", "I64"),
    "uint8": ("u1", "U8"),
    "uint16": ("<u2", "U16"),
    "uint32": ("<u4", "U32"),
    "uint64": ("<u8", "U64"),
    "bool": ("?", "BOOL"),
}
FROM_SAFETENSORS = {code: name for name, (_, code) in DTYPES.items()}

try:  # optional
    import torch  # type: ignore
except ImportError:  # pragma: no cover - depends on the machine
    torch = None


def itemsize(dtype):
    return np.dtype(DTYPES[dtype][0]).itemsize


def to_array(dtype, shape, data):
    """A writable array (numpy; torch for bfloat16 when torch is present) over a copy of `data`."""
    if dtype == "bfloat16" and torch is not None:
        return torch.frombuffer(bytearray(data), dtype=torch.bfloat16).reshape(tuple(shape)) if len(data) else torch.zeros(tuple(shape), dtype=torch.bfloat16)
    return np.frombuffer(bytearray(data), dtype=np.dtype(DTYPES[dtype][0])).reshape(tuple(shape))
