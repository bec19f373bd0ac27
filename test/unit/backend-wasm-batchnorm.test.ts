// The fused batch norm + activation kernels on wasm (backend/wasm-batchnorm.ts) against the composed tfjs ops on
// the cpu backend (which has no fused kernel, so batchNormAct falls back to them there): values and gradients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { selectBackend } from '../../src/runtime/backend/select';
import { BATCH_NORM_ACT, BATCH_NORM_ACT_GRAD } from '../../src/runtime/backend/wasm-batchnorm';
import { batchNormAct } from '../../src/runtime/model/layers';

interface Case { name: string; shape: number[]; slope: number; shift: number }
const cases: Case[] = [
  { name: 'images, ReLU (generator)', shape: [4, 6, 6, 8], slope: 0, shift: 0.3 },
  { name: 'images, LeakyReLU 0.2 (discriminator)', shape: [3, 5, 5, 16], slope: 0.2, shift: -0.5 },
  { name: 'dense features, LeakyReLU 0.2 (tutorial generator)', shape: [16, 40], slope: 0.2, shift: 2 },
  { name: 'dense features, ReLU (paper generator), large mean', shape: [8, 12], slope: 0, shift: 50 },
  { name: 'no activation', shape: [2, 3, 3, 5], slope: 1, shift: 0 },
];

function run(c: Case, seed: number): number[][] {
  return tf.tidy(() => {
    const C = c.shape[c.shape.length - 1];
    const x = tf.add(tf.randomNormal(c.shape, 0, 2, 'float32', seed), c.shift);
    const gamma = tf.randomNormal([C], 1, 0.3, 'float32', seed + 1);
    const beta = tf.randomNormal([C], 0, 0.3, 'float32', seed + 2);
    const up = tf.randomNormal(c.shape, 0, 1, 'float32', seed + 3);
    const p = { gamma, beta } as unknown as Parameters<typeof batchNormAct>[2];
    const y = batchNormAct(tf as never, x, p, c.slope);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(batchNormAct(tf as never, a, { gamma: b, beta: d } as never, c.slope), up)));
    const [dx, dg, db] = g([x, gamma, beta]);
    return [y, dx, dg, db].map((t) => Array.from(t.dataSync()));
  });
}

function maxRelDiff(a: number[], b: number[]): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  return m;
}

test('fused batch norm + activation on wasm matches the composed ops on cpu, values and gradients', async () => {
  for (const [i, c] of cases.entries()) {
    await tf.setBackend('cpu');
    assert.equal(tf.getKernel(BATCH_NORM_ACT, 'cpu'), undefined, 'the reference must be the composed ops');
    const ref = run(c, 100 + 11 * i);
    await selectBackend('wasm');
    assert.ok(tf.getKernel(BATCH_NORM_ACT, 'wasm') && tf.getKernel(BATCH_NORM_ACT_GRAD, 'wasm'), 'wasm registers the fused kernels');
    const before = tf.memory().numTensors;
    const got = run(c, 100 + 11 * i);
    assert.equal(tf.memory().numTensors, before, `${c.name}: leaked tensors`);
    ['y', 'dx', 'dgamma', 'dbeta'].forEach((name, j) => {
      const d = maxRelDiff(got[j], ref[j]);
      assert.ok(d < 2e-4, `${c.name}: ${name} differs from cpu by ${d}`);
    });
  }
});

test('fused batch norm with variables under variableGrads keeps the tensor count flat', async () => {
  await selectBackend('wasm');
  const gamma = tf.variable(tf.ones([4]), true, 'bnTest/gamma');
  const beta = tf.variable(tf.zeros([4]), true, 'bnTest/beta');
  const x = tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 5);
  const step = () => {
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(batchNormAct(tf as never, x, { gamma, beta } as never, 0.2))), [gamma, beta]);
    const norm = tf.tidy(() => tf.sum(tf.abs(grads['bnTest/gamma'])).dataSync()[0]);
    tf.dispose([value, ...Object.values(grads)]);
    return norm;
  };
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) assert.ok(Number.isFinite(step()));
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([gamma, beta, x]);
});
