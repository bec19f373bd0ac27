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
