/**
 * Shared by the sweep tests: the seed's failure as a tiny config. Real 8-bit images (Fashion-MNIST from Debian's
 * dataset-fashion-mnist when installed, as CI does; else the built-in MNIST digits, also uint8) fed with
 * data.scale "none", i.e. [0, 255] into a tanh generator, with a model small enough to train 40 steps in seconds.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const FASHION = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz';

export function seedFailureData(): { path: string; name: string } {
  return fs.existsSync(FASHION) ? { path: FASHION, name: 'Fashion-MNIST' } : { path: 'builtin:mnist', name: 'the built-in MNIST digits (dataset-fashion-mnist is not installed)' };
}

export function writeTinyConfig(dir: string, name: string, overrides: { steps?: number; checkpointEvery?: number; scale?: string } = {}): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify({
    data: { path: seedFailureData().path, limit: 512, scale: overrides.scale ?? 'none' },
    model: { latentDim: 16, generatorFilters: 8, discriminatorFilters: 8 },
    training: { batchSize: 16, steps: overrides.steps ?? 40, seed: 7 },
    output: { dir: 'runs', sampleEvery: 20, checkpointEvery: overrides.checkpointEvery ?? 20, sampleCount: 16 },
  }, null, 2));
  return file;
}

/** Waits until `ok()` or fails with `what` after `timeoutMs`. */
export async function waitUntil(what: string, ok: () => boolean | Promise<boolean>, timeoutMs: number, pollMs = 300): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting until ${what}`);
}

/** The start events of a run's metrics.jsonl: their steps (0 for a fresh start, the checkpoint's for a resume). */
export function startSteps(runDir: string): number[] {
  return fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"event":"start"')).map((l) => (JSON.parse(l) as { step: number }).step);
}
