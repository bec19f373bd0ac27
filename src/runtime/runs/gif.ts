/**
 * Training as an animation: a run's fixed-noise grids (samples/step-NNNNNN.png) in step order as one animated GIF,
 * encoded with gifenc (npm, MIT). Grayscale grids (MNIST) map onto a 256-gray palette exactly; colour grids share one
 * palette quantized from a few of the frames, so colours do not flicker from frame to frame.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodePngBuffer } from '../train/grid';
import { GIFEncoder, applyPalette, quantize, type Palette } from 'gifenc';
import type { GridImage } from '../events';
import { listGrids, NotARunError, type RunGrid } from './read';
import { readBounded, realDir, UnsafeFileError } from './safeFs';

export interface GifOptions {
  /** Frames per second (default 4); GIF delays are whole centiseconds, so at most 100. */
  fps?: number;
  /** Extra time on the last frame, in milliseconds, so the final state is seen before the loop restarts (default 1000). */
  holdLastMs?: number;
}

export interface AnimateOptions extends GifOptions {
  /** Use every N-th grid (default 1: all); the last grid is always used. */
  every?: number;
  /** Frames at most (default 2,000); more grids are thinned evenly. */
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

const MAX_PNG_BYTES = 64 * 1024 * 1024;
const MAX_PIXELS = 16 * 1024 * 1024;

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

/** Encodes frames (all of one size) as a looping GIF. */
export function encodeGif(frames: readonly GridImage[], options: GifOptions = {}): Uint8Array {
  if (frames.length === 0) throw new RangeError('No frames to encode.');
  const fps = options.fps ?? 4;
  if (!(fps > 0 && fps <= 100)) throw new RangeError(`fps must be above 0 and at most 100, not ${fps}.`);
  const delay = Math.max(10, Math.round(1000 / fps / 10) * 10);
  const { width, height } = frames[0];
  const gray = frames.every(isGray);
  const palette: Palette = gray ? Array.from({ length: 256 }, (_, v) => [v, v, v]) : quantize(sampleRgba(frames), 256);
  const gif = GIFEncoder();
  frames.forEach((f, i) => {
    if (f.width !== width || f.height !== height) throw new RangeError(`Frame ${i} is ${f.width}×${f.height}; the first is ${width}×${height}.`);
    const index = gray ? grayIndex(f) : applyPalette(rgba(f), palette);
    const last = i === frames.length - 1;
    gif.writeFrame(index, width, height, { palette: i === 0 ? palette : undefined, delay: last ? delay + (options.holdLastMs ?? 1000) : delay, repeat: 0 });
  });
  gif.finish();
  return gif.bytes();
}

/** The run's grids as an animated GIF. Throws NotARunError for a folder without sample grids. */
export async function animateRun(runDir: string, options: AnimateOptions = {}): Promise<Animation> {
  const dir = realDir(runDir);
  if (!dir) throw new NotARunError(runDir, `${runDir} is not a run folder: ${fs.existsSync(runDir) ? 'it is not a folder' : 'no such folder'}.`);
  const grids = listGrids(dir);
  if (grids.length === 0) throw new NotARunError(runDir, `${runDir} has no sample grids (samples/step-NNNNNN.png): it is not a DCGAN Studio run folder, or the run has not reached its first sample step.`);
  const picked = selectFrames(grids, options.every ?? 1, options.maxFrames ?? 2000);
  const images: GridImage[] = [];
  const frames: RunGrid[] = [];
  const skipped: Animation['skipped'] = [];
  for (const g of picked) {
    try {
      const img = decodeGridPng(dir, path.relative(dir, g.file));
      if (images.length && (img.width !== images[0].width || img.height !== images[0].height)) {
        skipped.push({ file: g.file, reason: `${img.width}×${img.height}, unlike the first grid's ${images[0].width}×${images[0].height}` });
        continue;
      }
      images.push(img);
      frames.push(g);
    } catch (err) {
      skipped.push({ file: g.file, reason: (err as Error).message });
    }
  }
  if (images.length === 0) throw new NotARunError(runDir, `None of the ${picked.length} sample grids of ${runDir} could be read: ${skipped[0]?.reason}`);
  return { gif: encodeGif(images, options), frames, width: images[0].width, height: images[0].height, skipped };
}

/** Writes GIF bytes atomically. */
export function writeGif(file: string, gif: Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, gif);
  fs.renameSync(tmp, file);
}

/** A PNG inside `root`, its size checked from the header before it is inflated. Always RGB out. */
export function decodeGridPng(root: string, rel: string): GridImage {
  const buf = readBounded(root, rel, MAX_PNG_BYTES);
  if (!buf) throw new UnsafeFileError(path.join(root, rel), `${path.join(root, rel)} is not a regular file.`);
  const isPng = buf.length >= 24 && buf.readUInt32BE(0) === 0x89504e47 && buf.toString('latin1', 12, 16) === 'IHDR';
  if (!isPng) throw new UnsafeFileError(path.join(root, rel), `${path.join(root, rel)} is not a PNG file.`);
  const w = buf.readUInt32BE(16), h = buf.readUInt32BE(20);
  if (w === 0 || h === 0 || w * h > MAX_PIXELS) throw new UnsafeFileError(path.join(root, rel), `${path.join(root, rel)} says it is ${w}×${h} pixels; grids are at most ${MAX_PIXELS} pixels.`);
  return decodePngBuffer(buf);
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

function rgba(f: GridImage): Uint8Array {
  const n = f.width * f.height;
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    const j = i * f.channels;
    out[i * 4] = f.data[j];
    out[i * 4 + 1] = f.channels === 3 ? f.data[j + 1] : f.data[j];
    out[i * 4 + 2] = f.channels === 3 ? f.data[j + 2] : f.data[j];
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** Up to 8 frames spread over the animation, for one shared palette. */
function sampleRgba(frames: readonly GridImage[]): Uint8Array {
  const pick = Array.from(new Set(Array.from({ length: Math.min(8, frames.length) }, (_, i) => Math.floor((i * (frames.length - 1)) / Math.max(1, Math.min(8, frames.length) - 1)))));
  const parts = pick.map((i) => rgba(frames[i]));
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}
