/**
 * Streaming statistics over a whole dataset, one chunk of samples at a time, so memory stays bounded and
 * the caller can show progress or cancel. Values are the raw stored values, before any scaling.
 */
import { isIntegerDType, throwIfAborted, type Dataset, type DType } from './types';

export interface DatasetStats {
  count: number;
  /** [count, height, width, channels] as served (NHWC). */
  shape: [number, number, number, number];
  dtype: DType;
  /** Over finite values only; NaN when there are none. */
  min: number;
  max: number;
  mean: number;
  std: number;
  nanCount: number;
  infCount: number;
  /** Images whose pixels all hold one value (blank frames, failed exports). */
  constantImages: { count: number; first: number[] };
  /** Every finite value is a whole number. */
  integerValued: boolean;
  /** Whole numbers within [0, 255]: 8-bit intensities, whatever the storage dtype. */
  looks8Bit: boolean;
  /** Present when the figures come from a sample (sampler.ts) rather than every image: `count` of `of` images. */
  sampled?: { count: number; of: number };
  elapsedMs: number;
}

export interface StatsOptions {
  signal?: AbortSignal;
  /** Called after each chunk with the fraction of samples done, 0..1. */
  onProgress?: (fraction: number) => void;
  /** Only these samples (sorted; sampler.ts picks them), instead of all. */
  indices?: Uint32Array;
}

/** Values per chunk: large enough that the per-chunk overhead vanishes, small enough to stay a few MB. */
const CHUNK_VALUES = 1 << 20;
const FIRST_CONSTANT = 10;

interface ChunkScan {
  min: number;
  max: number;
  nanCount: number;
  infCount: number;
  /** Sums of (v - shift) and its square over the chunk's finite values, shift being the first of them. */
  shift: number;
  sum: number;
  sq: number;
  n: number;
  nonInteger: boolean;
  /** Sample indices within the chunk whose finite values are all equal. */
  constant: number[];
}

/**
 * One pass over a chunk. A plain synchronous function on purpose: in the async caller, locals that live across
 * an `await` sit in a heap context, and each float written there is boxed, which made this loop about 4× slower
 * (1 GB float32 lint, bench/lint-large.ts). Sums are taken around a shift (the chunk's first finite value) so
 * that sum of squares minus squared sum stays accurate in float64 for any realistic pixel range.
 */
function scanChunk(buf: Float32Array, take: number, size: number, checkInteger: boolean): ChunkScan {
  let min = Infinity;
  let max = -Infinity;
  let nanCount = 0;
  let infCount = 0;
  let shift = NaN;
  let sum = 0;
  let sq = 0;
  let n = 0;
  let nonInteger = false;
  const constant: number[] = [];
  for (let s = 0; s < take; s++) {
    const base = s * size;
    const end = base + size;
    let sMin = Infinity;
    let sMax = -Infinity;
    let sN = 0;
    let j = base;
    // The shift: the sample's first finite value when the chunk has none yet.
    if (shift !== shift) {
      for (; j < end; j++) {
        const v = buf[j];
        if (v - v === 0) { shift = v; break; }
        if (v !== v) nanCount++;
        else infCount++;
      }
    }
    let allInteger = true;
    for (; j < end; j++) {
      const v = buf[j];
      // v - v is 0 for every finite number and NaN for NaN and ±Infinity: one test on the common path.
      if (v - v !== 0) {
        if (v !== v) nanCount++;
        else infCount++;
        continue;
      }
      if (v < sMin) sMin = v;
      if (v > sMax) sMax = v;
      if (checkInteger && allInteger && v !== Math.floor(v)) allInteger = false;
      const d = v - shift;
      sum += d;
      sq += d * d;
      sN++;
    }
    if (checkInteger && !allInteger) { nonInteger = true; checkInteger = false; }
    if (sN > 0 && sMin === sMax && size > 1) constant.push(s);
    if (sMin < min) min = sMin;
    if (sMax > max) max = sMax;
    n += sN;
  }
  return { min, max, nanCount, infCount, shift, sum, sq, n, nonInteger, constant };
}

export async function computeStats(ds: Dataset, options: StatsOptions = {}): Promise<DatasetStats> {
  const started = performance.now();
  const size = ds.height * ds.width * ds.channels;
  const sample = options.indices;
  const total = sample ? sample.length : ds.count;
  const chunk = Math.max(1, Math.floor(CHUNK_VALUES / Math.max(1, size)));
  // Two buffers: the next chunk is read (asynchronously, for file-backed data) while this one is scanned.
  const bufs = [new Float32Array(chunk * size), new Float32Array(chunk * size)];
  const idx = [new Int32Array(chunk), new Int32Array(chunk)];
  const readChunk = (start: number, k: number): Promise<void> | undefined => {
    if (start >= total) return undefined;
    const take = Math.min(chunk, total - start);
    for (let i = 0; i < take; i++) idx[k][i] = sample ? sample[start + i] : start + i;
    return ds.read(take === chunk ? idx[k] : idx[k].subarray(0, take), bufs[k]);
  };
  let min = Infinity;
  let max = -Infinity;
  // Chan et al.'s parallel combination of per-chunk mean and M2 keeps std accurate over millions of values.
  let n = 0;
  let mean = 0;
  let m2 = 0;
  let nanCount = 0;
  let infCount = 0;
  let integerValued = true;
  const constant: number[] = [];
  let constantCount = 0;
  const knownInteger = isIntegerDType(ds.dtype);

  let pending = readChunk(0, 0);
  for (let start = 0, k = 0; start < total; start += chunk, k ^= 1) {
    throwIfAborted(options.signal);
    const take = Math.min(chunk, total - start);
    await pending;
    pending = readChunk(start + chunk, k ^ 1);
    // A read that fails while this chunk is scanned surfaces at the next await, not as an unhandled rejection.
    pending?.catch(() => undefined);
    const buf = bufs[k];
    const c = scanChunk(buf, take, size, !knownInteger && integerValued);
    nanCount += c.nanCount;
    infCount += c.infCount;
    if (c.nonInteger) integerValued = false;
    for (const s of c.constant) {
      constantCount++;
      if (constant.length < FIRST_CONSTANT) constant.push(sample ? sample[start + s] : start + s);
    }
    if (c.min < min) min = c.min;
    if (c.max > max) max = c.max;
    const { shift, sum: cSum, sq: cSq, n: cN } = c;
    if (cN > 0) {
      const cMean = shift + cSum / cN;
      const cM2 = Math.max(0, cSq - (cSum * cSum) / cN);
      const total = n + cN;
      const delta = cMean - mean;
      mean += (delta * cN) / total;
      m2 += cM2 + (delta * delta * n * cN) / total;
      n = total;
    }
    options.onProgress?.(Math.min(1, (start + take) / total));
    // Let timers, cancellation and other work run between chunks.
    await new Promise((r) => setImmediate(r));
  }
  const finite = n > 0;
  return {
    count: ds.count,
    shape: [ds.count, ds.height, ds.width, ds.channels],
    dtype: ds.dtype,
    min: finite ? min : NaN,
    max: finite ? max : NaN,
    mean: finite ? mean : NaN,
    std: finite ? Math.sqrt(m2 / n) : NaN,
    nanCount,
    infCount,
    constantImages: { count: constantCount, first: constant },
    integerValued: finite && integerValued,
    looks8Bit: finite && integerValued && min >= 0 && max <= 255,
    ...(sample ? { sampled: { count: sample.length, of: ds.count } } : {}),
    elapsedMs: performance.now() - started,
  };
}
