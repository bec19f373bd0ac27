// Statistics, scaling and lint verdicts on real Fashion-MNIST files, as the CLI and the editor see them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../../src/runtime/config/load';
import type { DcganConfig } from '../../src/runtime/config/types';
import { openDataset, readScaled } from '../../src/runtime/data/dataset';
import { checkConfigData, checkDatasetPath, datasetSummary } from '../../src/runtime/data/lint';
import { resolveScaling } from '../../src/runtime/data/scale';
import { computeStats } from '../../src/runtime/data/stats';
import type { Problem } from '../../src/runtime/problem';
import { FASHION_TRAIN_IMAGES, makeFixtures, removeDir, type Manifest } from './data-fixtures';

let dir: string;
let manifest: Manifest;
before(() => ({ dir, manifest } = makeFixtures(2000)));
after(() => removeDir(dir));
const f = (name: string) => path.join(dir, name);
const codes = (ps: Problem[]) => ps.map((p) => `${p.severity} ${p.code}`).sort();

/**
 * Writes a dcgan.json beside the fixtures and loads it the way the CLI does. 4×4 generator kernels unless the doc
 * says otherwise, so that the model's checkerboard warning (model-lint.test.ts) stays out of these data findings.
 */
function config(doc: { model?: object } & Record<string, unknown>, name = 'dcgan.json'): { config: DcganConfig; file: string } {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify({ ...doc, model: { generatorKernelSize: 4, ...doc.model } }, null, 2));
  const loaded = parseConfig(fs.readFileSync(file, 'utf8'), file);
  assert.deepEqual(loaded.problems, []);
  return { config: loaded.config!, file };
}

describe('stats', () => {
  it('match numpy on 2,000 images', async () => {
    const s = await computeStats(await openDataset(f('u8_nhw.npy')));
    assert.deepEqual([s.count, s.shape, s.dtype, s.min, s.max, s.nanCount, s.infCount, s.looks8Bit], [2000, [2000, 28, 28, 1], 'uint8', 0, 255, 0, 0, true]);
    assert.ok(Math.abs(s.mean - manifest.mean) < 1e-6, `${s.mean} vs ${manifest.mean}`);
    assert.ok(Math.abs(s.std - manifest.std) < 1e-4, `${s.std} vs ${manifest.std}`);
  });

  it('count NaN/Inf and flat images, and see through float storage', async () => {
    const nan = await computeStats(await openDataset(f('nan.npy')));
    assert.deepEqual([nan.nanCount, nan.infCount, nan.min, nan.max], [manifest.nan_count, manifest.inf_count, -1, 1]);
    assert.equal(nan.looks8Bit, false);
    const flat = await computeStats(await openDataset(f('constant.npy')));
    assert.deepEqual(flat.constantImages, { count: 3, first: manifest.constant_images });
    const i16 = await computeStats(await openDataset(f('i16.npy')));
    assert.equal(i16.looks8Bit, true);
  });

  it('60,000 Fashion-MNIST images, with the published mean and std', async () => {
    const ds = await openDataset(FASHION_TRAIN_IMAGES);
    const progress: number[] = [];
    const s = await computeStats(ds, { onProgress: (p) => progress.push(p) });
    console.log(`stats over 60,000×784 Fashion-MNIST: ${s.elapsedMs.toFixed(0)} ms`);
    assert.ok(Math.abs(s.mean - 72.9403) < 1e-3 && Math.abs(s.std - 90.0212) < 1e-3, `mean ${s.mean} std ${s.std}`);
    assert.equal(progress.at(-1), 1);
    // Around 0.4 s on an idle 2-core machine. Speed is the bench's to judge, not a test's: the cores are shared.
  });

  it('stop when the signal aborts', async () => {
    const ds = await openDataset(FASHION_TRAIN_IMAGES);
    const ac = new AbortController();
    await assert.rejects(computeStats(ds, { signal: ac.signal, onProgress: () => ac.abort(new Error('stop')) }), /stop/);
  });
});

describe('scaling', () => {
  const u8 = { dtype: 'uint8', min: 0, max: 255 } as const;
  it('"auto" maps 8-bit data from [0,255], even when dark', () => {
    const s = resolveScaling('auto', u8, 'tanh');
    assert.equal(s.scale, 1 / 127.5);
    assert.equal(s.offset, -1);
    assert.deepEqual(resolveScaling('auto', { dtype: 'uint8', min: 3, max: 200 }, 'tanh').from, [0, 255]);
    const sig = resolveScaling('auto', u8, 'sigmoid');
    assert.deepEqual([sig.scale, sig.offset], [1 / 255, 0]);
  });
  it('"auto" on floats: identity when already the output range, nominal [0,1] snapped, else the observed range', () => {
    const id = resolveScaling('auto', { dtype: 'float32', min: -1, max: 0.99 }, 'tanh');
    assert.deepEqual([id.scale, id.offset, id.from], [1, 0, null]);
    const unit = resolveScaling('auto', { dtype: 'float32', min: 0, max: 0.98 }, 'tanh');
    assert.deepEqual([unit.scale, unit.offset, unit.from], [2, -1, [0, 1]]);
    const odd = resolveScaling('auto', { dtype: 'float64', min: -3.2, max: 7.9 }, 'tanh');
    assert.deepEqual(odd.from, [-3.2, 7.9]);
    assert.ok(Math.abs(-3.2 * odd.scale + odd.offset + 1) < 1e-12 && Math.abs(7.9 * odd.scale + odd.offset - 1) < 1e-12);
  });
  it('"none" and {from}', () => {
    assert.deepEqual([resolveScaling('none', u8, 'tanh').scale, resolveScaling('none', u8, 'tanh').offset], [1, 0]);
    const from = resolveScaling({ from: [0, 1] }, u8, 'tanh');
    assert.deepEqual([from.scale, from.offset, from.from], [2, -1, [0, 1]]);
  });
});

describe('lint verdicts on bare datasets (fed as stored into tanh)', () => {
  it('[0,255] uint8 .npy is data/out-of-range, explained, with "auto" as the preferred fix', async () => {
    const r = await checkDatasetPath(f('u8_nhw.npy'));
    assert.deepEqual(codes(r.problems), ['error data/out-of-range']);
    const p = r.problems[0];
    assert.match(p.message, /\[0, 255\]/);
    assert.match(p.message, /separate real from fake by range alone/);
    assert.ok(p.message.includes(f('u8_nhw.npy')));
    assert.deepEqual(p.location?.path, ['data', 'path']);
    const preferred = p.fixes!.find((x) => x.isPreferred)!;
    assert.deepEqual(preferred.edits, [{ path: ['data', 'scale'], value: 'auto' }]);
    assert.ok(p.fixes!.some((x) => JSON.stringify(x.edits[0].value) === '{"from":[0,255]}'));
  });

  it('the same verdict for IDX, npz, int16 and NCHW storage of the same pixels', async () => {
    for (const name of ['idxgz/train-images-idx3-ubyte.gz', 'compressed.npz', 'i16.npy', 'u8_nchw.npy', 'be_u2.npy']) {
      assert.deepEqual(codes((await checkDatasetPath(f(name))).problems), ['error data/out-of-range'], name);
    }
  });

  it('float32 and float64 in [-1,1] are clean', async () => {
    for (const name of ['f32_pm1.npy', 'f64_pm1.npy', 'be_f4.npy']) assert.deepEqual((await checkDatasetPath(f(name))).problems, [], name);
  });

  it('[0,1] is data/partial-range with {"from":[0,1]} offered', async () => {
    const r = await checkDatasetPath(f('f32_01.npy'));
    assert.deepEqual(codes(r.problems), ['warning data/partial-range']);
    assert.ok(r.problems[0].fixes!.some((x) => JSON.stringify(x.edits[0].value) === '{"from":[0,1]}'));
  });

  it('NaN and Inf are data/non-finite with the counts', async () => {
    const r = await checkDatasetPath(f('nan.npy'));
    assert.deepEqual(codes(r.problems), ['error data/non-finite']);
    assert.match(r.problems[0].message, /3 NaN and 1 infinite values/);
  });

  it('flat images are data/constant-images', async () => {
    const r = await checkDatasetPath(f('constant.npy'));
    assert.deepEqual(codes(r.problems), ['error data/out-of-range', 'warning data/constant-images']);
    assert.match(r.problems.find((p) => p.code === 'data/constant-images')!.message, /3 of 2,000 images .* #2, #5, #9/);
  });

  it('fewer images than a batch is data/too-few-images with a smaller batch size as the fix', async () => {
    const r = await checkDatasetPath(f('few.npy'));
    const p = r.problems.find((x) => x.code === 'data/too-few-images')!;
    assert.equal(p.severity, 'error');
    assert.deepEqual(p.fixes![0].edits, [{ path: ['training', 'batchSize'], value: 8 }]);
  });

  it('30×30 arrays are config/shape-mismatch', async () => {
    assert.ok((await checkDatasetPath(f('odd_size.npy'))).problems.some((p) => p.code === 'config/shape-mismatch' && /30×30/.test(p.message)));
  });

  it('unreadable files are data/unreadable naming the file', async () => {
    const r = await checkDatasetPath(f('garbage.npy'));
    assert.deepEqual(codes(r.problems), ['error data/unreadable']);
    assert.ok(r.problems[0].message.includes(f('garbage.npy')));
  });
});

describe('checkConfigData (as configured)', () => {
  it('"auto" on uint8 is clean, with scale 1/127.5 and offset -1, and batches land in [-1,1]', async () => {
    const { config: c, file } = config({ data: { path: 'u8_nhw.npy', scale: 'auto' } });
    const r = await checkConfigData(c, dir, file, { keepOpen: true });
    assert.deepEqual(r.problems, []);
    assert.deepEqual([r.scaling!.scale, r.scaling!.offset], [1 / 127.5, -1]);
    const fed = new Float32Array(64 * 784);
    await readScaled(r.dataset!, Array.from({ length: 64 }, (_, i) => i), fed, r.scaling!);
    assert.equal(Math.min(...fed), -1);
    assert.equal(Math.max(...fed), 1);
    const summary = datasetSummary(r.dataset!, r.stats, r.scaling!);
    assert.deepEqual([summary.count, summary.min, summary.max, summary.fedMin, summary.fedMax], [2000, 0, 255, -1, 1]);
    await r.dataset!.close();
  });

  it('scale "none" puts the out-of-range error on data.path of the config file', async () => {
    const { config: c, file } = config({ data: { path: 'u8_nhw.npy', scale: 'none' } });
    const r = await checkConfigData(c, dir, file);
    assert.deepEqual(codes(r.problems), ['error data/out-of-range']);
    assert.equal(r.problems[0].file, file);
    assert.deepEqual(r.problems[0].location?.path, ['data', 'path']);
    assert.equal(r.dataset, undefined);
  });

  it('standardized floats under "auto" are data/odd-range with an explicit {from} fix; under "none" out of range', async () => {
    const auto = await checkConfigData(config({ data: { path: 'standardized.npy' } }).config, dir);
    assert.deepEqual(codes(auto.problems), ['warning data/odd-range']);
    const [lo, hi] = manifest.standardized_range;
    const fix = auto.problems[0].fixes![0].edits[0].value as { from: [number, number] };
    assert.ok(fix.from[0] <= lo && fix.from[0] > lo - 0.002 && fix.from[1] >= hi && fix.from[1] < hi + 0.002, JSON.stringify(fix));
    const none = await checkConfigData(config({ data: { path: 'standardized.npy', scale: 'none' } }).config, dir);
    assert.deepEqual(codes(none.problems), ['error data/out-of-range']);
  });

  it('{"from":[0,1]} on [0,255] data is still out of range', async () => {
    const r = await checkConfigData(config({ data: { path: 'u8_nhw.npy', scale: { from: [0, 1] } } }).config, dir);
    assert.deepEqual(codes(r.problems), ['error data/out-of-range']);
    assert.match(r.problems[0].message, /\[-1, 509\]/);
  });

  it('model.imageSize that arrays cannot meet is config/shape-mismatch with a fix to the data size', async () => {
    const r = await checkConfigData(config({ data: { path: 'u8_nhw.npy' }, model: { imageSize: 32 } }).config, dir);
    const p = r.problems.find((x) => x.code === 'config/shape-mismatch')!;
    assert.deepEqual(p.location?.path, ['model', 'imageSize']);
    assert.deepEqual(p.fixes![0].edits, [{ path: ['model', 'imageSize'], value: 28 }]);
  });

  it('model.channels 1 on RGB arrays is data/channel-mismatch', async () => {
    const r = await checkConfigData(config({ data: { path: 'rgb_nhwc.npy' }, model: { channels: 1 } }).config, dir);
    assert.deepEqual(codes(r.problems), ['error data/channel-mismatch']);
    assert.deepEqual(r.problems[0].fixes![0].edits, [{ path: ['model', 'channels'], value: 3 }]);
  });

  it('a missing data.path names the resolved path and the key', async () => {
    const { config: c, file } = config({ data: { path: 'data/missing.npy' } });
    const r = await checkConfigData(c, dir, file);
    assert.deepEqual(codes(r.problems), ['error config/data-path-missing']);
    assert.ok(r.problems[0].message.includes(path.join(dir, 'data/missing.npy')));
    assert.match(r.problems[0].message, /data\.path/);
    assert.equal(r.problems[0].file, file);
  });

  it('data.limit below the batch size is too few images', async () => {
    const r = await checkConfigData(config({ data: { path: 'f32_pm1.npy', limit: 20 } }).config, dir);
    assert.deepEqual(codes(r.problems), ['error data/too-few-images']);
  });
});
