"""Errors, with the same stable codes as the Node library (docs/FORMAT.md, docs/ML.md)."""


class HivestreamError(Exception):
    code = "E_HIVESTREAM"


class FormatError(HivestreamError):
    code = "E_FORMAT"


class ChecksumMismatchError(HivestreamError):
    code = "E_CHECKSUM"


class TruncatedStreamError(HivestreamError):
    code = "E_TRUNCATED"


class FrameTooLargeError(HivestreamError):
    code = "E_FRAME_TOO_LARGE"


class ContentTypeError(HivestreamError):
    code = "E_CONTENT_TYPE"


class DtypeMismatchError(HivestreamError):
    code = "E_DTYPE"


class RecordIndexError(HivestreamError):
    """A dataset's record index is missing, malformed, or disagrees with its pages."""

    code = "E_INDEX"


class ValidationError(HivestreamError):
    code = "E_VALIDATION"
