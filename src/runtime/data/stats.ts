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
  elapsedMs: number;
}

export interface StatsOptions {
  signal?: AbortSignal;
  /** Called after each chunk with the fraction of samples done, 0..1. */
  onProgress?: (fraction: number) => void;
}

/** Values per chunk: large enough that the per-chunk overhead vanishes, small enough to stay a few MB. */
const CHUNK_VALUES = 1 << 20;
const FIRST_CONSTANT = 10;

export async function computeStats(ds: Dataset, options: StatsOptions = {}): Promise<DatasetStats> {
  const started = performance.now();
  const size = ds.height * ds.width * ds.channels;
  const chunk = Math.max(1, Math.floor(CHUNK_VALUES / Math.max(1, size)));
  const buf = new Float32Array(chunk * size);
  const indices = new Int32Array(chunk);
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

  for (let start = 0; start < ds.count; start += chunk) {
    throwIfAborted(options.signal);
    const take = Math.min(chunk, ds.count - start);
    for (let i = 0; i < take; i++) indices[i] = start + i;
    await ds.read(take === chunk ? indices : indices.subarray(0, take), buf);
    // One pass per chunk: sums are taken around a shift (the chunk's first finite value) so that
    // sum of squares minus squared sum stays accurate in float64 for any realistic pixel range.
    let shift = NaN;
    let cSum = 0;
    let cSq = 0;
    let cN = 0;
    for (let s = 0; s < take; s++) {
      const base = s * size;
      let sMin = Infinity;
      let sMax = -Infinity;
      let sN = 0;
      for (let j = base; j < base + size; j++) {
        const v = buf[j];
        // v - v is 0 for every finite number and NaN for NaN and ±Infinity: one test on the common path.
        if (v - v !== 0) {
          if (v !== v) nanCount++;
          else infCount++;
          continue;
        }
        if (shift !== shift) shift = v;
        if (v < sMin) sMin = v;
        if (v > sMax) sMax = v;
        const d = v - shift;
        cSum += d;
        cSq += d * d;
        sN++;
      }
      if (!knownInteger && integerValued && sN > 0) {
        for (let j = base; j < base + size; j++) {
          const v = buf[j];
          if (v - v === 0 && v !== Math.floor(v)) { integerValued = false; break; }
        }
      }
      if (sN > 0 && sMin === sMax && size > 1) {
        constantCount++;
        if (constant.length < FIRST_CONSTANT) constant.push(start + s);
      }
      if (sMin < min) min = sMin;
      if (sMax > max) max = sMax;
      cN += sN;
    }
    if (cN > 0) {
      const cMean = shift + cSum / cN;
      const cM2 = Math.max(0, cSq - (cSum * cSum) / cN);
      const total = n + cN;
      const delta = cMean - mean;
      mean += (delta * cN) / total;
      m2 += cM2 + (delta * delta * n * cN) / total;
      n = total;
    }
    options.onProgress?.(Math.min(1, (start + take) / ds.count));
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
    elapsedMs: performance.now() - started,
  };
}
