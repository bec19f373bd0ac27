/**
 * The discriminator: images [N, S, S, C] → logits [N, 1] (sigmoid of a logit is D's probability of "real").
 * Shapes below are for the defaults (discriminatorFilters d = 64, 28×28×1 input).
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { TF } from '../backend/select';
import type { Rng } from '../train/rng';
import { ParamStore, batchNormAct, batchNormParams, conv, dense, type BatchNormParams } from './layers';
import { architecture, dcganStages, type ModelSpec } from './spec';

export interface Discriminator {
  readonly variables: tfc.Variable[];
  /** `training` turns dropout on; dropout masks are seeded from the run's RNG. */
  apply(x: tfc.Tensor4D, training: boolean): tfc.Tensor2D;
}

export function buildDiscriminator(tf: TF, spec: ModelSpec, rng: Rng): Discriminator {
  return architecture(spec.imageSize) === 'tutorial28' ? tutorialDiscriminator(tf, spec, rng) : dcganDiscriminator(tf, spec, rng);
}

function dropout(tf: TF, x: tfc.Tensor, rate: number, training: boolean, rng: Rng): tfc.Tensor {
  return training && rate > 0 ? tf.dropout(x, rate, undefined, rng.seed()) : x;
}

function tutorialDiscriminator(tf: TF, spec: ModelSpec, rng: Rng): Discriminator {
  const d = spec.discriminatorFilters;
  const store = new ParamStore(tf, 'discriminator', rng);
  const c1 = store.normal('conv1/kernel', [5, 5, spec.channels, d]); //   [N,28,28,C] → [N,14,14,64]
  const b1 = store.zeros('conv1/bias', [d]);
  const c2 = store.normal('conv2/kernel', [5, 5, d, 2 * d]); //            → [N,7,7,128]
  const b2 = store.zeros('conv2/bias', [2 * d]);
  const fc = store.normal('dense/kernel', [7 * 7 * 2 * d, 1]); //          → [N,1]
  const fb = store.zeros('dense/bias', [1]);
  const { leakyReluAlpha: alpha, discriminatorDropout: rate } = spec;
  return {
    variables: store.variables,
    apply(x, training) {
      let h = dropout(tf, tf.leakyRelu(conv(tf, x, c1, 2, b1), alpha), rate, training, rng) as tfc.Tensor4D;
      h = dropout(tf, tf.leakyRelu(conv(tf, h, c2, 2, b2), alpha), rate, training, rng) as tfc.Tensor4D;
      return dense(tf, tf.reshape(h, [h.shape[0], -1]) as tfc.Tensor2D, fc, fb);
    },
  };
}

function dcganDiscriminator(tf: TF, spec: ModelSpec, rng: Rng): Discriminator {
  const d = spec.discriminatorFilters;
  const stages = dcganStages(spec.imageSize);
  const store = new ParamStore(tf, 'discriminator', rng);
  const downs: { kernel: tfc.Variable; bn?: BatchNormParams }[] = [];
  let channels = spec.channels;
  for (let i = 1; i <= stages; i++) {
    const out = d * 2 ** (i - 1); //                                       64×64: [N,32,32,64] → 16²×128 → 8²×256 → 4²×512
    // No batch norm on the first layer (DCGAN paper): it would normalise away the input's statistics.
    downs.push({ kernel: store.normal(`conv${i}/kernel`, [4, 4, channels, out]), bn: i === 1 ? undefined : batchNormParams(store, `bn${i}`, out) });
    channels = out;
  }
  // Conv(last → 1, 4×4, no padding) on a 4×4 input is exactly a dense layer over the flattened features.
  const fc = store.normal('logit/kernel', [4 * 4 * channels, 1]); //         → [N,1]
  const { leakyReluAlpha: alpha, discriminatorDropout: rate } = spec;
  return {
    variables: store.variables,
    apply(x, training) {
      let h = x;
      for (const down of downs) {
        const y = conv(tf, h, down.kernel, 2);
        h = dropout(tf, down.bn ? batchNormAct(tf, y, down.bn, alpha) : tf.leakyRelu(y, alpha), rate, training, rng) as tfc.Tensor4D;
      }
      return dense(tf, tf.reshape(h, [h.shape[0], -1]) as tfc.Tensor2D, fc);
    },
  };
}
