/**
 * Shared by the data tests: writes the Fashion-MNIST fixtures with test/fixtures/make_fixtures.py into a temp
 * folder, and decodes the Debian IDX original independently of the loaders under test, as the reference.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

export const FASHION_DIR = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
export const FASHION_TRAIN_IMAGES = path.join(FASHION_DIR, 'train-images-idx3-ubyte.gz');
export const FASHION_TRAIN_LABELS = path.join(FASHION_DIR, 'train-labels-idx1-ubyte.gz');
const REPO = path.resolve(__dirname, '../..');

export interface Manifest {
  count: number;
  labels_first: number[];
  nan_count: number;
  inf_count: number;
  constant_images: number[];
  standardized_range: [number, number];
  mean: number;
  std: number;
}

export function requireFashion(): void {
  if (!fs.existsSync(FASHION_TRAIN_IMAGES)) {
    throw new Error(`${FASHION_TRAIN_IMAGES} is missing: install Debian's Fashion-MNIST with "apt-get install -y dataset-fashion-mnist" (.ci/run does).`);
  }
}

export function makeFixtures(count = 2000): { dir: string; manifest: Manifest } {
  requireFashion();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-data-'));
  const stdout = execFileSync('python3', [path.join(REPO, 'test/fixtures/make_fixtures.py'), dir, String(count)], { encoding: 'utf8' });
  return { dir, manifest: JSON.parse(stdout.trim().split('\n').pop()!) as Manifest };
}

/** The first `count` images of the Fashion-MNIST training set, straight from the gzipped IDX bytes. */
export function fashionReference(count: number): Uint8Array {
  const bytes = zlib.gunzipSync(fs.readFileSync(FASHION_TRAIN_IMAGES));
  return new Uint8Array(bytes.subarray(16, 16 + count * 784));
}

export function fashionLabels(count: number): Uint8Array {
  const bytes = zlib.gunzipSync(fs.readFileSync(FASHION_TRAIN_LABELS));
  return new Uint8Array(bytes.subarray(8, 8 + count));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
