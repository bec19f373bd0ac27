#!/usr/bin/env python3
"""PyTorch side of bench/gpu.sh: it/s of one D and one G step (batch 64) on a CUDA device, for
  - tutorial: the TensorFlow tutorial's 28x28 networks, 64/64 filters (as bench/torch_dcgan.py, dropout 0.3);
  - paper64:  the DCGAN paper's 64x64x3 networks with pytorch/examples' widths (ngf = ndf = 64, nz = 100):
      G: ConvT(100->512, 4, s1, p0) BN ReLU -> ConvT(512->256, 4, s2, p1) BN ReLU -> 256->128 -> 128->64
         -> ConvT(64->3, 4, s2, p1) tanh
      D: Conv(3->64, 4, s2, p1) LReLU(0.2) -> 64->128 BN LReLU -> 128->256 -> 256->512 -> Conv(512->1, 4, s1, p0)
Random inputs (speed only). Prints one JSON object per model.
"""
import argparse, json, time
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('--steps', type=int, default=50)
p.add_argument('--warmup', type=int, default=5)
p.add_argument('--device', default='cuda')
a = p.parse_args()
dev = torch.device(a.device)


def tutorial():
    g, d = 64, 64
    G = nn.Sequential(nn.Linear(100, 7 * 7 * 4 * g, bias=False), nn.BatchNorm1d(7 * 7 * 4 * g), nn.LeakyReLU(0.2),
                      nn.Unflatten(1, (4 * g, 7, 7)),
                      nn.ConvTranspose2d(4 * g, 2 * g, 5, 1, 2, bias=False), nn.BatchNorm2d(2 * g), nn.LeakyReLU(0.2),
                      nn.ConvTranspose2d(2 * g, g, 5, 2, 2, 1, bias=False), nn.BatchNorm2d(g), nn.LeakyReLU(0.2),
                      nn.ConvTranspose2d(g, 1, 5, 2, 2, 1, bias=False), nn.Tanh())
    D = nn.Sequential(nn.Conv2d(1, d, 5, 2, 2), nn.LeakyReLU(0.2), nn.Dropout(0.3),
                      nn.Conv2d(d, 2 * d, 5, 2, 2), nn.LeakyReLU(0.2), nn.Dropout(0.3),
                      nn.Flatten(), nn.Linear(7 * 7 * 2 * d, 1))
    return G, D, (lambda n: torch.randn(n, 100, device=dev)), (1, 28, 28)


def paper64():
    nz, ngf, ndf = 100, 64, 64
    G = nn.Sequential(nn.Unflatten(1, (nz, 1, 1)),
                      nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
                      nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
                      nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
                      nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
                      nn.ConvTranspose2d(ngf, 3, 4, 2, 1, bias=False), nn.Tanh())
    D = nn.Sequential(nn.Conv2d(3, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, True),
                      nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, True),
                      nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, True),
                      nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 8), nn.LeakyReLU(0.2, True),
                      nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False), nn.Flatten())
    return G, D, (lambda n: torch.randn(n, nz, device=dev)), (3, 64, 64)


for name, build in [('tutorial', tutorial), ('paper64', paper64)]:
    torch.manual_seed(42)
    G, D, noise, shape = build()
    G, D = G.to(dev), D.to(dev)
    optG = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optD = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    B = 64
    real = torch.rand(B, *shape, device=dev) * 2 - 1
    ones, zeros = torch.ones(B, 1, device=dev), torch.zeros(B, 1, device=dev)
    times = []
    for step in range(a.warmup + a.steps):
        t = time.perf_counter()
        fake = G(noise(B))
        optG.zero_grad(); bce(D(fake), ones).backward(); optG.step()
        optD.zero_grad(); (bce(D(real), ones) + bce(D(fake.detach()), zeros)).backward(); optD.step()
        if dev.type == 'cuda':
            torch.cuda.synchronize()
        if step >= a.warmup:
            times.append(time.perf_counter() - t)
    print(json.dumps({'side': 'pytorch', 'model': name, 'device': torch.cuda.get_device_name(0) if dev.type == 'cuda' else 'cpu',
                      'torch': torch.__version__, 'steps': len(times), 'itPerSec': len(times) / sum(times)}))
