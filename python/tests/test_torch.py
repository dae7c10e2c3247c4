import unittest

from .fixtures import expected, needs_fixtures, path

try:
    import torch
    from torch.utils.data import DataLoader

    from hivestream.torch_data import IterableDataset, MapDataset
except ImportError:  # pragma: no cover
    torch = None


def no_none(rec):
    # default_collate takes numpy arrays and str, not None or ragged shapes.
    return {"label": rec["label"], "features": rec["features"], "source": rec["source"] or ""}


@needs_fixtures
@unittest.skipIf(torch is None, "torch not installed")
class TorchTest(unittest.TestCase):
    def test_map_dataset_with_a_dataloader(self):
        want = expected("typed.json")
        ds = MapDataset(path("typed.hvs"), transform=no_none)
        self.assertEqual(len(ds), len(want))
        labels = []
        for batch in DataLoader(ds, batch_size=16, shuffle=True, num_workers=2, generator=torch.Generator().manual_seed(0)):
            self.assertEqual(batch["features"].dtype, torch.float32)
            labels += batch["label"].tolist()
        self.assertEqual(sorted(labels), [16777217 + i for i in range(len(want))])

    def test_iterable_dataset_two_workers_see_every_record_once(self):
        n = len(expected("typed.json"))
        ds = IterableDataset(path("typed.hvs"), shuffle=True, seed=5, batch_size=16, transform=no_none)
        labels = []
        for batch in DataLoader(ds, batch_size=16, num_workers=2):
            labels += batch["label"].tolist()
        self.assertEqual(sorted(labels), [16777217 + i for i in range(n)])
        self.assertNotEqual(labels, sorted(labels))

    def test_iterable_dataset_across_two_ranks_and_resume(self):
        n = len(expected("typed.json"))
        seen = []
        for rank in range(2):
            ds = IterableDataset(path("typed.hvs"), shuffle=True, seed=5, batch_size=8, rank=rank, world_size=2, transform=no_none)
            for batch in DataLoader(ds, batch_size=8, num_workers=2):
                seen += batch["label"].tolist()
        self.assertEqual(sorted(seen), [16777217 + i for i in range(n)])
        # Interrupted after 5 batches, resumed from state_dict: the rest of the same sequence.
        ds = IterableDataset(path("typed.hvs"), shuffle=True, seed=5, batch_size=8, rank=1, world_size=2, transform=no_none)
        ds.set_epoch(3)
        full = [b["label"].tolist() for b in DataLoader(ds, batch_size=8, num_workers=2)]
        state = ds.state_dict(5)
        resumed = IterableDataset(path("typed.hvs"), shuffle=True, seed=0, batch_size=8, rank=1, world_size=2, transform=no_none)
        resumed.load_state_dict(state)
        rest = [b["label"].tolist() for b in DataLoader(resumed, batch_size=8, num_workers=2)]
        self.assertEqual(rest, full[5:])


if __name__ == "__main__":
    unittest.main()
