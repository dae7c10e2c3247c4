import hashlib
import unittest

import numpy as np

from hivestream import ChecksumMismatchError, ContentTypeError, DtypeMismatchError, open_checkpoint
from hivestream.dtypes import torch

from .fixtures import expected, needs_fixtures, path


def raw_bytes(v):
    if torch is not None and isinstance(v, torch.Tensor):
        return v.view(torch.int16).numpy().tobytes() if v.dtype == torch.bfloat16 else v.numpy().tobytes()
    return np.ascontiguousarray(v).tobytes()


@needs_fixtures
class CheckpointTest(unittest.TestCase):
    def test_every_dtype_bit_exact_with_metadata(self):
        want = expected("ckpt.json")
        with open_checkpoint(path("ckpt.hvs")) as ck:
            self.assertEqual(ck.metadata, want["metadata"])
            self.assertEqual([t["name"] for t in ck.tensors], [t["name"] for t in want["tensors"]])
            for t in want["tensors"]:
                v = ck.read(t["name"])
                self.assertEqual(list(v.shape), t["shape"], t["name"])
                self.assertEqual(hashlib.sha256(raw_bytes(v)).hexdigest(), t["sha256"], t["name"])
                entry = next(e for e in ck.tensors if e["name"] == t["name"])
                self.assertEqual(entry["metadata"], t["metadata"])
            bf = ck.read("layer1.bfloat16")
            if torch is not None:
                self.assertIsInstance(bf, torch.Tensor)
                self.assertEqual(bf.dtype, torch.bfloat16)
            self.assertEqual(ck.read("layer0.float16").dtype, np.float16)
            self.assertEqual(ck.read("layer7.int64").dtype, np.int64)
            self.assertEqual(ck.read("layer12.bool").dtype, np.bool_)
            with self.assertRaises(DtypeMismatchError):
                ck.read("layer2.float32", dtype="float64")

    def test_one_tensor_without_the_others_and_streamed_in_pieces(self):
        want = {t["name"]: t for t in expected("ckpt.json")["tensors"]}
        with open_checkpoint(path("ckpt.hvs")) as ck:
            before = ck.bytes_read
            ck.read("layer12.bool")
            # The 256 KiB tensor at the front is not read: a few 4 KiB chunks are.
            self.assertLess(ck.bytes_read - before, 3 * 4096)
            h = hashlib.sha256()
            n = 0
            for piece in ck.pieces("embed"):
                h.update(piece)
                n += 1
            self.assertGreater(n, 10)
            self.assertEqual(h.hexdigest(), want["embed"]["sha256"])

    def test_state_dict_into_torch(self):
        if torch is None:
            self.skipTest("torch not installed")
        with open_checkpoint(path("ckpt.hvs")) as ck:
            sd = ck.load_state_dict()
        self.assertEqual(sd["layer7.int64"].dtype, torch.int64)
        self.assertEqual(sd["layer0.float16"].dtype, torch.float16)
        self.assertEqual(tuple(sd["layer0.float16"].shape), ())

    def test_corrupt_chunk_and_wrong_content(self):
        with open_checkpoint(path("ckpt-corrupt.hvs")) as ck:
            with self.assertRaises(ChecksumMismatchError) as e:
                ck.read("embed")
            self.assertIn("chunk", str(e.exception))
            self.assertEqual(e.exception.code, "E_CHECKSUM")
        with self.assertRaises(ContentTypeError):
            open_checkpoint(path("typed.hvs"))


if __name__ == "__main__":
    unittest.main()
