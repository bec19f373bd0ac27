#!/usr/bin/env python3
"""torchvision's side of bench/data.ts: ImageFolder + DataLoader with pytorch/examples/dcgan's transforms
(Resize(size), CenterCrop(size), ToTensor, Normalize to [-1, 1]), shuffled batches of 64.

usage: /usr/bin/python3 bench/torch_data.py FOLDER WORKERS BATCHES [SIZE]
Prints "first-batch" when the first batch is in hand, then one JSON line: images/s over the batches after the
first, and peak RSS (this process, and the largest worker process).
"""
import json
import resource
import sys
import time

import torch
import torchvision.datasets as dset
import torchvision.transforms as T


def main():
    folder, workers, batches = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    size = int(sys.argv[4]) if len(sys.argv) > 4 else 64
    torch.set_num_threads(1)
    ds = dset.ImageFolder(root=folder, transform=T.Compose([T.Resize(size), T.CenterCrop(size), T.ToTensor(), T.Normalize((0.5,) * 3, (0.5,) * 3)]))
    loader = torch.utils.data.DataLoader(ds, batch_size=64, shuffle=True, num_workers=workers)
    it = iter(loader)
    next(it)
    print("first-batch", flush=True)
    t = time.perf_counter()
    for _ in range(batches - 1):
        next(it)
    seconds = time.perf_counter() - t
    # The workers are waited for when the iterator goes, and only then counted in RUSAGE_CHILDREN (the largest one).
    del it, loader
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"imagesPerSecond": (batches - 1) * 64 / seconds, "peakRssMb": rss, "peakWorkerRssMb": child, "count": len(ds)}), flush=True)


if __name__ == "__main__":
    main()
