/**
 * The sweep's measure for shapes the MNIST classifier cannot judge (eval/pixelFrechet.ts) tracks quality on a case
 * that can be checked: real images (MNIST digits padded to 32×32, grey and tinted RGB) against other real images
 * score low, and each degradation scores higher the stronger it is: blur, noise, washed-out range, and a collapse
 * onto ten images.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openDataset } from '../../src/runtime/data/dataset';
import { fitPixelFeatures, pixelFrechetDistance, type ImageBatch } from '../../src/runtime/eval/pixelFrechet';
import { ensureBuilt } from './cli-helpers';

const N = 600;
const SIZE = 32;

/** Digits `offset`… padded from 28 to 32, in [0, 1]; with 3 channels each image gets its own tint. */
async function digits(offset: number, channels: 1 | 3): Promise<ImageBatch> {
  const ds = await openDataset('builtin:mnist', {});
  const raw = new Float32Array(N * 784);
  await ds.read(Array.from({ length: N }, (_, i) => offset + i), raw);
  await ds.close();
  const pixels = new Float32Array(N * SIZE * SIZE * channels);
  for (let i = 0; i < N; i++) {
    const tint = [0.4 + 0.15 * ((i * 7) % 5), 0.4 + 0.2 * ((i * 3) % 4), 1];
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) for (let c = 0; c < channels; c++) {
      pixels[((i * SIZE + y + 2) * SIZE + x + 2) * channels + c] = (raw[i * 784 + y * 28 + x] / 255) * (channels === 3 ? tint[c] : 1);
    }
  }
  return { pixels, count: N, size: SIZE, channels };
}

function map(b: ImageBatch, f: (v: number) => number): ImageBatch {
  return { ...b, pixels: b.pixels.map((v) => Math.min(1, Math.max(0, f(v)))) };
}

function boxBlur(b: ImageBatch, r: number): ImageBatch {
  const { size: s, channels: C } = b;
  const out = new Float32Array(b.pixels.length);
  for (let n = 0; n < b.count; n++) for (let y = 0; y < s; y++) for (let x = 0; x < s; x++) for (let c = 0; c < C; c++) {
    let sum = 0, k = 0;
    for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) {
      const yy = y + dy, xx = x + dx;
      if (yy < 0 || xx < 0 || yy >= s || xx >= s) continue;
      sum += b.pixels[((n * s + yy) * s + xx) * C + c];
      k++;
    }
    out[((n * s + y) * s + x) * C + c] = sum / k;
  }
  return { ...b, pixels: out };
}

let seed = 1;
function gauss(): number {
  const u = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  return Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * u());
}

before(() => ensureBuilt()); // builds media/builtin

for (const channels of [1, 3] as const) {
  describe(`pixel Fréchet distance, ${SIZE}×${SIZE}×${channels}`, () => {
    let real: ImageBatch;
    let other: ImageBatch;
    let fd: (b: ImageBatch) => number;
    before(async () => {
      real = await digits(0, channels);
      other = await digits(5000, channels);
      const space = fitPixelFeatures(real);
      fd = (b) => pixelFrechetDistance(real, b, space);
    });

    test('other real images are close; each degradation is farther the stronger it is', () => {
      const base = fd(other);
      const blur = [fd(boxBlur(other, 1)), fd(boxBlur(other, 2))];
      const noise = [0.1, 0.2].map((s) => fd(map(other, (v) => v + s * gauss())));
      const washed = fd(map(other, (v) => 0.5 + 0.5 * v));
      const per = SIZE * SIZE * channels;
      const collapsed = fd({ ...other, pixels: other.pixels.map((_, i) => other.pixels[(Math.floor(i / per) % 10) * per + (i % per)]) });
      const all = { base, blur, noise, washed, collapsed };
      const f = (x: number) => x.toFixed(1);
      console.log(`# ${SIZE}×${SIZE}×${channels}: other real ${f(base)}; box blur r 1, 2: ${blur.map(f).join(', ')}; noise σ 0.1, 0.2: ${noise.map(f).join(', ')}; washed out ${f(washed)}; collapsed onto 10 ${f(collapsed)}`);
      assert.ok(base < 4, `real vs real: ${JSON.stringify(all)}`);
      assert.ok(base < blur[0] && blur[0] < blur[1], `blur: ${JSON.stringify(all)}`);
      assert.ok(base < noise[0] && noise[0] < noise[1], `noise: ${JSON.stringify(all)}`);
      assert.ok(washed > 5 * base && collapsed > 5 * base, `range and collapse: ${JSON.stringify(all)}`);
      assert.equal(fd(real), fd(real), 'deterministic');
      assert.ok(fd(real) < 1e-6, 'zero against itself');
    });
  });
}
