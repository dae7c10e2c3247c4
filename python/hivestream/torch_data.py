"""PyTorch datasets over hivestream containers.

    MapDataset(path)          map-style: len() and [i] through the record index
    IterableDataset(path, shuffle=True, seed=0, batch_size=32)
                              one epoch split across ranks and DataLoader workers,
                              every record exactly once; set_epoch(e) between
                              epochs; state_dict(batches) / load_state_dict(s) to
                              resume mid-epoch

Values: tensor fields as numpy arrays (torch's default collate turns them
into tensors), bfloat16 fields as torch tensors, strings as str (None for a
missing optional string: give the DataLoader a collate_fn that handles it),
variable shapes need a collate_fn that pads.
"""
import torch
import torch.distributed as dist
from torch.utils.data import Dataset as _Dataset
from torch.utils.data import IterableDataset as _IterableDataset
from torch.utils.data import get_worker_info

from .dataset import Dataset


class MapDataset(_Dataset):
    def __init__(self, path, fields=None, transform=None, verify=True):
        self.path = path
        self.transform = transform
        self._ds = Dataset(path, fields=fields, verify=verify)
        self._len = len(self._ds)

    def __len__(self):
        return self._len

    def __getitem__(self, i):
        rec = self._ds[int(i)]
        return rec if self.transform is None else self.transform(rec)


class IterableDataset(_IterableDataset):
    """An epoch partitioned by rank (torch.distributed, or given) and DataLoader worker.

    With batch_size equal to the DataLoader's, the batches a rank's DataLoader
    yields are consecutive blocks of the epoch order, so state_dict(n) after
    n batches and load_state_dict() resume exactly where training stopped.
    """

    def __init__(self, path, shuffle=False, seed=0, batch_size=1, rank=None, world_size=None, shuffle_buffer=4096, fields=None, transform=None, verify=True):
        self.path = path
        self.shuffle = shuffle
        self.seed = seed
        self.batch_size = batch_size
        self.shuffle_buffer = shuffle_buffer
        self.transform = transform
        self.epoch = 0
        self._batches_done = 0
        self._rank = rank
        self._world = world_size
        self._ds = Dataset(path, fields=fields, verify=verify)

    def set_epoch(self, epoch):
        self.epoch = epoch
        self._batches_done = 0

    def _ranks(self):
        if self._rank is not None:
            return self._rank, self._world or 1
        if dist.is_available() and dist.is_initialized():
            return dist.get_rank(), dist.get_world_size()
        return 0, 1

    def __iter__(self):
        rank, world = self._ranks()
        info = get_worker_info()
        worker, workers = (0, 1) if info is None else (info.id, info.num_workers)
        records = self._ds.records(
            shuffle=self.shuffle, seed=self.seed, epoch=self.epoch, rank=rank, world_size=world, worker_id=worker,
            num_workers=workers, block_size=self.batch_size, shuffle_buffer=self.shuffle_buffer, batches_done=self._batches_done,
        )
        for _, rec in records:
            yield rec if self.transform is None else self.transform(rec)

    def state_dict(self, batches_consumed):
        """Where a rank stands after `batches_consumed` batches of this epoch (all ranks in step)."""
        return {"version": 1, "seed": self.seed, "epoch": self.epoch, "shuffle": self.shuffle, "batch_size": self.batch_size, "batches": batches_consumed}

    def load_state_dict(self, state):
        if state.get("version") != 1 or state.get("batch_size") != self.batch_size or state.get("shuffle") != self.shuffle:
            raise ValueError("state %r does not fit this dataset (batch_size %d, shuffle %s)" % (state, self.batch_size, self.shuffle))
        self.seed = state["seed"]
        self.epoch = state["epoch"]
        self._batches_done = state["batches"]


__all__ = ["MapDataset", "IterableDataset", "torch"]
