import unittest

import numpy as np

from hivestream import ChecksumMismatchError, RecordIndexError, ValidationError, epoch_seed, field, open_dataset, permutation

from .fixtures import expected, needs_fixtures, path


def check(test, rec, want):
    test.assertEqual(rec["tokens"].dtype, np.int64)
    test.assertEqual([str(v) for v in rec["tokens"].tolist()], want["tokens"])
    test.assertEqual(rec["features"].dtype, np.float32)
    test.assertEqual(rec["features"].tobytes().hex(), want["features"])
    test.assertEqual(rec["label"].shape, ())
    test.assertEqual(int(rec["label"]), int(want["label"]))
    test.assertEqual(rec["source"], want["source"])


@needs_fixtures
class RecordsTest(unittest.TestCase):
    def test_get_through_the_index_one_chunk_each(self):
        want = expected("typed.json")
        with open_dataset(path("typed.hvs")) as ds:
            self.assertTrue(ds.has_index)
            self.assertEqual(len(ds), len(want))
            for i in (0, 1, 17, len(want) - 1):
                before = ds.bytes_read
                check(self, ds[i], want[i])
                self.assertLessEqual(ds.bytes_read - before, 4096 + 400)
            with self.assertRaises(IndexError):
                ds[len(want)]

    def test_file_order_matches_and_int64_labels_are_exact(self):
        want = expected("typed.json")
        with open_dataset(path("typed.hvs")) as ds:
            got = list(ds.records())
        self.assertEqual([i for i, _ in got], list(range(len(want))))
        self.assertEqual(int(got[5][1]["label"]), 16777217 + 5)

    def test_float32_dataset_without_index_streams_and_refuses_get(self):
        want = expected("v1.json")
        with open_dataset(path("v1.hvs")) as ds:
            self.assertFalse(ds.has_index)
            recs = list(ds.records())
            self.assertEqual(len(recs), want["records"])
            self.assertEqual(recs[7][1]["inputs"].tobytes().hex(), want["inputs7"])
            self.assertEqual(recs[7][1]["label"], want["label7"])
            with self.assertRaises(RecordIndexError) as e:
                ds[0]
            self.assertIn("hivestream index", str(e.exception))

    def test_reader_declaration_evolves_by_avro_rules(self):
        reader = [field("feats", "float64", [8], aliases=["features"]), field("weight", "float32", default=1.5), field("lang", "string", default="en")]
        with open_dataset(path("typed.hvs"), fields=reader) as ds:
            r = ds[3]
        self.assertEqual(sorted(r), ["feats", "lang", "weight"])
        self.assertEqual(r["feats"].dtype, np.float64)
        self.assertEqual(float(r["weight"]), 1.5)
        with self.assertRaises(ValidationError):
            open_dataset(path("typed.hvs"), fields=[field("extra", "int8")])

    def test_order_is_the_node_librarys(self):
        self.assertEqual(epoch_seed(7, 3), 1097398595)
        self.assertEqual(permutation(10, epoch_seed(7, 3)).tolist(), [3, 8, 7, 6, 9, 5, 0, 1, 4, 2])
        want = expected("orders.json")
        for name, order in want.items():
            file, seed, epoch, rank, world, worker, workers, block = name.split(":")
            with open_dataset(path(file)) as ds:
                got = [i for i, _ in ds.records(shuffle=True, seed=int(seed), epoch=int(epoch), rank=int(rank), world_size=int(world), worker_id=int(worker), num_workers=int(workers), block_size=int(block), shuffle_buffer=64)]
            self.assertEqual(got, order, name)

    def test_4_ranks_x_2_workers_read_every_record_once_and_resume(self):
        with open_dataset(path("typed.hvs")) as ds:
            seen = []
            for rank in range(4):
                for worker in range(2):
                    seen += [i for i, _ in ds.records(shuffle=True, seed=3, rank=rank, world_size=4, worker_id=worker, num_workers=2, block_size=8)]
            self.assertEqual(sorted(seen), list(range(len(ds))))
            whole = [i for i, _ in ds.records(shuffle=True, seed=3, epoch=2, rank=1, world_size=2, block_size=8)]
            rest = [i for i, _ in ds.records(shuffle=True, seed=3, epoch=2, rank=1, world_size=2, block_size=8, skip=21)]
            self.assertEqual(whole[21:], rest)

    def test_corrupt_record_page_is_refused(self):
        with open_dataset(path("typed-corrupt.hvs")) as ds:
            with self.assertRaises(ChecksumMismatchError):
                for i in range(len(ds)):
                    ds[i]


if __name__ == "__main__":
    unittest.main()
