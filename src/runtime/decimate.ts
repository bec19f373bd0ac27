/**
 * Keeps chart data bounded however long a run grows. Pure (no DOM, no Node), so the webviews and the host share it:
 * the dashboard and Compare pages use it for live series; the run-folder reader (runs/summary.ts) and the Compare
 * panel use `decimateStepEvents` to shrink a long run's history before sending it.
 *
 * Min/max bucket decimation: each bucket keeps, per series, its lowest and highest value and where they
 * occurred. When the buckets would exceed the point budget, neighbours merge pairwise and the bucket span
 * doubles, so memory stays O(maxPoints) and a spike in Loss_D is never averaged away (a mean would hide it).
 */
import type { StepEvent } from './events';

interface Bucket {
  xFirst: number;
  xLast: number;
  count: number;
  min: Float64Array;
  minX: Float64Array;
  max: Float64Array;
  maxX: Float64Array;
}

export interface AlignedSeries {
  x: number[];
  /** One array per series; null where a series had no finite value (uPlot draws a gap). */
  ys: (number | null)[][];
}

export class AlignedDecimator {
  private buckets: Bucket[] = [];
  /** Raw points per bucket; doubles on every compaction. */
  private span = 1;
  private total = 0;

  /** `maxPoints` bounds the x positions returned by `series()`; each bucket yields at most two. */
  constructor(readonly seriesCount: number, readonly maxPoints = 2000) {
    if (maxPoints < 4) throw new Error(`AlignedDecimator: maxPoints must be at least 4, got ${maxPoints}`);
  }

  get rawCount(): number {
    return this.total;
  }

  get bucketSpan(): number {
    return this.span;
  }

  push(x: number, values: readonly number[]): void {
    this.total++;
    let b = this.buckets[this.buckets.length - 1];
    if (!b || b.count >= this.span) {
      if (2 * (this.buckets.length + 1) > this.maxPoints) this.compact();
      b = this.newBucket(x);
      this.buckets.push(b);
    }
    b.xLast = x;
    b.count++;
    for (let s = 0; s < this.seriesCount; s++) {
      const v = values[s];
      if (v === undefined || !Number.isFinite(v)) continue;
      if (!(v >= b.min[s])) { b.min[s] = v; b.minX[s] = x; }
      if (!(v <= b.max[s])) { b.max[s] = v; b.maxX[s] = x; }
    }
  }

  clear(): void {
    this.buckets = [];
    this.span = 1;
    this.total = 0;
  }

  /** The envelope as aligned arrays: a bucket of one point gives one x, a larger one gives its first and last x. */
  series(): AlignedSeries {
    const x: number[] = [];
    const ys: (number | null)[][] = Array.from({ length: this.seriesCount }, () => []);
    for (const b of this.buckets) {
      const two = b.count > 1 && b.xLast !== b.xFirst;
      x.push(b.xFirst);
      if (two) x.push(b.xLast);
      for (let s = 0; s < this.seriesCount; s++) {
        const has = Number.isFinite(b.min[s]);
        if (!two) {
          ys[s].push(has ? b.min[s] : null);
          continue;
        }
        // Keep the order in which the extremes happened, so a dip followed by a spike reads as such.
        const minFirst = b.minX[s] <= b.maxX[s];
        ys[s].push(has ? (minFirst ? b.min[s] : b.max[s]) : null);
        ys[s].push(has ? (minFirst ? b.max[s] : b.min[s]) : null);
      }
    }
    return { x, ys };
  }

  private newBucket(x: number): Bucket {
    const n = this.seriesCount;
    return {
      xFirst: x, xLast: x, count: 0,
      min: new Float64Array(n).fill(NaN), minX: new Float64Array(n), max: new Float64Array(n).fill(NaN), maxX: new Float64Array(n),
    };
  }

  private compact(): void {
    const merged: Bucket[] = [];
    for (let i = 0; i < this.buckets.length; i += 2) {
      const a = this.buckets[i];
      const b = this.buckets[i + 1];
      if (!b) { merged.push(a); continue; }
      a.xLast = b.xLast;
      a.count += b.count;
      for (let s = 0; s < this.seriesCount; s++) {
        if (Number.isFinite(b.min[s]) && !(b.min[s] >= a.min[s])) { a.min[s] = b.min[s]; a.minX[s] = b.minX[s]; }
        if (Number.isFinite(b.max[s]) && !(b.max[s] <= a.max[s])) { a.max[s] = b.max[s]; a.maxX[s] = b.maxX[s]; }
      }
      merged.push(a);
    }
    this.buckets = merged;
    this.span *= 2;
  }
}

const STEP_FIELDS = ['lossD', 'lossG', 'dReal', 'dFake', 'ms'] as const;

/**
 * Shrinks a run's step events to about `maxBuckets` buckets, keeping in each the first and last event and
 * the events holding the min and max of every charted field. The result is still a list of real events
 * (no invented values), so the dashboard's own decimator draws the same envelope it would from the full run.
 */
export function decimateStepEvents(steps: readonly StepEvent[], maxBuckets = 1000): StepEvent[] {
  if (steps.length <= maxBuckets * 2) return steps.slice();
  const size = Math.ceil(steps.length / maxBuckets);
  const out: StepEvent[] = [];
  for (let start = 0; start < steps.length; start += size) {
    const end = Math.min(steps.length, start + size);
    const keep = new Set<number>([start, end - 1]);
    for (const f of STEP_FIELDS) {
      let lo = -1;
      let hi = -1;
      for (let i = start; i < end; i++) {
        const v = steps[i][f];
        if (!Number.isFinite(v)) { keep.add(i); continue; } // a NaN step is the news; never drop it
        if (lo < 0 || v < steps[lo][f]) lo = i;
        if (hi < 0 || v > steps[hi][f]) hi = i;
      }
      if (lo >= 0) keep.add(lo);
      if (hi >= 0) keep.add(hi);
    }
    for (const i of [...keep].sort((a, b) => a - b)) out.push(steps[i]);
  }
  return out;
}

/**
 * Exponential moving average with TensorBoard's debiasing, weighted by the step gap between points so that
 * a smoothing of 0.9 means the same thing before and after the data was decimated.
 */
export function smoothEma(x: readonly number[], y: readonly (number | null)[], smoothing: number): (number | null)[] {
  const s = Math.min(Math.max(smoothing, 0), 0.9999);
  if (s === 0) return y.slice();
  const out: (number | null)[] = new Array(y.length);
  let last = 0;
  let weight = 0;
  let prevX = x[0] ?? 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (v === null || !Number.isFinite(v)) { out[i] = null; continue; }
    const w = Math.pow(s, Math.max(1, x[i] - prevX));
    prevX = x[i];
    last = last * w + (1 - w) * v;
    weight = weight * w + (1 - w);
    out[i] = last / weight;
  }
  return out;
}
