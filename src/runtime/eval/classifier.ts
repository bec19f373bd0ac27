/**
 * The MNIST judge: a small MLP (784 → 128 → 64 → 10, ReLU) whose 64 penultimate features serve the Fréchet
 * distance and whose softmax gives the classifier score and class coverage.
 *
 * Why an MLP and not a CNN: it trains on every backend (the wasm backend lacks Conv2DBackpropFilter without the
 * trainer's extra kernels), its weights are 0.44 MB, a 64-wide feature space keeps the covariance and its
 * matrix square root cheap, and the PyTorch bench can rebuild it from the same bytes in three lines.
 *
 * Files (media/classifier/):
 *   mnist-mlp.json  manifest: tensor names, shapes and offsets into the .bin, held-out accuracy, how it was trained
 *   mnist-mlp.bin   float32 little-endian weights, in manifest order
 *   mnist-reference.json  mean and covariance of the held-out real digits' features (the Fréchet reference)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tfc from '@tensorflow/tfjs-core';

type TF = typeof tfc;

export const CLASSIFIER_FILES = { manifest: 'mnist-mlp.json', weights: 'mnist-mlp.bin', reference: 'mnist-reference.json' } as const;
export const LAYER_SIZES = [784, 128, 64, 10] as const;
export const FEATURE_DIM = LAYER_SIZES[2];

export interface TensorEntry {
  name: string;
  shape: number[];
  /** Offset in float32 elements into the .bin. */
  offset: number;
}

export interface ClassifierManifest {
  format: 'dcgan-studio/mnist-mlp@1';
  architecture: string;
  input: string;
  tensors: TensorEntry[];
  featureDim: number;
  heldOutAccuracy: number;
  trainAccuracy: number;
  split: string;
  training: Record<string, unknown>;
}

export interface ReferenceStats {
  count: number;
  featureDim: number;
  mean: number[];
  /** Row-major featureDim × featureDim. */
  cov: number[];
  source: string;
}

/** Raw weights, independent of any tf engine (so a checkpoint-free tool can hand them around). */
export interface ClassifierWeights {
  w1: Float32Array; b1: Float32Array;
  w2: Float32Array; b2: Float32Array;
  w3: Float32Array; b3: Float32Array;
}

export const TENSOR_ORDER: (keyof ClassifierWeights)[] = ['w1', 'b1', 'w2', 'b2', 'w3', 'b3'];

export function tensorShapes(): Record<keyof ClassifierWeights, number[]> {
  const [a, b, c, d] = LAYER_SIZES;
  return { w1: [a, b], b1: [b], w2: [b, c], b2: [c], w3: [c, d], b3: [d] };
}

/** Finds media/classifier by walking up from this module (src/runtime/eval under tsx, dist/ when bundled). */
export function findClassifierDir(start: string = __dirname): string {
  let dir = start;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'media', 'classifier');
    if (fs.existsSync(path.join(candidate, CLASSIFIER_FILES.manifest))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`The MNIST classifier (media/classifier/${CLASSIFIER_FILES.manifest}) was not found above ${start}. Reinstall the extension, or run "node --import tsx scripts/train-classifier.ts" in the repository.`);
}

export function readClassifierFiles(dir: string = findClassifierDir()): { manifest: ClassifierManifest; weights: ClassifierWeights; reference: ReferenceStats } {
  const manifestFile = path.join(dir, CLASSIFIER_FILES.manifest);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as ClassifierManifest;
  if (manifest.format !== 'dcgan-studio/mnist-mlp@1') throw new Error(`${manifestFile}: unknown format ${JSON.stringify(manifest.format)}; expected "dcgan-studio/mnist-mlp@1".`);
  const binFile = path.join(dir, CLASSIFIER_FILES.weights);
  const buf = fs.readFileSync(binFile);
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const shapes = tensorShapes();
  const weights = {} as ClassifierWeights;
  for (const name of TENSOR_ORDER) {
    const entry = manifest.tensors.find((t) => t.name === name);
    if (!entry) throw new Error(`${manifestFile}: tensor "${name}" is missing.`);
    const size = shapes[name].reduce((x, y) => x * y, 1);
    if (entry.shape.join('x') !== shapes[name].join('x')) throw new Error(`${manifestFile}: tensor "${name}" has shape [${entry.shape}], expected [${shapes[name]}].`);
    if (entry.offset + size > all.length) throw new Error(`${binFile} is truncated: tensor "${name}" ends past its ${all.length} floats.`);
    weights[name] = all.slice(entry.offset, entry.offset + size);
  }
  const reference = JSON.parse(fs.readFileSync(path.join(dir, CLASSIFIER_FILES.reference), 'utf8')) as ReferenceStats;
  return { manifest, weights, reference };
}

/** The classifier bound to one tf engine. Call dispose() when done. */
export class MnistClassifier {
  private readonly vars: Record<keyof ClassifierWeights, tfc.Tensor>;

  constructor(private readonly tf: TF, weights: ClassifierWeights) {
    const shapes = tensorShapes();
    this.vars = {} as Record<keyof ClassifierWeights, tfc.Tensor>;
    for (const name of TENSOR_ORDER) this.vars[name] = tf.tensor(weights[name], shapes[name], 'float32');
  }

  /** x: [N, 784] in [0, 1]. Returns the 64 penultimate features and the logits. */
  forward(x: tfc.Tensor2D): { features: tfc.Tensor2D; logits: tfc.Tensor2D } {
    const tf = this.tf;
    return tf.tidy(() => {
      const v = this.vars;
      const h1 = tf.relu(tf.add(tf.matMul(x, v.w1 as tfc.Tensor2D), v.b1));
      const features = tf.relu(tf.add(tf.matMul(h1 as tfc.Tensor2D, v.w2 as tfc.Tensor2D), v.b2)) as tfc.Tensor2D;
      const logits = tf.add(tf.matMul(features, v.w3 as tfc.Tensor2D), v.b3) as tfc.Tensor2D;
      return { features, logits };
    });
  }

  /** Features, softmax probabilities and predicted class for [N, 784] pixels in [0, 1], in batches. */
  async judge(pixels: Float32Array, count: number, batchSize = 500): Promise<{ features: Float32Array; probs: Float32Array; predicted: Uint8Array }> {
    const tf = this.tf;
    const features = new Float32Array(count * FEATURE_DIM);
    const probs = new Float32Array(count * 10);
    const predicted = new Uint8Array(count);
    for (let start = 0; start < count; start += batchSize) {
      const n = Math.min(batchSize, count - start);
      const x = tf.tensor2d(pixels.subarray(start * 784, (start + n) * 784), [n, 784]);
      const { features: f, logits } = this.forward(x);
      const p = tf.softmax(logits);
      features.set(await f.data() as Float32Array, start * FEATURE_DIM);
      const pd = (await p.data()) as Float32Array;
      probs.set(pd, start * 10);
      for (let i = 0; i < n; i++) {
        let best = 0;
        for (let k = 1; k < 10; k++) if (pd[i * 10 + k] > pd[i * 10 + best]) best = k;
        predicted[start + i] = best;
      }
      tf.dispose([x, f, logits, p]);
    }
    return { features, probs, predicted };
  }

  dispose(): void {
    this.tf.dispose(Object.values(this.vars));
  }
}
