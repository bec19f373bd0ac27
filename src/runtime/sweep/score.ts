/**
 * A sweep run's score: the Fréchet distance between its samples and *its own training data* (not the built-in
 * digits, which say nothing about Fashion-MNIST or the user's faces). Lower is better.
 *
 *   28×28×1       the bundled MNIST classifier's 64 penultimate features (eval/classifier.ts), as `eval` uses them;
 *   other shapes  the pixel Fréchet distance (eval/pixelFrechet.ts), fitted to the same real images.
 *
 * The real images are the run's data (data.path and data.limit) read as "auto" reads them (8-bit as [0, 255], floats
 * from their nominal range), or by the base config's {"from": [lo, hi]} when it gives one, and put in [0, 1]; the
 * samples come from the newest checkpoint's generator (its weight average), mapped from the generator's range into
 * [0, 1]. The reference is the same for every cell of a sweep, so data.scale itself can be the knob: a run fed
 * [0, 255] into tanh is judged against the images as they really look.
 */
import { resolveDataPath, type LoadedConfig } from '../config/load';
import type { DataScale, DcganConfig } from '../config/types';
import { openDataset } from '../data/dataset';
import { resolveScaling } from '../data/scale';
import { isIntegerDType } from '../data/types';
import { MnistClassifier, FEATURE_DIM, findClassifierDir, readClassifierFiles } from '../eval/classifier';
import { isMnistLike } from '../eval/evaluate';
import { frechetDistance, gaussianStats } from '../eval/frechet';
import { pixelFrechetDistance } from '../eval/pixelFrechet';
import type { TF } from '../backend/select';

/** Samples drawn from each run's generator; the same for every run, so distances compare (FD is biased by count). */
export const SCORE_SAMPLES = 1000;
/** Real images in the reference, evenly spread over the (limited) training data. */
export const REFERENCE_IMAGES = 2000;
/** Noise seed of the samples: the same for every run. */
const SAMPLE_SEED = 1234;

export type ScoreMeasure = 'classifier-frechet' | 'pixel-frechet';

export interface RunScore {
  run: string;
  step: number;
  measure: ScoreMeasure;
  frechetDistance: number;
  samples: number;
  referenceImages: number;
  /** How the real images were read: "uint8 data mapped from [0, 255] onto [0, 1]". */
  reference: string;
  scoredAt: string;
}

export const MEASURE_TEXT: Record<ScoreMeasure, string> = {
  'classifier-frechet': "Fréchet distance in the bundled classifier's features (28×28 grayscale)",
  'pixel-frechet': 'pixel Fréchet distance (principal components and detail bands of the real images)',
};

/**
 * The real images of a run's data in [0, 1], NHWC; `scale` is how the reference reads them (never "none"). By default
 * its training images (the first data.limit); `heldOut` takes the images after data.limit instead, which the run never
 * saw (for a small-data run, to tell learning the distribution from learning the training set by heart).
 */
export async function readReference(config: DcganConfig, baseDir: string, size: number, channels: number, scale: DataScale, max = REFERENCE_IMAGES, heldOut = false): Promise<{ pixels: Float32Array; count: number; description: string }> {
  if (heldOut && config.data.limit === undefined) throw new Error('the run trained on all of its data (no data.limit): there are no held-out images.');
  const ds = await openDataset(resolveDataPath(config, baseDir), { imageSize: size, channels, limit: heldOut ? undefined : config.data.limit });
  try {
    if (ds.height !== size || ds.width !== size || ds.channels !== channels) {
      throw new Error(`the data is ${ds.height}×${ds.width}×${ds.channels}, but the run generates ${size}×${size}×${channels}; there is nothing to compare its samples with.`);
    }
    const first = heldOut ? config.data.limit! : 0;
    if (first >= ds.count) throw new Error(`the data holds ${ds.count} images, all of them used for training (data.limit ${first}): there are no held-out images.`);
    const count = Math.min(max, ds.count - first);
    const indices = Array.from({ length: count }, (_, i) => first + Math.floor((i * (ds.count - first)) / count));
    const pixels = new Float32Array(count * size * size * channels);
    await ds.read(indices, pixels);
    let min = Infinity, max2 = -Infinity;
    for (const v of pixels) if (Number.isFinite(v)) { if (v < min) min = v; if (v > max2) max2 = v; }
    const stats = { dtype: ds.dtype, min: isIntegerDType(ds.dtype) ? Math.max(0, min) : min, max: max2 };
    const scaling = resolveScaling(scale === 'none' ? 'auto' : scale, stats, 'sigmoid');
    for (let i = 0; i < pixels.length; i++) pixels[i] = Math.min(1, Math.max(0, pixels[i] * scaling.scale + scaling.offset));
    return { pixels, count, description: scaling.description };
  } finally {
    await ds.close();
  }
}

/** Scores the newest checkpoint of a run against its training data (or held-out data). `scale` is the sweep's reference reading. */
export async function scoreCheckpoint(tf: TF, checkpointDir: string, runConfig: LoadedConfig, scale: DataScale, runName: string, heldOut = false): Promise<RunScore> {
  const { readCheckpoint, loadGenerator, generateImages } = await import('../train/checkpoint');
  const ckpt = readCheckpoint(checkpointDir);
  const spec = ckpt.manifest.spec;
  const g = loadGenerator(tf, ckpt);
  let fake: Float32Array;
  try {
    fake = await generateImages(tf, g, spec, SCORE_SAMPLES, SAMPLE_SEED);
  } finally {
    g.variables.forEach((v) => v.dispose());
  }
  const [lo, hi] = spec.outputActivation === 'tanh' ? [-1, 1] : [0, 1];
  for (let i = 0; i < fake.length; i++) fake[i] = Math.min(1, Math.max(0, (fake[i] - lo) / (hi - lo)));
  const real = await readReference(runConfig.config!, runConfig.baseDir, spec.imageSize, spec.channels, scale, REFERENCE_IMAGES, heldOut);
  let distance: number;
  let measure: ScoreMeasure;
  if (isMnistLike(spec)) {
    measure = 'classifier-frechet';
    const files = readClassifierFiles(findClassifierDir());
    const clf = new MnistClassifier(tf, files.weights);
    try {
      const f = await clf.judge(fake, SCORE_SAMPLES);
      const r = await clf.judge(real.pixels, real.count);
      distance = frechetDistance(gaussianStats(f.features, SCORE_SAMPLES, FEATURE_DIM), gaussianStats(r.features, real.count, FEATURE_DIM));
    } finally {
      clf.dispose();
    }
  } else {
    measure = 'pixel-frechet';
    const batch = (pixels: Float32Array, count: number) => ({ pixels, count, size: spec.imageSize, channels: spec.channels });
    distance = pixelFrechetDistance(batch(real.pixels, real.count), batch(fake, SCORE_SAMPLES));
  }
  return {
    run: runName,
    step: ckpt.manifest.step,
    measure,
    frechetDistance: distance,
    samples: SCORE_SAMPLES,
    referenceImages: real.count,
    reference: real.description,
    scoredAt: new Date().toISOString(),
  };
}
