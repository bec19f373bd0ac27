/**
 * The one sampler of image folders. The data check before training and `dcgan-studio lint` (and the extension's
 * lint) decode the same images, chosen here, so they never disagree about a folder: decoding all of CelebA's 200k
 * images before step 1 would take minutes, and 8-bit images need no full pass to know their scaling.
 */
import { Rng } from '../train/rng';

/** Images decoded for the statistics and the constant-image check of a folder, unless a full pass is asked for. */
export const STATS_SAMPLE_SIZE = 1000;
/** Fixed, so the sample depends on the folder alone. */
const SAMPLE_SEED = 0x5eed18;

/**
 * `size` distinct indices of 0..count-1, sorted (files are then read in folder order), the same for the same count;
 * undefined when the sample would be every index.
 */
export function statsSample(count: number, size = STATS_SAMPLE_SIZE): Uint32Array | undefined {
  if (count <= size) return undefined;
  // Floyd's algorithm: exactly `size` draws, no table of `count` entries.
  const rng = new Rng(SAMPLE_SEED);
  const chosen = new Set<number>();
  for (let j = count - size; j < count; j++) {
    const t = rng.int(j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  return Uint32Array.from([...chosen].sort((a, b) => a - b));
}
