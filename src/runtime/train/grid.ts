/** Sample grids: a batch of generated (or real) images tiled into one picture, written as PNG. */
import { PNG } from 'pngjs';
import schema from '../config/schema.json';
import { writeFileAtomic } from '../outputFiles';
import { checkPngInflation, pngHeader } from '../png';
import { readFileBounded, UnsafeFileError } from '../safeFs';
import type { GridImage } from '../events';

const PADDING = 2;
const BACKGROUND = 32;

/** Width and height of the grid tileGrid makes of `n` images of `size`². */
export function gridSize(n: number, size: number): { width: number; height: number } {
  const cols = Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / cols);
  return { width: cols * size + (cols + 1) * PADDING, height: rows * size + (rows + 1) * PADDING };
}

/**
 * Pixels of the largest grid the trainer writes, from the schema's limits (output.sampleCount ≤ 256, model.imageSize
 * ≤ 128): 2082×2082. A grid PNG in a run folder that claims more was not written by DCGAN Studio.
 */
export const MAX_GRID_PIXELS = (() => {
  const maxCount = schema.properties.output.properties.sampleCount.maximum;
  const maxSize = Math.max(...schema.properties.model.properties.imageSize.enum);
  let most = 0;
  for (let n = 1; n <= maxCount; n++) {
    const g = gridSize(n, maxSize);
    most = Math.max(most, g.width * g.height);
  }
  return most;
})();
/** Bytes of the largest grid PNG read: RGB at its worst compression, and some. */
const MAX_GRID_PNG_BYTES = MAX_GRID_PIXELS * 4 + (1 << 20);

/**
 * Tiles N images (NHWC floats in [lo, hi]) into a near-square grid with a thin dark border, as uint8.
 * Values outside [lo, hi] are clipped, so a generator that overshoots still gives a readable picture.
 */
export function tileGrid(images: Float32Array, n: number, size: number, channels: number, range: [number, number]): GridImage {
  const cols = Math.ceil(Math.sqrt(n));
  const { width, height } = gridSize(n, size);
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

/** Writes through the atomic writer: every folder from `root` down to the file is checked for links (outputFiles.ts). */
export function writePng(root: string, file: string, grid: GridImage): void {
  writeFileAtomic(root, file, encodePng(grid));
}

/** A grid PNG file, read and decoded with decodePngBuffer's bounds. */
export function decodePng(file: string): GridImage {
  return decodePngBuffer(readFileBounded(file, MAX_GRID_PNG_BYTES), file);
}

/**
 * A grid PNG's bytes as an RGB grid image, bounded: the header's size is checked against `maxPixels` (default: the
 * largest grid the trainer writes) and an interlaced image's inflation is capped before pngjs allocates or
 * inflates anything. Throws UnsafeFileError naming `file` otherwise.
 */
export function decodePngBuffer(buf: Buffer, file = 'the PNG', maxPixels = MAX_GRID_PIXELS): GridImage {
  const h = pngHeader(buf);
  if (!h) throw new UnsafeFileError(file, `${file} is not a PNG file.`);
  if (h.width === 0 || h.height === 0 || h.width * h.height > maxPixels) {
    throw new UnsafeFileError(file, `${file} says it is ${h.width}×${h.height} pixels; the sample grids DCGAN Studio writes are at most ${maxPixels.toLocaleString('en-US')} pixels (256 images of 128×128). It was not decoded.`);
  }
  try {
    checkPngInflation(buf, h.width, h.height);
  } catch (err) {
    throw new UnsafeFileError(file, `${file}: ${(err as Error).message}; the file is damaged or hostile, and was not decoded.`);
  }
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
