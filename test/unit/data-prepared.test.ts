// The prepared cache (keyed, atomic, never through links, bounded when read back, its [0,255] scaling recorded),
// the decode pool (ends with the dataset; a file that breaks mid-epoch is named and replaced), and the one
// sampler (lint and training decode the same images of a folder).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { defaultConfig } from '../../src/runtime/config/load';
import { openDataset } from '../../src/runtime/data/dataset';
import { DecodePool } from '../../src/runtime/data/decodePool';
import { ImageFolderDataset } from '../../src/runtime/data/imageFolder';
import { checkConfigData, preparedLocation } from '../../src/runtime/data/lint';
import { CacheBuilder, CACHE_SUFFIX, type CacheHeader } from '../../src/runtime/data/preparedCache';
import { STATS_SAMPLE_SIZE, statsSample } from '../../src/runtime/data/sampler';
import { BatchStream } from '../../src/runtime/data/batches';
import { Rng } from '../../src/runtime/train/rng';
import type { TF } from '../../src/runtime/backend/select';
import type { Problem } from '../../src/runtime/problem';

let root: string;
const fixtures = path.join(__dirname, '..', 'fixtures', 'images');

function writePng(file: string, seed: number, w = 12, h = 10): void {
  const png = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) png.data.set([(seed * 37 + i * 11) & 255, (seed * 5 + i * 3) & 255, (seed + i * 7) & 255, 255], i * 4);
  fs.writeFileSync(file, PNG.sync.write(png, { colorType: 2 }));
}

function folder(name: string, n: number): string {
  const dir = path.join(root, name, 'images');
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < n; i++) writePng(path.join(dir, `img-${String(i).padStart(4, '0')}.png`), i);
  return path.dirname(dir);
}

/** Opens `dir` as training does: the prepared cache in its .dcgan-cache, written as images are decoded. */
async function openForTraining(dir: string, write = true): Promise<ImageFolderDataset> {
  return (await openDataset(dir, { imageSize: 8, channels: 3, decodeWorkers: 1, prepared: { dir: path.join(dir, '.dcgan-cache'), root: dir, write } })) as ImageFolderDataset;
}

async function readAll(ds: ImageFolderDataset): Promise<Uint8Array> {
  return ds.readRaw(Array.from({ length: ds.count }, (_, i) => i));
}

const cacheFiles = (dir: string) => (fs.existsSync(path.join(dir, '.dcgan-cache')) ? fs.readdirSync(path.join(dir, '.dcgan-cache')).filter((f) => f.endsWith(CACHE_SUFFIX)) : []);

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-prepared-'));
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

describe('prepared cache', () => {
  it('is written once every image is decoded, then serves the same pixels; it records raw [0,255] pixels, and the scaling still maps them onto [-1,1]', async () => {
    const dir = folder('plain', 40);
    const ds = await openForTraining(dir);
    const decoded = await readAll(ds);
    assert.ok(ds.preparedCacheFile, 'written after the first pass');
    const [name] = cacheFiles(dir);
    assert.equal(fs.readdirSync(path.join(dir, '.dcgan-cache')).length, 1, 'no temp file left');
    const bytes = fs.readFileSync(path.join(dir, '.dcgan-cache', name));
    const header = JSON.parse(bytes.subarray(12, 12 + bytes.readUInt32LE(8)).toString()) as CacheHeader;
    assert.deepEqual([header.dtype, header.pixels.range, header.count, header.height, header.channels], ['uint8', [0, 255], 40, 8, 3]);
    await ds.close();
    const again = await openForTraining(dir);
    assert.match(again.servedFrom, /prepared cache/);
    assert.deepEqual(await readAll(again), decoded);
    await again.close();
    // Training through the cache: uint8, so "auto" maps [0, 255] onto [-1, 1], as without it.
    const config = defaultConfig();
    config.data = { path: dir, scale: 'auto' };
    config.model.imageSize = 8;
    const check = await checkConfigData(config, root, undefined, { keepOpen: true, writeCache: true, decodeWorkers: 1 });
    assert.match(String((check.dataset as ImageFolderDataset).servedFrom), /prepared cache/);
    assert.deepEqual([check.scaling?.scale, check.scaling?.offset], [2 / 255, -1]);
    await check.dataset?.close();
  });

  it('is keyed by the files: a changed file gets a new cache, and the stale one is deleted once the new one is complete', async () => {
    const dir = folder('changing', 20);
    const ds = await openForTraining(dir);
    await readAll(ds);
    await ds.close();
    const [before] = cacheFiles(dir);
    writePng(path.join(dir, 'images', 'img-0003.png'), 99);
    fs.utimesSync(path.join(dir, 'images', 'img-0003.png'), new Date(), new Date(Date.now() + 5000));
    const changed = await openForTraining(dir);
    assert.doesNotMatch(changed.servedFrom, /prepared cache/, 'the old cache is not used');
    await readAll(changed);
    const after = cacheFiles(dir);
    assert.equal(after.length, 1);
    assert.notEqual(after[0], before);
    await changed.close();
  });

  it('lint reads a cache but never writes one', async () => {
    const dir = folder('lintonly', 12);
    const ds = await openForTraining(dir, false);
    await readAll(ds);
    await ds.close();
    assert.deepEqual(cacheFiles(dir), []);
  });

  it('is never read or written through links, and a damaged or lying cache file is refused before anything is allocated', async () => {
    const dir = folder('hostile', 16);
    const ds = await openForTraining(dir);
    await readAll(ds);
    await ds.close();
    const cacheDir = path.join(dir, '.dcgan-cache');
    const [name] = cacheFiles(dir);
    const file = path.join(cacheDir, name);
    const good = fs.readFileSync(file);
    const refused = async (why: RegExp) => {
      const d = await openForTraining(dir, false);
      assert.doesNotMatch(d.servedFrom, /prepared cache/);
      assert.match(d.problems.find((p) => p.code === 'data/cache')?.message ?? '', why);
      await d.close();
    };
    // A link in the cache's place, to a copy of the real thing: refused all the same.
    fs.writeFileSync(path.join(root, 'elsewhere'), good);
    fs.rmSync(file);
    fs.symlinkSync(path.join(root, 'elsewhere'), file);
    await refused(/not a plain file/);
    fs.rmSync(file);
    // Cut short, a header length past its room, a trailer that claims gigabytes, another key.
    fs.writeFileSync(file, good.subarray(0, good.length - 100));
    await refused(/incomplete or damaged/);
    const long = Buffer.from(good);
    long.writeUInt32LE(0x7fffffff, 8);
    fs.writeFileSync(file, long);
    await refused(/claims a 2147483647-byte header/);
    const headerLength = good.readUInt32LE(8);
    const header = JSON.parse(good.subarray(12, 12 + headerLength).toString()) as CacheHeader;
    const rewrite = (h: object) => {
      const json = Buffer.from(JSON.stringify(h));
      const b = Buffer.from(good);
      b.fill(0x20, 12, 65536);
      b.writeUInt32LE(json.length, 8);
      json.copy(b, 12);
      fs.writeFileSync(file, b);
    };
    rewrite({ ...header, trailerBytes: 2 ** 40 });
    await refused(/trailer claims/);
    rewrite({ ...header, key: 'f'.repeat(64) });
    await refused(/key differs/);
    rewrite({ ...header, pixels: { range: [0, 1] } });
    await refused(/raw 8-bit pixels in \[0, 255\]/);
    // The cache folder itself a link: nothing is written through it, and training goes on decoding.
    fs.rmSync(cacheDir, { recursive: true });
    fs.mkdirSync(path.join(root, 'trap'));
    fs.symlinkSync(path.join(root, 'trap'), cacheDir);
    const d = await openForTraining(dir);
    await readAll(d);
    assert.match(d.problems.find((p) => p.code === 'data/cache')?.message ?? '', /is not written .*a symlink/);
    assert.deepEqual(fs.readdirSync(path.join(root, 'trap')), []);
    await d.close();
  });
});

describe('prepared cache: where and how much', () => {
  it('is not started without room for it on the disk, and nothing is left behind', () => {
    const dir = path.join(root, 'full-disk');
    // 20 million 128×128×3 images: about a terabyte, more than any disk here has free.
    const spec = { source: dir, entries: new Array(20_000_000) as [], size: 128, channels: 3 as const };
    assert.throws(() => CacheBuilder.start(root, dir, spec, 'k'.repeat(64), 'test'), /it needs 9\d\d\.\d GiB and .* free \(256 MiB is kept free\)/);
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it('a temp file left by a killed run is removed when the next one starts, once it has been untouched for an hour', async () => {
    const dir = folder('killed', 8);
    const ds = await openForTraining(dir);
    await ds.readRaw([0]); // starts the builder: its temp file is there
    const cacheDir = path.join(dir, '.dcgan-cache');
    const [tmp] = fs.readdirSync(cacheDir).filter((f) => f.endsWith('.tmp'));
    assert.ok(tmp, 'the unfinished cache is a temp file');
    const abandoned = path.join(cacheDir, tmp.replace(/\.[0-9a-f]{16}\.tmp$/, '.0123456789abcdef.tmp'));
    fs.copyFileSync(path.join(cacheDir, tmp), abandoned);
    const recent = abandoned.replace('0123456789abcdef', 'fedcba9876543210');
    fs.copyFileSync(path.join(cacheDir, tmp), recent);
    const old = new Date(Date.now() - 2 * 3600_000);
    fs.utimesSync(abandoned, old, old);
    await ds.close(); // a stopped run removes its own
    assert.ok(!fs.existsSync(path.join(cacheDir, tmp)));
    const next = await openForTraining(dir);
    await next.readRaw([0]);
    assert.ok(!fs.existsSync(abandoned), 'an hour-old temp file is removed');
    assert.ok(fs.existsSync(recent), 'a recent one may belong to a run still writing');
    await next.close();
  });

  it('lives beside the config unless data.cacheDir says where, and data.cacheDir may not lead out of the config\'s folder', () => {
    const config = defaultConfig();
    const base = path.join(root, 'project');
    config.data = { path: 'faces', scale: 'auto' };
    assert.deepEqual(preparedLocation(config, base, path.join(base, 'faces'), true), { dir: path.join(base, '.dcgan-cache'), root: base, write: true });
    config.data.cacheDir = 'cache/here';
    assert.deepEqual(preparedLocation(config, base, path.join(base, 'faces'), false), { dir: path.join(base, 'cache', 'here'), root: base, write: false });
    config.data.cacheDir = '../elsewhere';
    const refused = preparedLocation(config, base, path.join(base, 'faces'), true);
    assert.ok(refused && 'code' in refused && refused.code === 'data/cache');
    assert.deepEqual(refused.location, { path: ['data', 'cacheDir'] });
    assert.match(refused.message, /outside the config's folder/);
    config.data.cache = false;
    assert.equal(preparedLocation(config, base, path.join(base, 'faces'), true), undefined);
  });
});

describe('decode pool', () => {
  it('decodes off the calling thread and ends its threads on close', async () => {
    const pool = new DecodePool(2);
    assert.equal(pool.size, 2);
    const files = ['rgb.png', 'baseline.jpg', 'palette.png'].map((f) => path.join(fixtures, f));
    const r = await pool.decode({ files, size: 16, channels: 3, decoder: 'auto' });
    assert.equal(r.pixels.length, 3 * 16 * 16 * 3);
    assert.deepEqual(r.failed, []);
    assert.ok(pool.threads > 0);
    await pool.close();
    assert.equal(pool.threads, 0, 'no decode thread left running');
    await assert.rejects(pool.decode({ files, size: 16, channels: 3, decoder: 'auto' }), /closed/);
  });

  it('a file that breaks in the middle of an epoch is named once, as data/unreadable, and the batch is refilled from other images', async () => {
    const dir = folder('midepoch', 64);
    const ds = (await openDataset(dir, { imageSize: 8, channels: 3, decodeWorkers: 1 })) as ImageFolderDataset;
    // After the header pass: the file is cut short, as an interrupted copy would leave it.
    const victim = path.join(dir, 'images', 'img-0010.png');
    fs.writeFileSync(victim, fs.readFileSync(victim).subarray(0, 60));
    const seen: Problem[] = [];
    const tf = { tensor4d: (data: Float32Array, shape: number[]) => ({ data, shape }) } as unknown as TF;
    const stream = new BatchStream(tf, ds, 32, { scale: 1, offset: 0 }, new Rng(3), (p) => seen.push(p));
    for (let i = 0; i < 6; i++) {
      const batch = (await stream.next()) as unknown as { data: Float32Array };
      // No black stand-in: every image of every batch has pixels.
      for (let k = 0; k < 32; k++) assert.ok(batch.data.subarray(k * 192, (k + 1) * 192).some((v) => v > 0), `batch ${i}, image ${k}`);
    }
    const named = seen.filter((p) => p.code === 'data/unreadable');
    assert.equal(named.length, 1);
    assert.equal(named[0].file, victim);
    assert.match(named[0].message, /img-0010\.png cannot be decoded .*the next image takes its place/);
    await ds.close();
  });
});

describe('the one sampler', () => {
  it('is fixed, sorted, distinct and bounded; lint and training decode the same sample of a folder', async () => {
    const a = statsSample(5000)!;
    assert.equal(a.length, STATS_SAMPLE_SIZE);
    assert.deepEqual(a, statsSample(5000));
    assert.ok(a.every((v, i) => v < 5000 && (i === 0 || v > a[i - 1])));
    assert.equal(statsSample(STATS_SAMPLE_SIZE), undefined, 'a folder this small is decoded whole');
    const dir = folder('sampled', 1100);
    const config = defaultConfig();
    config.data = { path: dir, scale: 'auto' };
    config.model.imageSize = 8;
    const lint = await checkConfigData(config, root, undefined, { decodeWorkers: 1 });
    const training = await checkConfigData(config, root, undefined, { keepOpen: true, writeCache: true, decodeWorkers: 1 });
    await training.dataset?.close();
    assert.deepEqual(lint.stats?.sampled, { count: 1000, of: 1100 });
    const pick = (s: typeof lint.stats) => [s?.min, s?.max, s?.mean, s?.std, s?.sampled];
    assert.deepEqual(pick(training.stats), pick(lint.stats));
    const full = await checkConfigData(config, root, undefined, { full: true, decodeWorkers: 1 });
    assert.equal(full.stats?.sampled, undefined);
  });
});
