/**
 * A Fréchet distance for images that the bundled MNIST classifier cannot judge (any shape but 28×28×1), with
 * no network at all, fitted to the real images themselves:
 *
 *   features(x) = [ the top principal components of x average-pooled to at most 16×16 per channel,
 *                   the RMS of each finer band of a Laplacian pyramid, per channel (16×16 → full size) ]
 *
 * each feature divided by its spread over the real images, then the FID formula (frechet.ts) between the Gaussians
 * of the real and the generated features.
 *
 * Why this and not Inception's FID: no network that knows the user's kind of images ships with DCGAN Studio (an
 * ImageNet Inception is 90 MB, and its features mean little for spectrograms, sprites or cells); the principal
 * directions of the data's own pixels are where its images differ from one another (layout, shape, colour), and the
 * band energies see what pooling hides: blur lowers them, noise and checkerboard artifacts raise them. Scaling every
 * feature by its real spread makes a change count by how unusual it is for this data, so no single feature's units
 * dominate. test/unit/eval-pixel-frechet.test.ts shows the distance growing as real images are blurred, noised,
 * washed out or collapsed onto a few.
 */
import { frechetDistance, gaussianStats } from './frechet';

/** Pooled resolution the principal components are computed at: enough for layout, cheap enough for a 768-wide covariance. */
export const POOLED_SIZE = 16;
export const COMPONENTS = 32;
const POWER_ITERATIONS = 40;

export interface ImageBatch {
  /** [count, size, size, channels], row-major, values in [0, 1]. */
  pixels: Float32Array;
  count: number;
  size: number;
  channels: number;
}

/** The feature space fitted to the real images: pooled mean, principal directions, and every feature's real spread. */
export interface PixelFeatureSpace {
  size: number;
  channels: number;
  pooledMean: Float64Array;
  /** COMPONENTS × pooledDim, row-major, orthonormal rows. */
  components: Float64Array;
  componentCount: number;
  featureMean: Float64Array;
  featureScale: Float64Array;
  dim: number;
}

/** Average-pools one image to `to`×`to` per channel (to divides size). */
function pool(img: Float32Array, offset: number, size: number, channels: number, to: number, out: Float64Array, outOffset = 0): void {
  const f = size / to;
  for (let y = 0; y < to; y++) for (let x = 0; x < to; x++) for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let dy = 0; dy < f; dy++) for (let dx = 0; dx < f; dx++) sum += img[offset + (((y * f + dy) * size + (x * f + dx)) * channels + c)];
    out[outOffset + (y * to + x) * channels + c] = sum / (f * f);
  }
}

/** RMS per channel of (image − its 2×2-pooled copy upsampled), at each level from `size` down to 16 (or 8 for 16×16 images). */
function bandEnergies(img: Float32Array, offset: number, size: number, channels: number): number[] {
  const out: number[] = [];
  let level = Float64Array.from(img.subarray(offset, offset + size * size * channels));
  let s = size;
  const floor = Math.min(POOLED_SIZE, size / 2);
  while (s > floor) {
    const half = s / 2;
    const coarse = new Float64Array(half * half * channels);
    for (let y = 0; y < half; y++) for (let x = 0; x < half; x++) for (let c = 0; c < channels; c++) {
      const at = (yy: number, xx: number) => level[(yy * s + xx) * channels + c];
      coarse[(y * half + x) * channels + c] = (at(2 * y, 2 * x) + at(2 * y + 1, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x + 1)) / 4;
    }
    for (let c = 0; c < channels; c++) {
      let e = 0;
      for (let y = 0; y < s; y++) for (let x = 0; x < s; x++) {
        const d = level[(y * s + x) * channels + c] - coarse[((y >> 1) * half + (x >> 1)) * channels + c];
        e += d * d;
      }
      out.push(Math.sqrt(e / (s * s)));
    }
    level = coarse;
    s = half;
  }
  return out;
}

function pooledSize(size: number): number {
  return Math.min(POOLED_SIZE, size);
}

function pooledAll(b: ImageBatch): { data: Float64Array; dim: number } {
  const to = pooledSize(b.size);
  const dim = to * to * b.channels;
  const per = b.size * b.size * b.channels;
  const data = new Float64Array(b.count * dim);
  for (let i = 0; i < b.count; i++) pool(b.pixels, i * per, b.size, b.channels, to, data, i * dim);
  return { data, dim };
}

/** Top `k` eigenvectors of the covariance of `rows` (n × d, centred), by orthogonal (subspace) iteration. */
function topComponents(centred: Float64Array, n: number, d: number, k: number): Float64Array {
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let a = 0; a < d; a++) {
      const va = centred[row + a];
      if (va === 0) continue;
      for (let b = a; b < d; b++) cov[a * d + b] += va * centred[row + b];
    }
  }
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) cov[b * d + a] = cov[a * d + b];
  // A fixed start (deterministic scores), orthonormalised each round.
  let v = new Float64Array(k * d);
  for (let j = 0; j < k; j++) for (let a = 0; a < d; a++) v[j * d + a] = Math.sin(1 + j * 12.9898 + a * 78.233);
  for (let it = 0; it < POWER_ITERATIONS; it++) {
    const w = new Float64Array(k * d);
    for (let j = 0; j < k; j++) for (let a = 0; a < d; a++) {
      let s = 0;
      for (let b = 0; b < d; b++) s += cov[a * d + b] * v[j * d + b];
      w[j * d + a] = s;
    }
    orthonormalise(w, k, d);
    v = w;
  }
  return v;
}

function orthonormalise(v: Float64Array, k: number, d: number): void {
  for (let j = 0; j < k; j++) {
    for (let p = 0; p < j; p++) {
      let dot = 0;
      for (let a = 0; a < d; a++) dot += v[j * d + a] * v[p * d + a];
      for (let a = 0; a < d; a++) v[j * d + a] -= dot * v[p * d + a];
    }
    let norm = 0;
    for (let a = 0; a < d; a++) norm += v[j * d + a] ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let a = 0; a < d; a++) v[j * d + a] /= norm;
  }
}

function rawFeatures(b: ImageBatch, space: Pick<PixelFeatureSpace, 'pooledMean' | 'components' | 'componentCount'>): { data: Float64Array; dim: number } {
  const { data: pooled, dim: pd } = pooledAll(b);
  const k = space.componentCount;
  const per = b.size * b.size * b.channels;
  const bands = bandEnergies(b.pixels, 0, b.size, b.channels).length;
  const dim = k + bands;
  const out = new Float64Array(b.count * dim);
  for (let i = 0; i < b.count; i++) {
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let a = 0; a < pd; a++) s += (pooled[i * pd + a] - space.pooledMean[a]) * space.components[j * pd + a];
      out[i * dim + j] = s;
    }
    const e = bandEnergies(b.pixels, i * per, b.size, b.channels);
    for (let j = 0; j < bands; j++) out[i * dim + k + j] = e[j];
  }
  return { data: out, dim };
}

/** Fits the feature space to real images (at least 3). */
export function fitPixelFeatures(real: ImageBatch): PixelFeatureSpace {
  if (real.count < 3) throw new Error(`the pixel Fréchet distance needs at least 3 real images, got ${real.count}.`);
  const { data, dim: pd } = pooledAll(real);
  const pooledMean = new Float64Array(pd);
  for (let i = 0; i < real.count; i++) for (let a = 0; a < pd; a++) pooledMean[a] += data[i * pd + a] / real.count;
  for (let i = 0; i < real.count; i++) for (let a = 0; a < pd; a++) data[i * pd + a] -= pooledMean[a];
  const componentCount = Math.min(COMPONENTS, pd, real.count - 1);
  const components = topComponents(data, real.count, pd, componentCount);
  const partial = { pooledMean, components, componentCount };
  const { data: feats, dim } = rawFeatures(real, partial);
  const featureMean = new Float64Array(dim);
  const featureScale = new Float64Array(dim);
  for (let i = 0; i < real.count; i++) for (let j = 0; j < dim; j++) featureMean[j] += feats[i * dim + j] / real.count;
  for (let i = 0; i < real.count; i++) for (let j = 0; j < dim; j++) featureScale[j] += (feats[i * dim + j] - featureMean[j]) ** 2 / (real.count - 1);
  // A feature that never varies among the real images (a blank border) would divide by zero: give it a floor.
  for (let j = 0; j < dim; j++) featureScale[j] = Math.max(Math.sqrt(featureScale[j]), 1e-3);
  return { size: real.size, channels: real.channels, pooledMean, components, componentCount, featureMean, featureScale, dim };
}

/** Features in the fitted space, each in units of its real spread: count × dim. */
export function pixelFeatures(space: PixelFeatureSpace, b: ImageBatch): Float64Array {
  if (b.size !== space.size || b.channels !== space.channels) throw new Error(`images are ${b.size}×${b.size}×${b.channels}, the real ones ${space.size}×${space.size}×${space.channels}.`);
  const { data, dim } = rawFeatures(b, space);
  for (let i = 0; i < b.count; i++) for (let j = 0; j < dim; j++) data[i * dim + j] = (data[i * dim + j] - space.featureMean[j]) / space.featureScale[j];
  return data;
}

/** The distance between generated and real images (both in [0, 1]); 0 for identical distributions. */
export function pixelFrechetDistance(real: ImageBatch, generated: ImageBatch, space: PixelFeatureSpace = fitPixelFeatures(real)): number {
  const r = gaussianStats(pixelFeatures(space, real), real.count, space.dim);
  const g = gaussianStats(pixelFeatures(space, generated), generated.count, space.dim);
  return frechetDistance(g, r);
}
