#!/usr/bin/env python3
"""The peer for DCGAN Studio's benches: the same DCGAN in PyTorch, with the same losses and optimizer settings.
At 28x28 (--image-size 28) the TensorFlow tutorial's networks, widths scaled by generatorFilters /
discriminatorFilters; at powers of two (32, 64) the DCGAN paper's networks as src/runtime/model builds them.

Matches src/runtime/model (tutorial28) and src/runtime/train/trainer.ts:
  G: Linear(z, 7*7*4g, no bias) -> BN -> LeakyReLU -> ConvT(4g->2g, 5, s1) -> BN -> LeakyReLU
     -> ConvT(2g->g, 5, s2) -> BN -> LeakyReLU -> ConvT(g->C, 5, s2, no bias) -> tanh
  D: Conv(C->d, 5, s2) -> LeakyReLU -> Dropout -> Conv(d->2d, 5, s2) -> LeakyReLU -> Dropout -> Linear(7*7*2d, 1)
  Powers of two (src/runtime/model, dcganGenerator / dcganDiscriminator; pytorch/examples/dcgan's networks):
  G: Linear(z, 4*4*f, no bias) -> BN -> ReLU -> [ConvT(c -> c/2, 4, s2, p1, no bias) -> BN -> ReLU]...
     -> ConvT(g -> C, 4, s2, p1, no bias) -> tanh, with f = g * 2^(stages-1)
  D: Conv(C -> d, 4, s2, p1, no bias) -> LeakyReLU -> [Conv(c -> 2c, 4, s2, p1, no bias) -> BN -> LeakyReLU]...
     -> Linear(4*4*c, 1, no bias)
  N(0, 0.02) init (BN scale N(1, 0.02)), BCE with logits, Adam, one D step and one G step per iteration,
  batch norm with batch statistics when sampling too (model.train()), as the trainer does.
  With --average d (training.generatorAverage), samples come from an exponential moving average of G's
  weights, updated after every step with the trainer's warm-up, min(d, (1 + t) / (10 + t)).

Prints one JSON object on stdout. Modes:
  speed:   --steps N           it/s over the steps after --warmup, ms per 64-sample grid
  quality: --seconds T         trains for T seconds of wall time, then writes --count samples (float32, NHWC,
                               in [-1, 1]) to --samples for the node harness to judge with the same classifier
"""
import argparse, copy, json, os, re, resource, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('--mode', choices=['speed', 'quality'], required=True)
p.add_argument('--data', required=True, help='float32 [N, S, S, C] (NHWC) in [0, 1], raw little-endian')
p.add_argument('--image-size', type=int, default=28)
p.add_argument('--channels', type=int, default=1)
p.add_argument('--steps', type=int, default=20)
p.add_argument('--warmup', type=int, default=3)
p.add_argument('--seconds', type=float, default=300)
p.add_argument('--samples', default='')
p.add_argument('--count', type=int, default=1000)
p.add_argument('--batch', type=int, default=64)
p.add_argument('--latent', type=int, default=100)
p.add_argument('--g-filters', type=int, default=64)
p.add_argument('--d-filters', type=int, default=64)
p.add_argument('--alpha', type=float, default=0.2)
p.add_argument('--dropout', type=float, default=0.3)
p.add_argument('--lr-g', type=float, default=2e-4)
p.add_argument('--lr-d', type=float, default=2e-4)
p.add_argument('--beta1', type=float, default=0.5)
p.add_argument('--beta2', type=float, default=0.999)
p.add_argument('--average', type=float, default=0.0, help='decay of the generator weight average samples are drawn from (training.generatorAverage); 0: off')
p.add_argument('--threads', type=int, default=2)
p.add_argument('--seed', type=int, default=42)
a = p.parse_args()

torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)
np.random.seed(a.seed)


class Generator(nn.Module):
    def __init__(self, z, g, c, alpha):
        super().__init__()
        self.g, self.alpha = g, alpha
        self.fc = nn.Linear(z, 7 * 7 * 4 * g, bias=False)           # z [N,100] -> [N,12544]
        self.bn0 = nn.BatchNorm1d(7 * 7 * 4 * g, eps=1e-5)
        self.ct1 = nn.ConvTranspose2d(4 * g, 2 * g, 5, 1, 2, bias=False)    # [N,256,7,7] -> [N,128,7,7]
        self.bn1 = nn.BatchNorm2d(2 * g, eps=1e-5)
        self.ct2 = nn.ConvTranspose2d(2 * g, g, 5, 2, 2, 1, bias=False)     # -> [N,64,14,14]
        self.bn2 = nn.BatchNorm2d(g, eps=1e-5)
        self.ct3 = nn.ConvTranspose2d(g, c, 5, 2, 2, 1, bias=False)         # -> [N,C,28,28]

    def forward(self, z):
        x = F.leaky_relu(self.bn0(self.fc(z)), self.alpha).view(-1, 4 * self.g, 7, 7)
        x = F.leaky_relu(self.bn1(self.ct1(x)), self.alpha)
        x = F.leaky_relu(self.bn2(self.ct2(x)), self.alpha)
        return torch.tanh(self.ct3(x))


class Discriminator(nn.Module):
    def __init__(self, d, c, alpha, dropout):
        super().__init__()
        self.alpha, self.dropout = alpha, dropout
        self.c1 = nn.Conv2d(c, d, 5, 2, 2)          # [N,C,28,28] -> [N,64,14,14]
        self.c2 = nn.Conv2d(d, 2 * d, 5, 2, 2)      # -> [N,128,7,7]
        self.fc = nn.Linear(7 * 7 * 2 * d, 1)       # -> [N,1] logit

    def forward(self, x):
        x = F.dropout(F.leaky_relu(self.c1(x), self.alpha), self.dropout, self.training)
        x = F.dropout(F.leaky_relu(self.c2(x), self.alpha), self.dropout, self.training)
        return self.fc(x.flatten(1))


class PaperGenerator(nn.Module):
    def __init__(self, z, g, c, stages):
        super().__init__()
        self.first = g * 2 ** (stages - 1)
        self.fc = nn.Linear(z, 16 * self.first, bias=False)          # z -> [N, 4*4*f]
        self.bn0 = nn.BatchNorm1d(16 * self.first, eps=1e-5)
        layers, ch = [], self.first
        for i in range(1, stages + 1):
            out = c if i == stages else ch // 2
            layers.append(nn.ConvTranspose2d(ch, out, 4, 2, 1, bias=False))
            if i < stages:
                layers += [nn.BatchNorm2d(out, eps=1e-5), nn.ReLU()]
            ch = out
        self.ups = nn.Sequential(*layers)

    def forward(self, z):
        x = F.relu(self.bn0(self.fc(z))).view(-1, self.first, 4, 4)
        return torch.tanh(self.ups(x))


class PaperDiscriminator(nn.Module):
    def __init__(self, d, c, alpha, dropout, stages):
        super().__init__()
        layers, ch = [], c
        for i in range(1, stages + 1):
            out = d * 2 ** (i - 1)
            layers.append(nn.Conv2d(ch, out, 4, 2, 1, bias=False))
            if i > 1:
                layers.append(nn.BatchNorm2d(out, eps=1e-5))
            layers.append(nn.LeakyReLU(alpha))
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            ch = out
        self.downs = nn.Sequential(*layers)
        self.fc = nn.Linear(16 * ch, 1, bias=False)

    def forward(self, x):
        return self.fc(self.downs(x).flatten(1))


def init(m):
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(m.weight, 0.0, 0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


S, C = a.image_size, a.channels
raw = np.fromfile(a.data, dtype=np.float32).reshape(-1, S, S, C).transpose(0, 3, 1, 2).copy()
data = torch.from_numpy(raw * 2.0 - 1.0)  # [0,1] -> tanh's [-1,1], as data.scale "auto" does
if S == 28:
    G = Generator(a.latent, a.g_filters, C, a.alpha)
    D = Discriminator(a.d_filters, C, a.alpha, a.dropout)
else:
    stages = round(np.log2(S / 4))
    G = PaperGenerator(a.latent, a.g_filters, C, stages)
    D = PaperDiscriminator(a.d_filters, C, a.alpha, a.dropout, stages)
G.apply(init)
D.apply(init)
optG = torch.optim.Adam(G.parameters(), lr=a.lr_g, betas=(a.beta1, a.beta2))
# The generator's weight average, updated after every step as src/runtime/train/average.ts does:
# decay min(d, (1 + t) / (10 + t)). Samples in quality mode come from it.
G_avg = copy.deepcopy(G) if a.average > 0 else None
avg_steps = 0


def update_average():
    global avg_steps
    avg_steps += 1
    d = min(a.average, (1 + avg_steps) / (10 + avg_steps))
    with torch.no_grad():
        for pa, p in zip(G_avg.parameters(), G.parameters()):
            pa.mul_(d).add_(p, alpha=1 - d)

optD = torch.optim.Adam(D.parameters(), lr=a.lr_d, betas=(a.beta1, a.beta2))
bce = nn.BCEWithLogitsLoss()
ones = torch.ones(a.batch, 1)
zeros = torch.zeros(a.batch, 1)
order = torch.randperm(len(data))
cursor = 0


def next_batch():
    global order, cursor
    if cursor + a.batch > len(order):
        order, cursor = torch.randperm(len(data)), 0
    idx = order[cursor:cursor + a.batch]
    cursor += a.batch
    return data[idx]


def iteration():
    real = next_batch()
    z = torch.randn(a.batch, a.latent)
    fake = G(z)
    # D: Loss_D = BCE(real, 1) + BCE(fake, 0), summed, as the trainer reports it (≈ 2 ln 2 at balance).
    optD.zero_grad()
    out_real = D(real)
    out_fake = D(fake.detach())
    loss_d = bce(out_real, ones) + bce(out_fake, zeros)
    loss_d.backward()
    optD.step()
    # G: non-saturating loss on the same fake batch.
    optG.zero_grad()
    out = D(fake)
    loss_g = bce(out, ones)
    loss_g.backward()
    optG.step()
    if G_avg is not None:
        update_average()
    return loss_d.item(), loss_g.item(), torch.sigmoid(out_real).mean().item(), torch.sigmoid(out_fake).mean().item()


def grid_ms(reps=10):
    """Forward pass of 64 fixed-noise vectors plus tiling to an 8x8 uint8 grid, as the trainer's samples."""
    z = torch.randn(64, a.latent)
    times = []
    for _ in range(reps + 1):
        t0 = time.perf_counter()
        with torch.no_grad():
            imgs = G(z)
        u8 = ((imgs.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).view(8, 8, C, S, S).permute(0, 3, 1, 4, 2).reshape(8 * S, 8 * S, C).numpy()
        times.append((time.perf_counter() - t0) * 1000)
        assert u8.shape == (8 * S, 8 * S, C)
    return float(np.median(times[1:]))


def loaded_blas():
    """Which BLAS the process mapped (the Debian alternatives pick it; reference BLAS is about 4.5x slower)."""
    libs = set()
    with open('/proc/self/maps') as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ''
            name = os.path.basename(path)
            if re.search(r'blas|mkl_|libblis|lapack', name):
                libs.add(path)
    kind = 'unknown'
    if any('openblas' in l for l in libs):
        kind = 'openblas'
    elif any('mkl' in l for l in libs):
        kind = 'mkl'
    elif any('blis' in l for l in libs):
        kind = 'blis'
    elif any(re.search(r'/blas/libblas\.so', l) for l in libs):
        kind = 'reference'
    return {'kind': kind, 'libraries': sorted(libs)}


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


G.train(); D.train()
result = {'side': 'pytorch', 'torch': torch.__version__, 'threads': torch.get_num_threads(), 'mode': a.mode}
if a.mode == 'speed':
    times = []
    cpu0 = 0.0
    for s in range(a.steps):
        if s == a.warmup:
            cpu0 = time.process_time()  # CPU time of all threads, as the tfjs side's cpuMsPerIt
        t0 = time.perf_counter()
        m = iteration()
        times.append(time.perf_counter() - t0)
    cpu_ms = (time.process_time() - cpu0) * 1000
    timed = times[a.warmup:]
    result.update({'steps': a.steps, 'itPerSec': len(timed) / sum(timed), 'cpuMsPerIt': cpu_ms / max(1, len(timed)), 'lastMetrics': m, 'gridMs': grid_ms()})
else:
    t_end = time.perf_counter() + a.seconds
    steps = 0
    while time.perf_counter() < t_end:
        m = iteration()
        steps += 1
    out = []
    with torch.no_grad():
        done = 0
        while done < a.count:  # batches of 256 with batch statistics, like generateImages in checkpoint.ts
            out.append((G_avg or G)(torch.randn(256, a.latent)).permute(0, 2, 3, 1).numpy())
            done += 256
    samples = np.concatenate(out)[:a.count].astype(np.float32)
    samples.tofile(a.samples)
    result.update({'steps': steps, 'seconds': a.seconds, 'itPerSec': steps / a.seconds, 'lastMetrics': m, 'count': a.count})
result['blas'] = loaded_blas()
result['peakRssMb'] = peak_rss_mb()
print(json.dumps(result))
