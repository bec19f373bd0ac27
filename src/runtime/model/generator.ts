/**
 * The generator: noise z [N, latentDim] → images [N, S, S, C] in the output activation's range.
 * Shapes below are for the defaults (latentDim 100, generatorFilters g = 64, one channel).
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { TF } from '../backend/select';
import type { Rng } from '../train/rng';
import { ParamStore, batchNorm, batchNormParams, convTranspose, dense, type BatchNormParams } from './layers';
import { architecture, dcganStages, tutorialKernelSize, type ModelSpec } from './spec';

export interface Generator {
  readonly variables: tfc.Variable[];
  apply(z: tfc.Tensor2D): tfc.Tensor4D;
}

/** `name` prefixes the variable names, which tfjs requires to be unique among live variables. */
export function buildGenerator(tf: TF, spec: ModelSpec, rng: Rng, name = 'generator'): Generator {
  return architecture(spec.imageSize) === 'tutorial28' ? tutorialGenerator(tf, spec, rng, name) : dcganGenerator(tf, spec, rng, name);
}

function output(tf: TF, x: tfc.Tensor4D, activation: ModelSpec['outputActivation']): tfc.Tensor4D {
  return activation === 'tanh' ? tf.tanh(x) : tf.sigmoid(x);
}

function tutorialGenerator(tf: TF, spec: ModelSpec, rng: Rng, name: string): Generator {
  const g = spec.generatorFilters;
  const k = tutorialKernelSize(spec); //                                      5 as in the tutorial, or 4 (model.generatorKernelSize)
  const store = new ParamStore(tf, name, rng);
  const fc = store.normal('dense/kernel', [spec.latentDim, 7 * 7 * 4 * g]); //   z [N,100] → [N,12544], no bias
  const bn0 = batchNormParams(store, 'bn0', 7 * 7 * 4 * g);
  const ct1 = store.normal('convT1/kernel', [k, k, 2 * g, 4 * g]); //          [N,7,7,256] → [N,7,7,128]
  const bn1 = batchNormParams(store, 'bn1', 2 * g);
  const ct2 = store.normal('convT2/kernel', [k, k, g, 2 * g]); //              → [N,14,14,64]
  const bn2 = batchNormParams(store, 'bn2', g);
  const ct3 = store.normal('convT3/kernel', [k, k, spec.channels, g]); //      → [N,28,28,C], no bias
  const alpha = spec.leakyReluAlpha;
  return {
    variables: store.variables,
    apply(z) {
      const x = tf.leakyRelu(batchNorm(tf, dense(tf, z, fc), bn0), alpha);
      let h = tf.reshape(x, [-1, 7, 7, 4 * g]) as tfc.Tensor4D;
      h = tf.leakyRelu(batchNorm(tf, convTranspose(tf, h, ct1, 1), bn1), alpha) as tfc.Tensor4D;
      h = tf.leakyRelu(batchNorm(tf, convTranspose(tf, h, ct2, 2), bn2), alpha) as tfc.Tensor4D;
      return output(tf, convTranspose(tf, h, ct3, 2), spec.outputActivation);
    },
  };
}

function dcganGenerator(tf: TF, spec: ModelSpec, rng: Rng, name: string): Generator {
  const g = spec.generatorFilters;
  const stages = dcganStages(spec.imageSize); // 64×64: 4 stages
  const store = new ParamStore(tf, name, rng);
  const first = g * 2 ** (stages - 1); //                                         64×64: 512 channels
  // ConvTranspose(latent → first, 4×4, stride 1, no padding) on a 1×1 input is exactly a dense layer.
  const fc = store.normal('project/kernel', [spec.latentDim, 4 * 4 * first]); //   z → [N,4,4,512]
  const bnFirst = batchNormParams(store, 'bn0', 4 * 4 * first);
  const ups: { kernel: tfc.Variable; bn?: BatchNormParams }[] = [];
  let channels = first;
  for (let i = 1; i <= stages; i++) {
    const last = i === stages;
    const out = last ? spec.channels : channels / 2; //                           → [N,8,8,256] → 16²×128 → 32²×64 → 64²×C
    ups.push({ kernel: store.normal(`convT${i}/kernel`, [4, 4, out, channels]), bn: last ? undefined : batchNormParams(store, `bn${i}`, out) });
    channels = out;
  }
  return {
    variables: store.variables,
    apply(z) {
      // The paper's generator uses ReLU; LeakyReLU is for the discriminator.
      let h = tf.reshape(tf.relu(batchNorm(tf, dense(tf, z, fc), bnFirst)), [-1, 4, 4, first]) as tfc.Tensor4D;
      for (const up of ups) {
        const y = convTranspose(tf, h, up.kernel, 2);
        h = up.bn ? (tf.relu(batchNorm(tf, y, up.bn)) as tfc.Tensor4D) : output(tf, y, spec.outputActivation);
      }
      return h;
    },
  };
}
