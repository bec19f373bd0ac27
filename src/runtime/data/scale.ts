/**
 * data.scale → the affine map applied to every batch: fed = raw * scale + offset.
 * Getting this wrong ([0,255] fed to a tanh generator) is the classic reason a GAN never learns, so the
 * choice is explained in `description` and checked by lint.ts.
 */
import { outputRange, type DataScale } from '../config/types';
import { isIntegerDType } from './types';
import type { DatasetStats } from './stats';

export interface Scaling {
  scale: number;
  offset: number;
  /** The raw range mapped onto the generator's output range; null when values are fed as stored. */
  from: [number, number] | null;
  /** How the map was chosen, in the user's words, e.g. 'uint8 data mapped from [0, 255] onto [-1, 1]'. */
  description: string;
  /** Which form of data.scale produced it. */
  mode: 'auto' | 'none' | 'from';
  /** "auto" took the range from this dataset's observed min and max (no dtype or nominal range fitted). */
  observed?: boolean;
}

/** Nominal ranges that float image data is usually stored in; "auto" snaps to one of these when it fits. */
const NOMINAL_RANGES: [number, number][] = [[-1, 1], [0, 1], [0, 255]];

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(4)));
}

function linear(from: [number, number], to: [number, number]): { scale: number; offset: number } {
  const scale = (to[1] - to[0]) / (from[1] - from[0]);
  return { scale, offset: to[0] - from[0] * scale };
}

export function resolveScaling(scale: DataScale, stats: Pick<DatasetStats, 'dtype' | 'min' | 'max'>, activation: 'tanh' | 'sigmoid'): Scaling {
  const out = outputRange(activation);
  const outText = `[${out[0]}, ${out[1]}]`;
  const identity = (description: string, mode: Scaling['mode']): Scaling => ({ scale: 1, offset: 0, from: null, description, mode });
  if (scale === 'none') return identity('fed as stored (data.scale "none")', 'none');
  if (typeof scale === 'object') {
    const [lo, hi] = scale.from;
    if (!(Number.isFinite(lo) && Number.isFinite(hi)) || lo === hi) {
      return identity(`data.scale.from [${lo}, ${hi}] is not a range; fed as stored`, 'from');
    }
    return { ...linear([lo, hi], out), from: [lo, hi], description: `mapped from [${fmt(lo)}, ${fmt(hi)}] onto ${outText} (data.scale.from)`, mode: 'from' };
  }
  // "auto"
  const { dtype, min, max } = stats;
  if (!(Number.isFinite(min) && Number.isFinite(max))) return identity('no finite values to choose a range from; fed as stored', 'auto');
  if (isIntegerDType(dtype) && min >= 0 && max <= 255) {
    // 8-bit convention: a dark dataset whose brightest pixel is 200 is still [0,255] data.
    return { ...linear([0, 255], out), from: [0, 255], description: `${dtype} data mapped from [0, 255] onto ${outText}`, mode: 'auto' };
  }
  if (!isIntegerDType(dtype)) {
    // Snap to the nominal range the data was most likely saved in, so 0.996 stays 0.996 rather than becoming 1.
    const nominal = NOMINAL_RANGES.find(([lo, hi]) => min >= lo && max <= hi && max - min >= 0.5 * (hi - lo));
    if (nominal && nominal[0] === out[0] && nominal[1] === out[1]) return identity(`already in ${outText}; fed as stored`, 'auto');
    if (nominal) return { ...linear(nominal, out), from: nominal, description: `${dtype} data in [${nominal[0]}, ${nominal[1]}] mapped onto ${outText}`, mode: 'auto' };
  }
  if (min === max) return { scale: 1, offset: (out[0] + out[1]) / 2 - min, from: null, description: `every value is ${fmt(min)}; centred in ${outText}`, mode: 'auto' };
  return { ...linear([min, max], out), from: [min, max], description: `${dtype} data mapped from its observed range [${fmt(min)}, ${fmt(max)}] onto ${outText}`, mode: 'auto', observed: true };
}
