// The wasm training kernels (wasm-kernels.ts) against the pure-JS cpu backend, which is tfjs' reference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { selectBackend } from '../../src/runtime/backend/select';

interface Case { name: string; x: [number, number, number, number]; k: number; cout: number; s: number; pad: 'same' | 'valid' }
const cases: Case[] = [
  { name: 'D layer 1: 28×28×1 → 64, 5×5 s2 same', x: [4, 28, 28, 1], k: 5, cout: 8, s: 2, pad: 'same' },
  { name: 'D layer 2: 14×14×8 → 16, 5×5 s2 same', x: [3, 14, 14, 8], k: 5, cout: 16, s: 2, pad: 'same' },
  { name: 'stride 1, 5×5 same', x: [2, 7, 7, 6], k: 5, cout: 4, s: 1, pad: 'same' },
  { name: 'DCGAN 4×4 s2 pad 1 (explicit via same)', x: [2, 16, 16, 3], k: 4, cout: 5, s: 2, pad: 'same' },
  { name: 'valid, odd size, s2', x: [2, 9, 9, 2], k: 3, cout: 3, s: 2, pad: 'valid' },
  { name: 'valid 4×4 s1 (DCGAN last D layer)', x: [2, 4, 4, 6], k: 4, cout: 1, s: 1, pad: 'valid' },
  { name: '64 input channels, 5×5 s2 (the per-pixel copy of wide phases)', x: [2, 8, 8, 64], k: 5, cout: 4, s: 2, pad: 'same' },
];

function grads(c: Case, seed: number) {
  return tf.tidy(() => {
    const x = tf.randomNormal(c.x, 0, 1, 'float32', seed) as tf.Tensor4D;
    const w = tf.randomNormal([c.k, c.k, c.x[3], c.cout], 0, 1, 'float32', seed + 1) as tf.Tensor4D;
    const y = tf.conv2d(x, w, c.s, c.pad);
    const up = tf.randomNormal(y.shape, 0, 1, 'float32', seed + 2);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad), up)));
    const [dx, dw] = g([x, w]);
    // conv2dTranspose forward is Conv2DBackpropInput: the generator's layers.
    const t = tf.conv2dTranspose(y as tf.Tensor4D, w, c.x as [number, number, number, number], c.s, c.pad);
    return [dx.arraySync(), dw.arraySync(), t.arraySync()] as number[][][][][];
  });
}

function maxAbsDiff(a: unknown, b: unknown): number {
  const fa = (a as number[]).flat(4) as number[];
  const fb = (b as number[]).flat(4) as number[];
  assert.equal(fa.length, fb.length);
  let m = 0;
  for (let i = 0; i < fa.length; i++) m = Math.max(m, Math.abs(fa[i] - fb[i]) / (1 + Math.abs(fb[i])));
  return m;
}

test('wasm Conv2DBackpropFilter and Conv2DBackpropInput match the cpu backend', async () => {
  for (const [i, c] of cases.entries()) {
    await tf.setBackend('cpu');
    const ref = grads(c, 10 + i * 7);
    await selectBackend('wasm');
    assert.equal(tf.getBackend(), 'wasm');
    const before = tf.memory().numTensors;
    const got = grads(c, 10 + i * 7);
    assert.equal(tf.memory().numTensors, before, `${c.name}: kernels leaked tensors`);
    const names = ['dx (Conv2DBackpropInput)', 'dW (Conv2DBackpropFilter)', 'conv2dTranspose'];
    for (let j = 0; j < 3; j++) {
      const d = maxAbsDiff(got[j], ref[j]);
      assert.ok(d < 1e-3, `${c.name}: ${names[j]} differs from cpu by ${d}`);
    }
  }
});

test('wasm BatchMatMul with transposed operands matches the cpu backend', async () => {
  const run = () => tf.tidy(() => {
    const a = tf.randomNormal([16, 10], 0, 1, 'float32', 3);
    const b = tf.randomNormal([16, 12], 0, 1, 'float32', 4);
    const c = tf.randomNormal([12, 16], 0, 1, 'float32', 5);
    return [tf.matMul(a, b, true, false), tf.matMul(a, c, true, true), tf.matMul(b, c)].map((t) => t.arraySync());
  });
  await tf.setBackend('cpu');
  const ref = run();
  await selectBackend('wasm');
  const got = run();
  for (let i = 0; i < ref.length; i++) assert.ok(maxAbsDiff(got[i], ref[i]) < 1e-4, `matMul case ${i}`);
});
