/**
 * Config problems that come from the model's shape rather than from the data. A transposed convolution whose
 * kernel size is not divisible by its stride overlaps its neighbours unevenly: some output pixels receive more
 * kernel taps than others, and generators paint that pattern as checkerboard artifacts (Odena, Dumoulin and Olah,
 * "Deconvolution and Checkerboard Artifacts", Distill 2016). The TensorFlow tutorial's 28×28 generator (5×5,
 * stride 2) is one; 4×4 (model.generatorKernelSize) is its alternative.
 */
import type { Fix, Problem } from '../problem';
import { architecture, dcganStages, tutorialKernelSize, type ModelSpec } from './spec';

/** One transposed convolution of the generator, by the name its variable has (generator/convT2/kernel → convT2). */
export interface TransposedConv {
  layer: string;
  kernel: number;
  stride: number;
  /** Spatial size in → out, e.g. 7 → 14. */
  from: number;
  to: number;
}

/** The generator's transposed convolutions for a spec, in order (mirrors generator.ts). */
export function generatorTransposedConvs(spec: Pick<ModelSpec, 'imageSize' | 'generatorKernelSize'>): TransposedConv[] {
  if (architecture(spec.imageSize) === 'tutorial28') {
    const k = tutorialKernelSize(spec);
    return [
      { layer: 'convT1', kernel: k, stride: 1, from: 7, to: 7 },
      { layer: 'convT2', kernel: k, stride: 2, from: 7, to: 14 },
      { layer: 'convT3', kernel: k, stride: 2, from: 14, to: 28 },
    ];
  }
  return Array.from({ length: dcganStages(spec.imageSize) }, (_, i) => ({ layer: `convT${i + 1}`, kernel: 4, stride: 2, from: 4 * 2 ** i, to: 8 * 2 ** i }));
}

/**
 * `model/checkerboard` (warning) for each generator layer whose kernel size is not divisible by its stride, with a
 * quick fix where the model has an alternative. `imageSize` is the resolved size (model.imageSize or the data's).
 */
export function modelProblems(model: Pick<ModelSpec, 'generatorKernelSize'>, imageSize: number, file?: string): Problem[] {
  let convs: TransposedConv[];
  try {
    convs = generatorTransposedConvs({ imageSize, generatorKernelSize: model.generatorKernelSize });
  } catch {
    return []; // an unsupported size is reported by the data check
  }
  const uneven = convs.filter((c) => c.kernel % c.stride !== 0);
  if (uneven.length === 0) return [];
  const layers = uneven.map((c) => `${c.layer} (${c.kernel}×${c.kernel}, stride ${c.stride}, ${c.from}→${c.to})`).join(' and ');
  const canFix = architecture(imageSize) === 'tutorial28';
  const fixes: Fix[] = canFix ? [{ title: 'Use 4×4 kernels in the generator (model.generatorKernelSize: 4)', edits: [{ path: ['model', 'generatorKernelSize'], value: 4 }], isPreferred: true }] : [];
  return [{
    code: 'model/checkerboard',
    severity: 'warning',
    message: `The generator's transposed convolution${uneven.length > 1 ? 's' : ''} ${layers} ${uneven.length > 1 ? 'have kernel sizes' : 'has a kernel size'} not divisible by the stride, so neighbouring output pixels get unequal numbers of kernel taps; generators tend to paint this as checkerboard artifacts (Odena et al., Distill 2016).${canFix ? ' Set model.generatorKernelSize to 4 (docs/sample-quality.md measures both on MNIST).' : ''}`,
    ...(file ? { file } : {}),
    location: { path: ['model', canFix ? 'generatorKernelSize' : 'imageSize'] },
    fixes,
  }];
}
