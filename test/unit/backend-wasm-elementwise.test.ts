// The wasm LeakyRelu (as Prelu), its gradient (as Step) and the zero-copy Identity (backend/wasm-elementwise.ts)
// against the cpu backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { selectBackend } from '../../src/runtime/backend/select';

function leaky(shape: number[], alpha: number, seed: number): number[][] {
  return tf.tidy(() => {
    const x = tf.randomNormal(shape, 0, 1, 'float32', seed);
    const up = tf.randomNormal(shape, 0, 1, 'float32', seed + 1);
    const [dx] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(a, alpha), up)))([x]);
    return [tf.leakyRelu(x, alpha), dx].map((t) => Array.from(t.dataSync()));
  });
}

test('wasm LeakyRelu and its gradient match the cpu backend', async () => {
  const cases: [number[], number][] = [[[4, 7, 7, 16], 0.2], [[5, 33], 0.3], [[64], 0.01], [[2, 3, 3, 1], 0.2]];
  for (const [i, [shape, alpha]] of cases.entries()) {
    await tf.setBackend('cpu');
    const ref = leaky(shape, alpha, 20 + i);
    await selectBackend('wasm');
    const before = tf.memory().numTensors;
    const got = leaky(shape, alpha, 20 + i);
    assert.equal(tf.memory().numTensors, before, 'leaked tensors');
    for (let j = 0; j < 2; j++) {
      for (let k = 0; k < ref[j].length; k++) assert.ok(Math.abs(got[j][k] - ref[j][k]) < 1e-6, `${shape} α ${alpha}: ${j ? 'gradient' : 'value'} [${k}] ${got[j][k]} vs ${ref[j][k]}`);
    }
  }
});

test('wasm Identity shares the buffer and survives either side being disposed', async () => {
  await selectBackend('wasm');
  const before = tf.memory().numTensors;
  const a = tf.tensor([1, 2, 3, 4], [2, 2]);
  const b = tf.clone(a);
  a.dispose();
  assert.deepEqual(Array.from(b.dataSync()), [1, 2, 3, 4]);
  const c = tf.clone(b);
  b.dispose();
  assert.deepEqual(Array.from(tf.add(c, 1).dataSync()), [2, 3, 4, 5]);
  c.dispose();
  assert.equal(tf.memory().numTensors, before + 1); // the add's result
  const v = tf.variable(tf.tensor([5, 6]));
  const snapshot = tf.clone(v);
  v.assign(tf.tensor([7, 8]));
  assert.deepEqual(Array.from(snapshot.dataSync()), [5, 6], 'a clone keeps its values when the variable is assigned');
  tf.dispose([v, snapshot]);
});
