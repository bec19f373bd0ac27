// Model builders: output shapes for every supported size, and the TF tutorial's exact parameter counts at 28×28.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as tfc from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/runtime/backend/select';
import { buildGenerator } from '../../src/runtime/model/generator';
import { buildDiscriminator } from '../../src/runtime/model/discriminator';
import { SUPPORTED_IMAGE_SIZES, type ModelSpec } from '../../src/runtime/model/spec';
import { Rng } from '../../src/runtime/train/rng';

const base: ModelSpec = { imageSize: 28, channels: 1, latentDim: 100, generatorFilters: 64, discriminatorFilters: 64, leakyReluAlpha: 0.2, discriminatorDropout: 0.3, outputActivation: 'tanh' };
const params = (vars: tfc.Variable[]) => vars.reduce((n, v) => n + v.size, 0);

test('28×28 defaults are the TensorFlow DCGAN tutorial networks (trainable parameter counts)', async () => {
  const { tf } = await selectBackend('wasm');
  const G = buildGenerator(tf, base, new Rng(1));
  const D = buildDiscriminator(tf, base, new Rng(2));
  // Keras' summary for the tutorial: G 2,330,944 total of which 25,472 are batch-norm moving statistics; D 212,865.
  assert.equal(params(G.variables), 2_330_944 - 25_472);
  assert.equal(params(D.variables), 212_865);
  tf.dispose([...G.variables, ...D.variables]);
});

for (const size of SUPPORTED_IMAGE_SIZES) {
  for (const channels of [1, 3]) {
    test(`G and D shapes at ${size}×${size}×${channels}`, async () => {
      const { tf } = await selectBackend('wasm');
      const spec: ModelSpec = { ...base, imageSize: size, channels, generatorFilters: 4, discriminatorFilters: 4, latentDim: 16 };
      const G = buildGenerator(tf, spec, new Rng(1));
      const D = buildDiscriminator(tf, spec, new Rng(2));
      const before = tf.memory().numTensors;
      const [imgShape, logitShape, lo, hi] = tf.tidy(() => {
        const img = G.apply(tf.randomNormal([3, spec.latentDim], 0, 1, 'float32', 7) as tfc.Tensor2D);
        const logits = D.apply(img, true);
        return [img.shape, logits.shape, tf.min(img).dataSync()[0], tf.max(img).dataSync()[0]] as const;
      });
      assert.deepEqual(imgShape, [3, size, size, channels]);
      assert.deepEqual(logitShape, [3, 1]);
      assert.ok(lo >= -1 && hi <= 1, `tanh output in [-1,1], got [${lo}, ${hi}]`);
      assert.equal(tf.memory().numTensors, before, 'forward passes leave no tensors behind');
      tf.dispose([...G.variables, ...D.variables]);
    });
  }
}
