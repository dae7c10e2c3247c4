"""A real torch state_dict written as raw tensors (step 1), and checked after the
Node library packed it into a checkpoint (step 2). Run by test/python.test.ts.

    python3 -m tests.torch_state_dict write DIR
    python3 -m tests.torch_state_dict check DIR CHECKPOINT.hvs
"""
import json
import os
import sys

import torch

from hivestream import open_checkpoint

NAMES = {torch.float16: "float16", torch.bfloat16: "bfloat16", torch.float32: "float32", torch.int64: "int64", torch.bool: "bool"}


def state_dict():
    torch.manual_seed(1234)
    model = torch.nn.Sequential(torch.nn.Linear(16, 8), torch.nn.BatchNorm1d(8), torch.nn.Linear(8, 4))
    sd = model.state_dict()  # BatchNorm's num_batches_tracked: a 0-d int64
    sd["2.weight"] = sd["2.weight"].to(torch.bfloat16)
    sd["0.weight"] = sd["0.weight"].to(torch.float16)
    sd["mask"] = torch.rand(5) > 0.5
    sd["ids"] = torch.tensor([16777217, -2, 2**62 + 1], dtype=torch.int64)
    return sd


def raw(t):
    t = t.contiguous()
    return (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()


def write(directory):
    manifest = []
    for i, (name, t) in enumerate(state_dict().items()):
        file = os.path.join(directory, "t%d.bin" % i)
        with open(file, "wb") as f:
            f.write(raw(t))
        manifest.append({"name": name, "dtype": NAMES[t.dtype], "shape": list(t.shape), "file": file})
    with open(os.path.join(directory, "manifest.json"), "w") as f:
        json.dump(manifest, f)


def check(container):
    want = state_dict()
    with open_checkpoint(container) as ck:
        got = ck.load_state_dict()
    assert list(got) == list(want), (list(got), list(want))
    for name, t in want.items():
        g = got[name]
        assert g.dtype == t.dtype and g.shape == t.shape, name
        assert raw(g) == raw(t), name
    assert got["1.num_batches_tracked"].dim() == 0
    print("ok %d tensors" % len(got))


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2])
    else:
        check(sys.argv[3])
