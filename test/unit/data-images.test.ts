// Image folders built from real Fashion-MNIST pixels: PNG and JPEG, nested folders, a corrupt file, a truncated
// file, mixed sizes, colour, resizing and center-cropping.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import { DatasetError, openDataset } from '../../src/runtime/data/dataset';
import { checkDatasetPath } from '../../src/runtime/data/lint';
import { computeStats } from '../../src/runtime/data/stats';
import { fashionReference } from './data-fixtures';

const SIZE = 784;
const ref = fashionReference(200);
let root: string;
const image = (i: number) => ref.subarray(i * SIZE, (i + 1) * SIZE);

/** Writes a w×h PNG; `pixel(x, y)` gives [r, g, b]. colorType 0 stores gray, 2 stores RGB. */
function writePng(file: string, w: number, h: number, pixel: (x: number, y: number) => [number, number, number], colorType: 0 | 2 = 0) {
  const png = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const [r, g, b] = pixel(x, y);
    png.data.set([r, g, b, 255], (y * w + x) * 4);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, PNG.sync.write(png, { colorType }));
}

const gray = (i: number) => (x: number, y: number): [number, number, number] => {
  const v = image(i)[y * 28 + x];
  return [v, v, v];
};

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-images-'));
  // Folder "plain": 100 gray PNGs in two nested folders, plus 10 JPEGs.
  for (let i = 0; i < 100; i++) writePng(path.join(root, 'plain', i < 50 ? 'a' : 'b/c', `img-${String(i).padStart(3, '0')}.png`), 28, 28, gray(i));
  for (let i = 100; i < 110; i++) {
    const data = Buffer.alloc(SIZE * 4);
    for (let j = 0; j < SIZE; j++) data.set([ref[i * SIZE + j], ref[i * SIZE + j], ref[i * SIZE + j], 255], j * 4);
    fs.writeFileSync(path.join(root, 'plain', `photo-${i}.jpg`), jpeg.encode({ data, width: 28, height: 28 }, 100).data);
  }
  // Folder "messy": good PNGs, a corrupt one, a truncated one, and one twice the size (resized back down).
  for (let i = 0; i < 70; i++) writePng(path.join(root, 'messy', `ok-${String(i).padStart(3, '0')}.png`), 28, 28, gray(i));
  fs.writeFileSync(path.join(root, 'messy', 'corrupt.png'), Buffer.from('definitely not an image, just text with a .png name'));
  const whole = fs.readFileSync(path.join(root, 'messy', 'ok-000.png'));
  fs.writeFileSync(path.join(root, 'messy', 'truncated.png'), whole.subarray(0, 60));
  // 56×56 by repeating each pixel 2×2: an area-average back to 28×28 must give the original exactly.
  writePng(path.join(root, 'messy', 'zz-big.png'), 56, 56, (x, y) => gray(150)(x >> 1, y >> 1));
  // 40 wide × 28 high with the image in the middle 28 columns: center-crop must find it exactly.
  writePng(path.join(root, 'wide', 'wide.png'), 40, 28, (x, y) => (x >= 6 && x < 34 ? gray(151)(x - 6, y) : [255, 0, 255]), 2);
  // Folder "rgb": colour PNGs whose planes differ.
  for (let i = 0; i < 20; i++) writePng(path.join(root, 'rgb', `c-${String(i).padStart(2, '0')}.png`), 28, 28, (x, y) => { const v = image(i)[y * 28 + x]; return [v, 255 - v, v >> 1]; }, 2);
  fs.mkdirSync(path.join(root, 'empty'));
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

describe('image folders', () => {
  it('PNGs (nested) come back pixel-exact at their own size; JPEGs close', async () => {
    const ds = await openDataset(path.join(root, 'plain'));
    assert.deepEqual([ds.format, ds.dtype, ds.count, ds.height, ds.width, ds.channels], ['images', 'uint8', 110, 28, 28, 1]);
    assert.deepEqual(ds.problems, []);
    // Sorted walk: a/img-000..049, b/c/img-050..099, then photo-100..109.
    const out = new Float32Array(3 * SIZE);
    await ds.read([0, 99, 49], out);
    assert.deepEqual([...out.subarray(0, SIZE)], [...image(0)]);
    assert.deepEqual([...out.subarray(SIZE, 2 * SIZE)], [...image(99)]);
    assert.deepEqual([...out.subarray(2 * SIZE)], [...image(49)]);
    const jpg = new Float32Array(SIZE);
    await ds.read([105], jpg);
    const mae = jpg.reduce((s, v, j) => s + Math.abs(v - ref[105 * SIZE + j]), 0) / SIZE;
    assert.ok(mae < 3, `JPEG mean abs error ${mae}`);
  });

  it('names the corrupt file, warns about mixed sizes, and keeps the rest', async () => {
    const ds = await openDataset(path.join(root, 'messy'));
    assert.equal(ds.count, 72); // 70 ok + truncated (header fine) + big; corrupt skipped
    const corrupt = ds.problems.find((p) => p.code === 'data/unreadable')!;
    assert.equal(corrupt.file, path.join(root, 'messy', 'corrupt.png'));
    assert.match(corrupt.message, /corrupt\.png is not a readable PNG or JPEG/);
    const mixed = ds.problems.find((p) => p.code === 'data/mixed-sizes')!;
    assert.equal(mixed.severity, 'warning');
    assert.match(mixed.message, /ok-000\.png is 28×28 and .*zz-big\.png is 56×56/);
    // The 56×56 image (each pixel doubled) comes back at 28×28 through PIL's antialiased bilinear filter, as
    // torchvision would: the same picture, a little softer (data-decode.test.ts checks it against torchvision).
    const big = new Float32Array(SIZE);
    await ds.read([ds.count - 1], big);
    const mae = big.reduce((s, v, j) => s + Math.abs(v - image(150)[j]), 0) / SIZE;
    const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
    assert.ok(mae > 0 && mae < 12, `mean abs difference ${mae}`);
    assert.ok(Math.abs(mean(big) - mean(image(150))) < 1, 'brightness kept');
  });

  it('a truncated file is found when its pixels are read (stats), named once, and its place taken by the next image', async () => {
    const ds = await openDataset(path.join(root, 'messy'));
    const stats = await computeStats(ds);
    const truncated = ds.problems.filter((p) => p.code === 'data/unreadable' && p.file?.endsWith('truncated.png'));
    assert.equal(truncated.length, 1);
    assert.match(truncated[0].message, /truncated\.png cannot be decoded .*it is left out and the next image takes its place/);
    assert.equal(stats.constantImages.count, 0, 'no black stand-in');
    // Sorted: ok-000..069, truncated.png (70), zz-big.png (71). Reading 70 gives 71's pixels.
    const a = new Float32Array(SIZE);
    const b = new Float32Array(SIZE);
    await ds.read([70], a);
    await ds.read([71], b);
    assert.deepEqual([...a], [...b]);
    await ds.close();
  });

  it('lint on the folder reports all of it, with the classic range error first', async () => {
    const r = await checkDatasetPath(path.join(root, 'messy'));
    assert.equal(r.problems[0].code, 'data/out-of-range');
    const codes = r.problems.map((p) => p.code).sort();
    // The truncated file is left out (its place taken by another image), so no flat image stands in for it.
    assert.deepEqual(codes, ['data/mixed-sizes', 'data/out-of-range', 'data/unreadable', 'data/unreadable']);
  });

  it('center-crops a wide image', async () => {
    const ds = await openDataset(path.join(root, 'wide'), { channels: 1 });
    assert.deepEqual([ds.height, ds.width, ds.channels], [28, 28, 1]);
    const out = new Float32Array(SIZE);
    await ds.read([0], out);
    assert.deepEqual([...out], [...image(151)]);
  });

  it('colour: 3 channels in order, or luminance when 1 channel is asked for; resized to imageSize', async () => {
    const ds = await openDataset(path.join(root, 'rgb'));
    assert.equal(ds.channels, 3);
    const out = new Float32Array(SIZE * 3);
    await ds.read([7], out);
    for (let j = 0; j < SIZE; j++) assert.deepEqual([out[j * 3], out[j * 3 + 1], out[j * 3 + 2]], [image(7)[j], 255 - image(7)[j], image(7)[j] >> 1]);
    const grayDs = await openDataset(path.join(root, 'rgb'), { channels: 1, imageSize: 16 });
    assert.deepEqual([grayDs.height, grayDs.channels], [16, 1]);
    const small = new Float32Array(256);
    await grayDs.read([7], small);
    assert.ok(small.some((v) => v > 0) && small.every((v) => v >= 0 && v <= 255));
  });

  it('a folder without images is data/empty', async () => {
    await assert.rejects(openDataset(path.join(root, 'empty')), (e: unknown) => e instanceof DatasetError && e.problem.code === 'data/empty');
  });
});
