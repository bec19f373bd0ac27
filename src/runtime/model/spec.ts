import type { DcganConfig } from '../config/types';

/** Which architecture a config gets, and its layer plan, shared by both builders and the shape tests. */
export const SUPPORTED_IMAGE_SIZES = [16, 28, 32, 64, 128] as const;
export type ImageSize = (typeof SUPPORTED_IMAGE_SIZES)[number];

/** The model part of the config with imageSize and channels resolved (from the data when the config omits them). */
export type ModelSpec = Omit<DcganConfig['model'], 'imageSize' | 'channels'> & { imageSize: number; channels: number };

export function isSupportedImageSize(n: number): n is ImageSize {
  return (SUPPORTED_IMAGE_SIZES as readonly number[]).includes(n);
}

/**
 * 28×28: the TensorFlow DCGAN tutorial (5×5 kernels, 7 → 7 → 14 → 28).
 * Powers of two: the DCGAN paper as in pytorch/examples/dcgan (4×4 kernels, 4 → 8 → … → size).
 */
export function architecture(imageSize: number): 'tutorial28' | 'dcgan' {
  if (imageSize === 28) return 'tutorial28';
  if (isSupportedImageSize(imageSize)) return 'dcgan';
  throw new Error(`model.imageSize ${imageSize} is not supported: use one of ${SUPPORTED_IMAGE_SIZES.join(', ')}.`);
}

/** Number of stride-2 stages between 4×4 and the image size, for the DCGAN-paper networks. */
export function dcganStages(imageSize: number): number {
  return Math.round(Math.log2(imageSize / 4));
}

/** Kernel size of the 28×28 generator's transposed convolutions: model.generatorKernelSize, 5 for specs saved before it existed. */
export function tutorialKernelSize(spec: Pick<ModelSpec, 'generatorKernelSize'>): 4 | 5 {
  return spec.generatorKernelSize === 4 ? 4 : 5;
}

/** The model keys a checkpoint's weights depend on: resuming with another value cannot load them. */
const WEIGHT_SHAPING_KEYS = ['imageSize', 'channels', 'latentDim', 'generatorFilters', 'discriminatorFilters', 'generatorKernelSize'] as const;

/**
 * "model.generatorKernelSize 5 (this config: 4)" for each weight-shaping key where a saved spec and the current one
 * differ, so that a resume that cannot load says which config key to set. The kernel size is compared as built
 * (absent in specs saved before the key existed means 5 at 28×28; other sizes always use 4).
 */
export function weightShapeDifferences(saved: ModelSpec, current: ModelSpec): string[] {
  const value = (s: ModelSpec, k: (typeof WEIGHT_SHAPING_KEYS)[number]) => (k === 'generatorKernelSize' ? (s.imageSize === 28 ? tutorialKernelSize(s) : 4) : s[k]);
  return WEIGHT_SHAPING_KEYS.filter((k) => value(saved, k) !== value(current, k)).map((k) => `model.${k} ${value(saved, k)} (this config: ${value(current, k)})`);
}
