/**
 * A folder of PNG and JPEG images (searched recursively). Opening reads only each file's header (size and
 * colour), so a folder of 200k images opens quickly; pixels are decoded when read, resized so the shorter side
 * is imageSize (area average when shrinking, bilinear when enlarging), center-cropped, and cached as uint8.
 * A file that cannot be read becomes a data/unreadable problem naming it; the rest of the folder still trains.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import type { Problem } from '../problem';
import { checkPngInflation } from '../png';
import { MAX_IMAGE_FILE_BYTES, MAX_IMAGE_PIXELS, openRegular, readAt, readRegularFile, tooLarge } from './files';
import { DatasetError, SUPPORTED_IMAGE_SIZES, throwIfAborted, unreadable, type Dataset, type OpenOptions } from './types';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);
/** Decoded images are cached while the whole folder fits in this many bytes of uint8. */
const CACHE_MAX_BYTES = 512 * 1024 * 1024;

interface ImageEntry {
  file: string;
  width: number;
  height: number;
  color: boolean;
}

export function listImageFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    const entries = fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && IMAGE_EXTENSIONS.has(path.extname(e.name).toLowerCase())) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Reads width, height and whether the image has colour from the file's first bytes, without decoding it. */
export function readImageHeader(file: string): { width: number; height: number; color: boolean } {
  const { fd, size } = openRegular(file);
  try {
    const h = parseImageHeader(Buffer.from(readAt(fd, Math.min(size, 262144), 0)));
    checkDimensions(file, h.width, h.height);
    return h;
  } finally {
    fs.closeSync(fd);
  }
}

function parseImageHeader(head: Buffer): { width: number; height: number; color: boolean } {
  if (head.length >= 26 && head.readUInt32BE(0) === 0x89504e47 && head.toString('latin1', 12, 16) === 'IHDR') {
    const colorType = head[25];
    // Palette images (type 3) may hold colour; treat them as RGB rather than guess from the palette.
    return { width: head.readUInt32BE(16), height: head.readUInt32BE(20), color: colorType === 2 || colorType === 3 || colorType === 6 };
  }
  if (head.length >= 4 && head[0] === 0xff && head[1] === 0xd8) {
    let o = 2;
    while (o + 9 < head.length) {
      if (head[o] !== 0xff) { o++; continue; }
      const marker = head[o + 1];
      if (marker === 0xff) { o++; continue; }
      const len = head.readUInt16BE(o + 2);
      const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isSof) return { height: head.readUInt16BE(o + 5), width: head.readUInt16BE(o + 7), color: head[o + 9] >= 3 };
      o += 2 + len;
    }
    throw new Error('no JPEG frame header found in its first 256 KiB');
  }
  throw new Error('neither a PNG nor a JPEG signature');
}

/** The decoders allocate width × height × 4 bytes from the header, so the header is checked before they run. */
function checkDimensions(file: string, width: number, height: number): void {
  if (width * height > MAX_IMAGE_PIXELS) {
    throw tooLarge(file, `${file} is ${width}×${height} pixels, over the ${MAX_IMAGE_PIXELS / 1e6}-megapixel limit on images DCGAN Studio decodes; it is skipped. Downscale it (the models train on at most 128×128) or remove it.`);
  }
}

/** A small interlaced image could carry a zlib bomb (see ../png.ts): its inflation is capped first. */
function checkInterlacedSize(file: string, bytes: Buffer, width: number, height: number): void {
  try {
    checkPngInflation(bytes, width, height);
  } catch (err) {
    throw unreadable(file, `${file}: ${(err as Error).message}; the file is damaged or hostile. Delete or replace it.`);
  }
}

function decodeRgba(file: string): { width: number; height: number; data: Uint8Array } {
  const bytes = Buffer.from(readRegularFile(file, MAX_IMAGE_FILE_BYTES, 'Downscale or recompress it.'));
  // The file may have changed since its header was read; check the header these bytes carry.
  const h = parseImageHeader(bytes.subarray(0, 262144));
  checkDimensions(file, h.width, h.height);
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x89504e47) {
    if (bytes[28] === 1) checkInterlacedSize(file, bytes, h.width, h.height);
    const png = PNG.sync.read(bytes);
    return { width: png.width, height: png.height, data: png.data };
  }
  const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6, maxMemoryUsageInMB: 512 });
  return { width: img.width, height: img.height, data: img.data };
}

/**
 * Per output coordinate, the source pixels and weights: an area average when shrinking (every source pixel
 * counts, so thin strokes do not vanish), bilinear with half-pixel centres when enlarging.
 */
function axisWeights(srcLen: number, scale: number, outLen: number, offset: number): { index: Int32Array; weight: Float32Array; start: Int32Array } {
  const idx: number[] = [];
  const wts: number[] = [];
  const start = new Int32Array(outLen + 1);
  for (let o = 0; o < outLen; o++) {
    start[o] = idx.length;
    const r = o + offset;
    if (scale < 1) {
      const a = r / scale;
      const b = (r + 1) / scale;
      let total = 0;
      const first = idx.length;
      for (let s = Math.floor(a); s < Math.ceil(b); s++) {
        const w = Math.min(b, s + 1) - Math.max(a, s);
        if (w <= 0) continue;
        idx.push(Math.min(srcLen - 1, Math.max(0, s)));
        wts.push(w);
        total += w;
      }
      for (let k = first; k < idx.length; k++) wts[k] /= total;
    } else {
      const c = Math.min(srcLen - 1, Math.max(0, (r + 0.5) / scale - 0.5));
      const lo = Math.floor(c);
      const hi = Math.min(srcLen - 1, lo + 1);
      const f = c - lo;
      idx.push(lo); wts.push(1 - f);
      if (hi !== lo && f > 0) { idx.push(hi); wts.push(f); }
    }
  }
  start[outLen] = idx.length;
  return { index: Int32Array.from(idx), weight: Float32Array.from(wts), start };
}

/** Resizes so the shorter side is `size`, center-crops to size×size, and converts to `channels` (1 or 3). */
export function resizeCrop(src: { width: number; height: number; data: Uint8Array }, size: number, channels: number, out: Uint8Array, at: number): void {
  const { width: w, height: h, data } = src;
  const scale = size / Math.min(w, h);
  const rw = Math.max(size, Math.round(w * scale));
  const rh = Math.max(size, Math.round(h * scale));
  const wx = axisWeights(w, scale, size, Math.floor((rw - size) / 2));
  const wy = axisWeights(h, scale, size, Math.floor((rh - size) / 2));
  const acc = [0, 0, 0];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      acc[0] = acc[1] = acc[2] = 0;
      for (let i = wy.start[y]; i < wy.start[y + 1]; i++) {
        const row = wy.index[i] * w;
        const fy = wy.weight[i];
        for (let j = wx.start[x]; j < wx.start[x + 1]; j++) {
          const p = (row + wx.index[j]) * 4;
          const f = fy * wx.weight[j];
          acc[0] += data[p] * f; acc[1] += data[p + 1] * f; acc[2] += data[p + 2] * f;
        }
      }
      const o = at + (y * size + x) * channels;
      if (channels === 1) out[o] = Math.round(0.299 * acc[0] + 0.587 * acc[1] + 0.114 * acc[2]);
      else { out[o] = Math.round(acc[0]); out[o + 1] = Math.round(acc[1]); out[o + 2] = Math.round(acc[2]); }
    }
  }
}

/** The model size an image folder is brought to when model.imageSize is absent: the largest supported size that fits. */
export function naturalImageSize(shorterSide: number): number {
  const fits = SUPPORTED_IMAGE_SIZES.filter((s) => s <= shorterSide);
  return fits.length ? fits[fits.length - 1] : SUPPORTED_IMAGE_SIZES[0];
}

export class ImageFolderDataset implements Dataset {
  readonly format = 'images' as const;
  readonly dtype = 'uint8' as const;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly labels = undefined;
  private readonly cache: Uint8Array | undefined;
  private readonly cached: Uint8Array | undefined;
  private readonly failed = new Set<number>();

  constructor(readonly source: string, private readonly entries: ImageEntry[], size: number, channels: number, readonly problems: Problem[]) {
    this.count = entries.length;
    this.height = size;
    this.width = size;
    this.channels = channels;
    const bytes = this.count * size * size * channels;
    if (bytes <= CACHE_MAX_BYTES) {
      this.cache = new Uint8Array(bytes);
      this.cached = new Uint8Array(this.count);
    }
  }

  /** The file behind sample i, for messages and the side panel. */
  fileAt(i: number): string {
    return this.entries[i].file;
  }

  async read(indices: ArrayLike<number>, out: Float32Array): Promise<void> {
    const size = this.height * this.width * this.channels;
    if (out.length < indices.length * size) throw new RangeError(`read: out holds ${out.length} values, ${indices.length} samples need ${indices.length * size}`);
    const scratch = this.cache ? undefined : new Uint8Array(size);
    for (let i = 0; i < indices.length; i++) {
      const n = indices[i];
      if (!(n >= 0 && n < this.count) || !Number.isInteger(n)) throw new RangeError(`read: sample index ${n} is outside 0..${this.count - 1} of ${this.source}`);
      let buf: Uint8Array;
      let at: number;
      if (this.cache && this.cached) {
        buf = this.cache;
        at = n * size;
        if (!this.cached[n]) { this.decodeInto(n, buf, at); this.cached[n] = 1; }
      } else {
        buf = scratch!;
        at = 0;
        this.decodeInto(n, buf, 0);
      }
      for (let j = 0; j < size; j++) out[i * size + j] = buf[at + j];
    }
  }

  private decodeInto(n: number, buf: Uint8Array, at: number): void {
    const entry = this.entries[n];
    try {
      resizeCrop(decodeRgba(entry.file), this.height, this.channels, buf, at);
    } catch (err) {
      // The header was fine but the pixels are not (truncated file): show black and say so once.
      buf.fill(0, at, at + this.height * this.width * this.channels);
      if (!this.failed.has(n)) {
        this.failed.add(n);
        this.problems.push({ code: 'data/unreadable', severity: 'error', file: entry.file, message: `${entry.file} cannot be decoded (${(err as Error).message}); it is fed as a black image. Delete or replace the file.` });
      }
    }
  }

  async close(): Promise<void> {}
}

/**
 * Whether the folder holds colour. Headers only say how a file is stored: a JPEG of a grayscale picture is
 * usually YCbCr, so files that claim colour are decoded (a sample of them) to see whether R, G and B differ.
 */
function hasColour(entries: ImageEntry[], signal?: AbortSignal): boolean {
  const claims = entries.filter((e) => e.color);
  const step = Math.max(1, Math.floor(claims.length / 32));
  for (let i = 0; i < claims.length; i += step) {
    throwIfAborted(signal);
    let img: ReturnType<typeof decodeRgba>;
    try {
      img = decodeRgba(claims[i].file);
    } catch {
      continue;
    }
    const pixels = img.width * img.height;
    let coloured = 0;
    for (let p = 0; p < pixels * 4; p += 4) {
      const d = Math.max(Math.abs(img.data[p] - img.data[p + 1]), Math.abs(img.data[p + 1] - img.data[p + 2]));
      // Compression leaves a few levels of chroma noise on gray pictures; real colour differs by far more.
      if (d > 16) coloured++;
    }
    if (coloured > pixels * 0.005) return true;
  }
  return false;
}

export async function openImageFolder(dir: string, options: OpenOptions = {}): Promise<ImageFolderDataset> {
  const files = listImageFiles(dir);
  const problems: Problem[] = [];
  const entries: ImageEntry[] = [];
  for (let i = 0; i < files.length; i++) {
    if (options.limit !== undefined && entries.length >= options.limit) break;
    if (i % 256 === 0) {
      throwIfAborted(options.signal);
      await new Promise((r) => setImmediate(r));
    }
    try {
      const h = readImageHeader(files[i]);
      if (!(h.width > 0 && h.height > 0)) throw new Error(`it claims a size of ${h.width}×${h.height}`);
      entries.push({ file: files[i], ...h });
    } catch (err) {
      if (err instanceof DatasetError) problems.push(err.problem);
      else problems.push({ code: 'data/unreadable', severity: 'error', file: files[i], message: `${files[i]} is not a readable PNG or JPEG (${(err as Error).message}); it is skipped. Delete or replace the file.` });
    }
  }
  if (entries.length === 0) {
    throw new DatasetError({
      code: 'data/empty', severity: 'error', file: dir,
      message: files.length === 0
        ? `${dir} holds no .png, .jpg or .jpeg images (searched recursively). Point data.path at a folder of images, or a .npy/.npz/IDX file.`
        : `None of the ${files.length} images in ${dir} could be read (first: ${problems[0]?.message}).`,
    });
  }
  const sizes = new Map<string, { n: number; first: ImageEntry }>();
  for (const e of entries) {
    const key = `${e.width}x${e.height}`;
    const s = sizes.get(key);
    if (s) s.n++;
    else sizes.set(key, { n: 1, first: e });
  }
  const common = [...sizes.values()].sort((a, b) => b.n - a.n)[0].first;
  const size = options.imageSize ?? naturalImageSize(Math.min(common.width, common.height));
  const channels = options.channels ?? (hasColour(entries, options.signal) ? 3 : 1);
  if (sizes.size > 1) {
    const other = [...sizes.values()].find((s) => s.first !== common)!.first;
    problems.push({
      code: 'data/mixed-sizes', severity: 'warning', file: other.file,
      message: `Images in ${dir} have ${sizes.size} different sizes, e.g. ${common.file} is ${common.width}×${common.height} and ${other.file} is ${other.width}×${other.height}. All are resized and center-cropped to ${size}×${size}, which may cut off parts of some.`,
    });
  }
  return new ImageFolderDataset(dir, entries, size, channels, problems);
}
