/**
 * The sample-quality figure for a generator: diversity for any data, and for MNIST-like generators (28×28,
 * one channel) the MNIST judge's score, class coverage and Fréchet distance to the held-out real digits.
 *
 * Classifier confidence flatters: a generator of thick blobs can score 0.8. Read the score beside the
 * Fréchet distance (which also sees how far the features are from real digits) and beside the grid.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import { MnistClassifier, readClassifierFiles, findClassifierDir, FEATURE_DIM, type ReferenceStats } from './classifier';
import { frechetDistance, gaussianStats } from './frechet';
import { diversity } from './diversity';

type TF = typeof tfc;

export interface EvalResult {
  /** Mean top-class confidence of the MNIST judge (MNIST-like generators only). */
  classifierScore?: number;
  /** Digit classes that take at least 5% of the samples (MNIST-like generators only). */
  classCoverage?: number;
  /** Fréchet distance in the judge's 64 penultimate features to the 2,000 held-out real digits. */
  frechetDistance?: number;
  /** Samples per predicted digit 0…9 (MNIST-like generators only). */
  classCounts?: number[];
  /** Mean pairwise per-pixel RMS distance (see diversity.ts), in the generator's output units. */
  diversity: number;
  count: number;
}

export interface GeneratorSpec {
  latentDim: number;
  imageSize: number;
  channels: number;
  outputActivation: 'tanh' | 'sigmoid';
}

export interface EvaluateOptions {
  /** Samples to generate (default 1,000). */
  count?: number;
  /** Seed of the evaluation noise, so that two evaluations of one checkpoint agree. */
  seed?: number;
  batchSize?: number;
  /** Folder with the classifier files; found above this module by default. */
  classifierDir?: string;
}

/** A class is covered when it takes at least this share of the samples (10 classes: half of a fair share). */
export const COVERAGE_SHARE = 0.05;
/** Diversity is a mean over pairs; this many samples estimate it well and keep the Gram matrix small. */
const DIVERSITY_SAMPLES = 500;

export function isMnistLike(spec: Pick<GeneratorSpec, 'imageSize' | 'channels'>): boolean {
  return spec.imageSize === 28 && spec.channels === 1;
}

/** Generates `count` images with `generate` (z → images in the output range) and scores them. */
export async function evaluateGenerator(tf: TF, generate: (z: tfc.Tensor2D) => tfc.Tensor4D, spec: GeneratorSpec, options: EvaluateOptions = {}): Promise<EvalResult> {
  const count = options.count ?? 1000;
  const batchSize = options.batchSize ?? 100;
  const seed = options.seed ?? 1234;
  const pixelsPerImage = spec.imageSize * spec.imageSize * spec.channels;
  const images = new Float32Array(count * pixelsPerImage);
  for (let start = 0, b = 0; start < count; start += batchSize, b++) {
    const n = Math.min(batchSize, count - start);
    const out = tf.tidy(() => generate(tf.randomNormal([n, spec.latentDim], 0, 1, 'float32', seed + b) as tfc.Tensor2D));
    images.set((await out.data()) as Float32Array, start * pixelsPerImage);
    out.dispose();
  }
  return evaluateImages(tf, images, count, spec, options);
}

/** Scores images already generated: [count, imageSize, imageSize, channels] row-major, in the output range. */
export async function evaluateImages(tf: TF, images: Float32Array, count: number, spec: Omit<GeneratorSpec, 'latentDim'>, options: Pick<EvaluateOptions, 'classifierDir'> = {}): Promise<EvalResult> {
  const pixelsPerImage = spec.imageSize * spec.imageSize * spec.channels;
  const nDiv = Math.min(count, DIVERSITY_SAMPLES);
  const divTensor = tf.tensor4d(images.subarray(0, nDiv * pixelsPerImage), [nDiv, spec.imageSize, spec.imageSize, spec.channels]);
  const result: EvalResult = { diversity: await diversity(tf, divTensor), count };
  divTensor.dispose();
  if (!isMnistLike(spec)) return result;

  const [lo, hi] = spec.outputActivation === 'tanh' ? [-1, 1] : [0, 1];
  // The judge was trained on the mnist package's [0, 1] pixels.
  const unit = new Float32Array(images.length);
  for (let i = 0; i < images.length; i++) unit[i] = Math.min(1, Math.max(0, (images[i] - lo) / (hi - lo)));
  return { ...result, ...(await judgeDigits(tf, unit, count, options.classifierDir)) };
}

/** Classifier score, coverage and Fréchet distance for [count, 784] digit pixels in [0, 1]. */
export async function judgeDigits(tf: TF, pixels: Float32Array, count: number, classifierDir?: string): Promise<Required<Pick<EvalResult, 'classifierScore' | 'classCoverage' | 'frechetDistance' | 'classCounts'>>> {
  const files = readClassifierFiles(classifierDir ?? findClassifierDir());
  const clf = new MnistClassifier(tf, files.weights);
  try {
    const { features, probs, predicted } = await clf.judge(pixels, count);
    let confidence = 0;
    for (let i = 0; i < count; i++) {
      let top = 0;
      for (let k = 0; k < 10; k++) top = Math.max(top, probs[i * 10 + k]);
      confidence += top;
    }
    const classCounts = new Array<number>(10).fill(0);
    for (const p of predicted) classCounts[p]++;
    const classCoverage = classCounts.filter((c) => c >= COVERAGE_SHARE * count).length;
    const frechet = frechetDistance(gaussianStats(features, count, FEATURE_DIM), referenceGaussian(files.reference));
    return { classifierScore: confidence / count, classCoverage, frechetDistance: frechet, classCounts };
  } finally {
    clf.dispose();
  }
}

/** The held-out real digits' feature Gaussian, precomputed by scripts/train-classifier.ts. */
export function referenceGaussian(ref: ReferenceStats = readClassifierFiles().reference): { dim: number; mean: Float64Array; cov: Float64Array; count: number } {
  return { dim: ref.featureDim, mean: Float64Array.from(ref.mean), cov: Float64Array.from(ref.cov), count: ref.count };
}

/** Scores a checkpoint folder's generator on `count` fresh samples (seeded, so repeat runs agree). */
export async function evaluateCheckpoint(dir: string, backend: { tf: TF }, options: EvaluateOptions = {}): Promise<EvalResult> {
  // Imported here so that the judge (evaluateImages) stays usable without the model code, e.g. from the bench.
  const { readCheckpoint, loadGenerator, generateImages } = await import('../train/checkpoint');
  const tf = backend.tf;
  const ckpt = readCheckpoint(dir);
  const g = loadGenerator(tf, ckpt);
  try {
    const spec = ckpt.manifest.spec;
    const count = options.count ?? 1000;
    const images = await generateImages(tf, g, spec, count, options.seed ?? 1234);
    return await evaluateImages(tf, images, count, spec, options);
  } finally {
    g.variables.forEach((v) => v.dispose());
  }
}
