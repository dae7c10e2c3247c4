"""Epoch order and partitions, the same numbers as the Node library (src/ml/shuffle.ts):

    mix32(x)        = x ^= x>>16; x *= 0x7feb352d; x ^= x>>15; x *= 0x846ca68b; x ^= x>>16  (uint32)
    epoch_seed(s,e) = mix32((mix32(s) + e * 0x9e3779b9) mod 2^32)
    order           = record indices sorted by mix32(mix32(i) ^ epoch_seed)
    partition p of P = world_size * num_workers (p = rank * num_workers + worker_id):
                      blocks of `block_size` positions of the order whose number is p mod P
"""
import numpy as np

M = 0xFFFFFFFF


def mix32(x):
    """Scalar (Python int) or numpy uint32 array."""
    if isinstance(x, np.ndarray):
        x = x.astype(np.uint32)
        x ^= x >> np.uint32(16)
        x *= np.uint32(0x7FEB352D)
        x ^= x >> np.uint32(15)
        x *= np.uint32(0x846CA68B)
        x ^= x >> np.uint32(16)
        return x
    x &= M
    x ^= x >> 16
    x = (x * 0x7FEB352D) & M
    x ^= x >> 15
    x = (x * 0x846CA68B) & M
    x ^= x >> 16
    return x


def epoch_seed(seed, epoch):
    return mix32((mix32(seed) + epoch * 0x9E3779B9) & M)


def permutation(n, seed):
    keys = mix32(mix32(np.arange(n, dtype=np.uint32)) ^ np.uint32(seed))
    return np.argsort(keys, kind="stable")


def random_stream(seed):
    k = 0
    while True:
        yield mix32((seed + k * 0x9E3779B9) & M)
        k += 1


def partition_positions(n, part, parts, block_size, skip=0):
    """Positions of the order in partition `part`, from its `skip`-th on."""
    block = part + (skip // block_size) * parts
    within = skip % block_size
    while block * block_size < n:
        end = min(n, (block + 1) * block_size)
        yield from range(block * block_size + within, end)
        block += parts
        within = 0


def partition_size(n, part, parts, block_size):
    blocks = -(-n // block_size)
    return sum(min(n, (b + 1) * block_size) - b * block_size for b in range(part, blocks, parts))


def rank_positions(n, rank, world_size, worker_id, num_workers, block_size, batches_done=0):
    """Positions of a DataLoader worker's records when its rank has consumed `batches_done` batches.

    A rank's batches are its blocks in order: batch j is block (j // W) * P + rank * W + j % W
    (W workers, P = world_size * W). The DataLoader takes them round robin from worker 0, so
    after a resume worker w takes batches done + w, done + w + W, ...: the rank's batches come
    in the same order as without the interruption. With batches_done = 0 this is partition
    rank * W + worker of partition_positions.
    """
    parts = world_size * num_workers
    j = batches_done + worker_id
    while True:
        block = (j // num_workers) * parts + rank * num_workers + j % num_workers
        if block * block_size >= n:
            return
        yield from range(block * block_size, min(n, (block + 1) * block_size))
        j += num_workers


def rank_block_owner(block, rank, world_size, worker_id, num_workers, batches_done=0):
    """True when `block` is one rank_positions gives this worker."""
    parts = world_size * num_workers
    t, within = divmod(block, parts)
    if within // num_workers != rank:
        return False
    j = t * num_workers + within % num_workers
    return j >= batches_done and (j - batches_done) % num_workers == worker_id
