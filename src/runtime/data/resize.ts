/**
 * torchvision's `Resize(size)` + `CenterCrop(size)` on a PIL image, reproduced to the bit: the shorter side becomes
 * `size` (the longer side `floor(size × long / short)`, as torchvision 0.14 computes it), Pillow's antialiased
 * bilinear filter resamples it (a triangle whose support widens with the shrink factor, so every source pixel
 * counts and thin strokes do not vanish), then the center is cut out with Python's round-half-to-even offsets.
 *
 * Pillow resamples in two passes, horizontal first, in 22-bit fixed point, and rounds the intermediate rows to
 * uint8; this does the same (libImaging/Resample.c, Pillow 9.4: the coefficients here, the passes in
 * wasm/resample.c), so a decoder that gives PIL's pixels gives torchvision's tensor exactly. Only the rows and columns that survive the crop are computed: a pixel's
 * coefficients depend on its own position alone, so cropping first changes nothing.
 *
 * Colour follows PIL's `convert`: alpha is dropped (not composited), and one channel is PIL's "L"
 * (299/587/114 in 16-bit fixed point), taken before resizing, as `Grayscale()` before `Resize` would.
 */

/** Decoded pixels, interleaved: 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA) bytes a pixel. */
export interface Pixels {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  data: Uint8Array;
}

import { RESAMPLE_WASM_BASE64 } from './wasm/resampleWasm';

/** What the resize matches, recorded in prepared caches and printed by the bench. */
export const RESIZE_METHOD = 'torchvision Resize+CenterCrop (PIL bilinear, antialiased, shorter side first)';

const PRECISION_BITS = 22;

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc for the outputs [first, first + count) of one axis. */
function coefficients(inSize: number, outSize: number, first: number, count: number): { bounds: Int32Array; kk: Int32Array; ksize: number } {
  const scale = inSize / outSize;
  const filterScale = Math.max(1, scale);
  const support = filterScale; // the bilinear (triangle) filter's support is 1
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(count * 2);
  const kk = new Int32Array(count * ksize);
  const w = new Float64Array(ksize);
  for (let i = 0; i < count; i++) {
    const center = (first + i + 0.5) * scale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      const d = Math.abs((x + xmin - center + 0.5) / filterScale);
      w[x] = d < 1 ? 1 - d : 0;
      total += w[x];
    }
    for (let x = 0; x < xmax; x++) {
      const k = total !== 0 ? w[x] / total : w[x];
      kk[i * ksize + x] = Math.trunc(k < 0 ? -0.5 + k * (1 << PRECISION_BITS) : 0.5 + k * (1 << PRECISION_BITS));
    }
    bounds[i * 2] = xmin;
    bounds[i * 2 + 1] = xmax;
  }
  return { bounds, kk, ksize };
}

/** The resized size and crop offsets torchvision computes for an image of w × h. */
export function resizeGeometry(w: number, h: number, size: number): { rw: number; rh: number; left: number; top: number } {
  const short = Math.min(w, h);
  const long = Math.max(w, h);
  const newLong = Math.floor((size * long) / short);
  const [rw, rh] = w <= h ? [size, newLong] : [newLong, size];
  return { rw, rh, left: roundHalfEven((rw - size) / 2), top: roundHalfEven((rh - size) / 2) };
}

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d !== 0.5) return Math.round(x);
  return f % 2 === 0 ? f : f + 1;
}

/** Source pixels as the working channels (1: PIL's L, 3: RGB), alpha dropped. A view when nothing changes. */
function toWorking(src: Pixels, channels: 1 | 3): Uint8Array {
  const { data, channels: c } = src;
  if (c === channels) return data;
  const n = src.width * src.height;
  const out = new Uint8Array(n * channels);
  if (channels === 3) {
    for (let p = 0, i = 0, o = 0; p < n; p++, i += c, o += 3) {
      if (c <= 2) { const v = data[i]; out[o] = v; out[o + 1] = v; out[o + 2] = v; }
      else { out[o] = data[i]; out[o + 1] = data[i + 1]; out[o + 2] = data[i + 2]; }
    }
  } else {
    // PIL's L24: (r·19595 + g·38470 + b·7471 + 0x8000) >> 16.
    for (let p = 0, i = 0; p < n; p++, i += c) {
      out[p] = c <= 2 ? data[i] : (data[i] * 19595 + data[i + 1] * 38470 + data[i + 2] * 7471 + 0x8000) >>> 16;
    }
  }
  return out;
}

interface Resampler {
  memory: WebAssembly.Memory;
  heapBase: number;
  horizontal: (src: number, width: number, channels: number, rowFirst: number, rows: number, size: number, bounds: number, kk: number, ksize: number, out: number) => void;
  vertical: (src: number, stride: number, rowFirst: number, size: number, bounds: number, kk: number, ksize: number, out: number) => void;
}

let resampler: Resampler | undefined;

/** The two resampling passes (wasm/resample.c, 128-bit SIMD: about a third of the same loops in JavaScript), one instance per thread. */
function wasmResampler(): Resampler {
  if (resampler) return resampler;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(RESAMPLE_WASM_BASE64, 'base64')), {});
  const e = instance.exports as unknown as Omit<Resampler, 'heapBase'> & { __heap_base: WebAssembly.Global };
  resampler = { memory: e.memory, heapBase: e.__heap_base.value as number, horizontal: e.horizontal, vertical: e.vertical };
  return resampler;
}

const align16 = (n: number) => (n + 15) & ~15;

/**
 * Resizes so the shorter side is `size`, center-crops to size × size and writes `channels` (1 or 3) bytes a pixel
 * into `out` at `at`, exactly as torchvision's Resize + CenterCrop on PIL would (see the file's comment).
 */
export function resizeCrop(src: Pixels, size: number, channels: 1 | 3, out: Uint8Array, at: number): void {
  const { width: w, height: h } = src;
  const data = toWorking(src, channels);
  const c = channels;
  const g = resizeGeometry(w, h, size);
  const hx = coefficients(w, g.rw, g.left, size);
  const vy = coefficients(h, g.rh, g.top, size);
  // The source rows the vertical pass reads: only these are resampled horizontally.
  const rowFirst = vy.bounds[0];
  const rows = vy.bounds[(size - 1) * 2] + vy.bounds[(size - 1) * 2 + 1] - rowFirst;
  const r = wasmResampler();
  // Layout in the module's memory: source (+16 bytes: an RGB pixel is loaded as 4), intermediate rows, output, coefficients.
  const srcAt = align16(r.heapBase);
  const tempAt = align16(srcAt + data.length + 16);
  const outAt = align16(tempAt + rows * size * c);
  const hbAt = align16(outAt + size * size * c);
  const hkAt = hbAt + hx.bounds.byteLength;
  const vbAt = align16(hkAt + hx.kk.byteLength);
  const vkAt = vbAt + vy.bounds.byteLength;
  const end = vkAt + vy.kk.byteLength;
  if (end > r.memory.buffer.byteLength) r.memory.grow(Math.ceil((end - r.memory.buffer.byteLength) / 65536));
  const mem = new Uint8Array(r.memory.buffer);
  mem.set(data, srcAt);
  mem.set(new Uint8Array(hx.bounds.buffer), hbAt);
  mem.set(new Uint8Array(hx.kk.buffer), hkAt);
  mem.set(new Uint8Array(vy.bounds.buffer), vbAt);
  mem.set(new Uint8Array(vy.kk.buffer), vkAt);
  r.horizontal(srcAt, w, c, rowFirst, rows, size, hbAt, hkAt, hx.ksize, tempAt);
  r.vertical(tempAt, size * c, rowFirst, size, vbAt, vkAt, vy.ksize, outAt);
  out.set(mem.subarray(outAt, outAt + size * size * c), at);
}
