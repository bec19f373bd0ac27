/**
 * torchvision's `Resize(size)` + `CenterCrop(size)` on a PIL image, reproduced to the bit: the shorter side becomes
 * `size` (the longer side `floor(size × long / short)`, as torchvision 0.14 computes it), Pillow's antialiased
 * bilinear filter resamples it (a triangle whose support widens with the shrink factor, so every source pixel
 * counts and thin strokes do not vanish), then the center is cut out with Python's round-half-to-even offsets.
 *
 * Pillow resamples in two passes, horizontal first, in 22-bit fixed point, and rounds the intermediate rows to
 * uint8; this does the same (libImaging/Resample.c, Pillow 9.4), so a decoder that gives PIL's pixels gives
 * torchvision's tensor exactly. Only the rows and columns that survive the crop are computed: a pixel's
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

/** What the resize matches, recorded in prepared caches and printed by the bench. */
export const RESIZE_METHOD = 'torchvision Resize+CenterCrop (PIL bilinear, antialiased, shorter side first)';

const PRECISION_BITS = 22;
const HALF = 1 << (PRECISION_BITS - 1);
const CLIP_MAX = 1 << (PRECISION_BITS + 8);

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

function clip8(v: number): number {
  return v >= CLIP_MAX ? 255 : v <= 0 ? 0 : v >> PRECISION_BITS;
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
  const rowLast = vy.bounds[(size - 1) * 2] + vy.bounds[(size - 1) * 2 + 1];
  const rows = rowLast - rowFirst;
  const temp = new Uint8Array(rows * size * c);
  const { bounds: hb, kk: hk, ksize: hs } = hx;
  for (let r = 0; r < rows; r++) {
    const rowBase = (r + rowFirst) * w * c;
    const tBase = r * size * c;
    for (let x = 0; x < size; x++) {
      const xmin = hb[x * 2];
      const xn = hb[x * 2 + 1];
      const kBase = x * hs;
      if (c === 3) {
        let s0 = HALF, s1 = HALF, s2 = HALF;
        for (let k = 0, p = rowBase + xmin * 3; k < xn; k++, p += 3) {
          const wk = hk[kBase + k];
          s0 += data[p] * wk; s1 += data[p + 1] * wk; s2 += data[p + 2] * wk;
        }
        const t = tBase + x * 3;
        temp[t] = clip8(s0); temp[t + 1] = clip8(s1); temp[t + 2] = clip8(s2);
      } else {
        let s0 = HALF;
        for (let k = 0, p = rowBase + xmin; k < xn; k++, p++) s0 += data[p] * hk[kBase + k];
        temp[tBase + x] = clip8(s0);
      }
    }
  }
  const { bounds: vb, kk: vk, ksize: vs } = vy;
  const stride = size * c;
  for (let y = 0; y < size; y++) {
    const ymin = vb[y * 2] - rowFirst;
    const yn = vb[y * 2 + 1];
    const kBase = y * vs;
    const o = at + y * stride;
    for (let i = 0; i < stride; i++) {
      let s = HALF;
      for (let k = 0, p = ymin * stride + i; k < yn; k++, p += stride) s += temp[p] * vk[kBase + k];
      out[o + i] = clip8(s);
    }
  }
}
