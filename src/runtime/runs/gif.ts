/**
 * Training as an animation: a run's fixed-noise grids (samples/step-NNNNNN.png) in step order as one animated GIF,
 * encoded with gifenc (npm, MIT). Grayscale grids (MNIST) map onto a 256-gray palette exactly; colour grids share one
 * palette quantized from a few of the frames, so colours do not flicker from frame to frame.
 *
 * Grids come from run folders, which may come from anyone, so the work is bounded: frames are decoded and encoded one
 * at a time (never all held at once), each frame is at most the largest grid the trainer writes (MAX_GRID_PIXELS,
 * 2082×2082), and the animation at most MAX_ANIMATION_PIXELS in all: more grids than fit are thinned evenly.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GIFEncoder, applyPalette, quantize, type Encoder, type Palette } from 'gifenc';
import { decodePngBuffer, MAX_GRID_PIXELS } from '../train/grid';
import { writeFileAtomic } from '../outputFiles';
import { pngHeader } from '../png';
import type { GridImage } from '../events';
import { safeBaseName } from '../text';
import { listGrids, type RunGrid } from './list';
import { NotARunError } from './read';
import { openRegularFile, readBounded, readInto, realDir, UnsafeFileError } from '../safeFs';

export interface GifOptions {
  /** Frames per second (default 4); GIF delays are whole centiseconds, so at most 100. */
  fps?: number;
  /** Extra time on the last frame, in milliseconds, so the final state is seen before the loop restarts (default 1000). */
  holdLastMs?: number;
}

export interface AnimateOptions extends GifOptions {
  /** Use every N-th grid (default 1: all); the last grid is always used. */
  every?: number;
  /** Frames at most (default 2,000); more grids are thinned evenly. The pixel budget may thin them further. */
  maxFrames?: number;
}

export interface Animation {
  gif: Uint8Array;
  /** The grids that became frames, in order. */
  frames: RunGrid[];
  width: number;
  height: number;
  /** Grids left out because they could not be read or had another size than the first. */
  skipped: { file: string; reason: string }[];
}

/** Pixels of all frames together: 64 Mi, e.g. 1,100 frames of the default 28×28 grid, or 15 of the largest. */
export const MAX_ANIMATION_PIXELS = 64 * 2 ** 20;
/** Pixels the colour palette is quantized from (spread over up to 8 frames). */
const PALETTE_SAMPLE_PIXELS = 2 ** 20;
const MAX_PNG_BYTES = 64 * 1024 * 1024;

/** The grids an animation uses: every N-th, plus the last, thinned evenly to at most maxFrames. */
export function selectFrames(grids: readonly RunGrid[], every = 1, maxFrames = 2000): RunGrid[] {
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`every must be a whole number ≥ 1, not ${every}.`);
  let picked = grids.filter((_, i) => i % every === 0);
  const last = grids[grids.length - 1];
  if (last && picked[picked.length - 1] !== last) picked.push(last);
  if (picked.length > maxFrames) {
    const stride = picked.length / maxFrames;
    const thinned = Array.from({ length: maxFrames - 1 }, (_, i) => picked[Math.floor(i * stride)]);
    picked = [...thinned, picked[picked.length - 1]];
  }
  return picked;
}

/** `<run id>-timeline.gif`, the run id reduced to a safe base name (it comes from run.json). */
export function gifFileName(runId: string): string {
  return `${safeBaseName(runId)}-timeline.gif`;
}

/**
 * A looping GIF written one frame at a time: each frame is turned into palette indices and encoded as it arrives;
 * the encoded bytes are moved out of the encoder after each frame. The newest frame waits until the next one (or
 * finish), so that the last frame gets the longer hold.
 */
class GifWriter {
  private readonly encoder: Encoder = GIFEncoder();
  private readonly chunks: Uint8Array[] = [];
  private pending: Uint8Array | undefined;
  private written = 0;
  private readonly delay: number;

  constructor(readonly width: number, readonly height: number, private readonly palette: Palette | 'gray', private readonly options: GifOptions) {
    const fps = options.fps ?? 4;
    if (!(fps > 0 && fps <= 100)) throw new RangeError(`fps must be above 0 and at most 100, not ${fps}.`);
    this.delay = Math.max(10, Math.round(1000 / fps / 10) * 10);
  }

  add(f: GridImage, i: number): void {
    if (f.width !== this.width || f.height !== this.height) throw new RangeError(`Frame ${i} is ${f.width}×${f.height}; the first is ${this.width}×${this.height}.`);
    if (this.pending) this.flush(this.delay);
    this.pending = this.palette === 'gray' ? grayIndex(f) : applyPalette(rgba(f), this.palette);
  }

  finish(): Uint8Array {
    if (!this.pending) throw new RangeError('No frames to encode.');
    this.flush(this.delay + (this.options.holdLastMs ?? 1000));
    this.encoder.finish();
    this.chunks.push(this.encoder.stream.bytes());
    // One array that owns its buffer (Buffer.concat may hand out a slice of a shared pool).
    const out = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of this.chunks.splice(0)) (out.set(c, at), (at += c.length));
    return out;
  }

  private flush(delay: number): void {
    const palette = this.palette === 'gray' ? GRAY_PALETTE : this.palette;
    this.encoder.writeFrame(this.pending!, this.width, this.height, { palette: this.written === 0 ? palette : undefined, delay, repeat: 0 });
    this.written++;
    this.pending = undefined;
    // Moved out per frame: the encoder's buffer grows by 12.5% steps, which would otherwise hold two copies.
    this.chunks.push(this.encoder.stream.bytes());
    this.encoder.stream.reset();
  }
}

const GRAY_PALETTE: Palette = Array.from({ length: 256 }, (_, v) => [v, v, v]);

/** Encodes frames (all of one size, already in memory) as a looping GIF. */
export function encodeGif(frames: readonly GridImage[], options: GifOptions = {}): Uint8Array {
  if (frames.length === 0) throw new RangeError('No frames to encode.');
  const palette = frames.every(isGray) ? 'gray' : paletteOf(spread(frames, 8), frames[0]);
  const gif = new GifWriter(frames[0].width, frames[0].height, palette, options);
  frames.forEach((f, i) => gif.add(f, i));
  return gif.finish();
}

/** The header of a grid PNG (its first bytes only), or a reason it cannot be a frame. */
function gridHeader(file: string): { width: number; height: number; gray: boolean } | string {
  try {
    const { fd } = openRegularFile(file);
    try {
      const head = new Uint8Array(33);
      const h = pngHeader(head.subarray(0, readInto(fd, head, 0)));
      if (!h) return 'not a PNG file';
      if (h.width === 0 || h.height === 0 || h.width * h.height > MAX_GRID_PIXELS) return `${h.width}×${h.height} pixels, more than the largest grid DCGAN Studio writes (2082×2082)`;
      return { width: h.width, height: h.height, gray: h.colorType === 0 || h.colorType === 4 };
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    return (err as Error).message;
  }
}

/** The run's grids as an animated GIF. Throws NotARunError for a folder without usable sample grids. */
export async function animateRun(runDir: string, options: AnimateOptions = {}): Promise<Animation> {
  const dir = realDir(runDir);
  if (!dir) throw new NotARunError(runDir, `${runDir} is not a run folder: ${fs.existsSync(runDir) ? 'it is not a folder' : 'no such folder'}.`);
  const grids = listGrids(dir);
  if (grids.length === 0) throw new NotARunError(runDir, `${runDir} has no sample grids (samples/step-NNNNNN.png): it is not a DCGAN Studio run folder, or the run has not reached its first sample step.`);
  let picked = selectFrames(grids, options.every ?? 1, options.maxFrames ?? 2000);

  // Headers first: the frame size (the first usable grid's), whether every frame is gray, what cannot be a frame.
  const skipped: Animation['skipped'] = [];
  let size: { width: number; height: number } | undefined;
  let gray = true;
  const usable: RunGrid[] = [];
  for (const g of picked) {
    const h = gridHeader(g.file);
    if (typeof h === 'string') { skipped.push({ file: g.file, reason: h }); continue; }
    size ??= h;
    if (h.width !== size.width || h.height !== size.height) { skipped.push({ file: g.file, reason: `${h.width}×${h.height}, unlike the first grid's ${size.width}×${size.height}` }); continue; }
    gray &&= h.gray;
    usable.push(g);
  }
  if (!size) throw new NotARunError(runDir, `None of the ${picked.length} sample grids of ${runDir} could be read: ${skipped[0]?.file}: ${skipped[0]?.reason}`);
  // The pixel budget: thinned evenly (the last grid kept), as selectFrames thins by count.
  picked = selectFrames(usable, 1, Math.max(1, Math.floor(MAX_ANIMATION_PIXELS / (size.width * size.height))));

  const decode = (g: RunGrid) => decodeGridPng(dir, path.relative(dir, g.file));
  // Colour: one palette from up to 8 frames spread over the run, decoded one at a time.
  const palette = gray ? 'gray' : paletteOf((function* () {
    for (const g of spread(picked, 8)) {
      try { yield decode(g); } catch { /* skipped below, when it is encoded */ }
    }
  })(), size, Math.min(8, picked.length));
  const gif = new GifWriter(size.width, size.height, palette, options);
  const frames: RunGrid[] = [];
  for (const g of picked) {
    try {
      gif.add(decode(g), frames.length);
      frames.push(g);
    } catch (err) {
      skipped.push({ file: g.file, reason: (err as Error).message });
    }
  }
  if (frames.length === 0) throw new NotARunError(runDir, `None of the ${picked.length} sample grids of ${runDir} could be read: ${skipped[0]?.reason}`);
  return { gif: gif.finish(), frames, width: size.width, height: size.height, skipped };
}

/**
 * Writes GIF bytes through the atomic writer. `root` is the folder whose owner chose the place (the file's own
 * folder when the user named the file); every folder below it is checked for links.
 */
export function writeGif(root: string, file: string, gif: Uint8Array): void {
  writeFileAtomic(root, file, gif);
}

/** A PNG inside `root`, its size and inflation checked before it is decoded (decodePngBuffer). Always RGB out. */
export function decodeGridPng(root: string, rel: string): GridImage {
  const file = path.join(root, rel);
  const buf = readBounded(root, rel, MAX_PNG_BYTES);
  if (!buf) throw new UnsafeFileError(file, `${file} is not a regular file.`);
  return decodePngBuffer(buf, file);
}

function isGray(f: GridImage): boolean {
  if (f.channels === 1) return true;
  const d = f.data;
  for (let i = 0; i < d.length; i += 3) if (d[i] !== d[i + 1] || d[i] !== d[i + 2]) return false;
  return true;
}

function grayIndex(f: GridImage): Uint8Array {
  if (f.channels === 1) return f.data;
  const out = new Uint8Array(f.width * f.height);
  for (let i = 0; i < out.length; i++) out[i] = f.data[i * 3];
  return out;
}

/** RGBA of every `step`-th pixel (all of them by default), as gifenc takes it. */
function rgba(f: GridImage, step = 1): Uint8Array {
  const n = Math.ceil((f.width * f.height) / step);
  const out = new Uint8Array(n * 4);
  for (let k = 0; k < n; k++) {
    const j = k * step * f.channels;
    out[k * 4] = f.data[j];
    out[k * 4 + 1] = f.channels === 3 ? f.data[j + 1] : f.data[j];
    out[k * 4 + 2] = f.channels === 3 ? f.data[j + 2] : f.data[j];
    out[k * 4 + 3] = 255;
  }
  return out;
}

/** Up to `n` items spread evenly over `items`, first and last included. */
function spread<T>(items: readonly T[], n: number): T[] {
  const k = Math.min(n, items.length);
  return [...new Set(Array.from({ length: k }, (_, i) => Math.floor((i * (items.length - 1)) / Math.max(1, k - 1))))].map((i) => items[i]);
}

/**
 * One 256-colour palette from `frames` (`count` of them, each `size`): every step-th pixel, so that at most
 * PALETTE_SAMPLE_PIXELS are quantized whatever the frames' size.
 */
function paletteOf(frames: Iterable<GridImage>, size: { width: number; height: number }, count = 8): Palette {
  const step = Math.max(1, Math.ceil((count * size.width * size.height) / PALETTE_SAMPLE_PIXELS));
  const parts: Uint8Array[] = [];
  for (const f of frames) parts.push(rgba(f, step));
  if (parts.length === 0) return GRAY_PALETTE;
  // rgb444 bins (4,096 at most): gifenc's quantizer is quadratic in distinct bins, and with its default rgb565
  // (65,536) a frame of noise took 96 s; grids keep their colours to within a few levels either way.
  return quantize(Buffer.concat(parts), 256, { format: 'rgb444' });
}
