#!/usr/bin/env python3
"""Writes a folder of synthetic CelebA-like colour JPEGs for bench/data.ts: smooth random colour fields with a few
ellipses and sensor-like noise, saved by PIL (libjpeg-turbo) at quality 90, which gives files of about CelebA's
size (15-16 KB at 178x218). They sit in OUT/images/, since torchvision's ImageFolder wants one folder per class.

usage: /usr/bin/python3 bench/make_image_folder.py OUT COUNT [WIDTH HEIGHT]   (default 178 218, CelebA's aligned crop)
Existing files are kept, so a folder can be grown.
"""
import os
import sys

import numpy as np
from PIL import Image, ImageDraw


def main():
    out, count = sys.argv[1], int(sys.argv[2])
    w, h = (int(sys.argv[3]), int(sys.argv[4])) if len(sys.argv) > 4 else (178, 218)
    folder = os.path.join(out, "images")
    os.makedirs(folder, exist_ok=True)
    for i in range(count):
        path = os.path.join(folder, f"{i:06d}.jpg")
        if os.path.exists(path):
            continue
        rng = np.random.default_rng(i)
        im = Image.fromarray(rng.integers(0, 256, (8, 7, 3), dtype=np.uint8)).resize((w, h), Image.BICUBIC)
        draw = ImageDraw.Draw(im)
        for _ in range(3):
            x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
            draw.ellipse([x0, y0, x0 + int(rng.integers(10, max(11, w // 2))), y0 + int(rng.integers(10, max(11, h // 2)))], fill=tuple(int(v) for v in rng.integers(0, 256, 3)))
        noisy = np.asarray(im).astype(np.int16) + rng.normal(0, 7, (h, w, 3)).astype(np.int16)
        Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(path, quality=90)


if __name__ == "__main__":
    main()
