/** Sample grids: a batch of generated (or real) images tiled into one picture, written as PNG. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { writeFileAtomic } from './runFolder';
import type { GridImage } from '../events';

const PADDING = 2;
const BACKGROUND = 32;

/**
 * Tiles N images (NHWC floats in [lo, hi]) into a near-square grid with a thin dark border, as uint8.
 * Values outside [lo, hi] are clipped, so a generator that overshoots still gives a readable picture.
 */
export function tileGrid(images: Float32Array, n: number, size: number, channels: number, range: [number, number]): GridImage {
  const cols = Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / cols);
  const width = cols * size + (cols + 1) * PADDING;
  const height = rows * size + (rows + 1) * PADDING;
  const data = new Uint8Array(width * height * channels).fill(BACKGROUND);
  const [lo, hi] = range;
  const k = 255 / (hi - lo);
  for (let i = 0; i < n; i++) {
    const x0 = PADDING + (i % cols) * (size + PADDING);
    const y0 = PADDING + Math.floor(i / cols) * (size + PADDING);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        for (let c = 0; c < channels; c++) {
          const v = (images[((i * size + y) * size + x) * channels + c] - lo) * k;
          data[((y0 + y) * width + x0 + x) * channels + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
        }
      }
    }
  }
  return { width, height, channels, data };
}

export function encodePng(grid: GridImage): Buffer {
  const png = new PNG({ width: grid.width, height: grid.height });
  const { data, channels } = grid;
  for (let i = 0, j = 0; i < grid.width * grid.height; i++, j += channels) {
    png.data[i * 4] = data[j];
    png.data[i * 4 + 1] = channels === 3 ? data[j + 1] : data[j];
    png.data[i * 4 + 2] = channels === 3 ? data[j + 2] : data[j];
    png.data[i * 4 + 3] = 255;
  }
  return PNG.sync.write(png, { colorType: channels === 1 ? 0 : 2 });
}

/**
 * Writes atomically (a fresh temp file, created exclusively, renamed over the target), so a viewer never sees
 * half a PNG and a symlink at `file` is replaced rather than written through.
 */
export function writePng(file: string, grid: GridImage): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, encodePng(grid));
}

export function decodePng(file: string): GridImage {
  return decodePngBuffer(fs.readFileSync(file));
}

/** An RGBA PNG's bytes as an RGB grid image (the checks on untrusted bytes are the caller's). */
export function decodePngBuffer(buf: Buffer): GridImage {
  const png = PNG.sync.read(buf);
  const data = new Uint8Array(png.width * png.height * 3);
  for (let i = 0; i < png.width * png.height; i++) {
    data[i * 3] = png.data[i * 4];
    data[i * 3 + 1] = png.data[i * 4 + 1];
    data[i * 3 + 2] = png.data[i * 4 + 2];
  }
  return { width: png.width, height: png.height, channels: 3, data };
}

export function sampleFileName(step: number): string {
  return `step-${String(step).padStart(6, '0')}.png`;
}
