"""hivestream for Python: read containers written by the hivestream Node library.

Pure Python + numpy. Every chunk is verified (SHA-256), the chain and the
root digest too. torch is optional: bfloat16 tensors and the PyTorch
datasets (hivestream.torch_data) need it.
"""
from .checkpoint import Checkpoint, open_checkpoint
from .container import Container
from .dataset import Dataset, open_dataset
from .errors import (
    ChecksumMismatchError,
    ContentTypeError,
    DtypeMismatchError,
    FormatError,
    FrameTooLargeError,
    HivestreamError,
    RecordIndexError,
    TruncatedStreamError,
    ValidationError,
)
from .order import epoch_seed, permutation
from .records import field

__all__ = [
    "Checkpoint", "open_checkpoint", "Container", "Dataset", "open_dataset", "field", "epoch_seed", "permutation",
    "HivestreamError", "FormatError", "ChecksumMismatchError", "TruncatedStreamError", "FrameTooLargeError",
    "ContentTypeError", "DtypeMismatchError", "RecordIndexError", "ValidationError",
]
