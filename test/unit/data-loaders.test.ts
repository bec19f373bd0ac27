// The loaders on real Fashion-MNIST in every storage form: each must serve the same pixels as the IDX original.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DatasetError, openDataset, type Dataset } from '../../src/runtime/data/dataset';
import { openNpy, parseNpyHeader } from '../../src/runtime/data/npy';
import { findBuiltinDir } from '../../src/runtime/data/builtin';
import { fashionLabels, fashionReference, makeFixtures, removeDir, type Manifest } from './data-fixtures';

const N = 2000;
const SIZE = 784;
let dir: string;
let manifest: Manifest;
let ref: Uint8Array;

before(() => {
  ({ dir, manifest } = makeFixtures(N));
  ref = fashionReference(N);
});
after(() => removeDir(dir));

const f = (name: string) => path.join(dir, name);

async function readAll(ds: Dataset, indices: number[]): Promise<Float32Array> {
  const out = new Float32Array(indices.length * ds.height * ds.width * ds.channels);
  await ds.read(indices, out);
  return out;
}

/** Some samples from the start, the middle and the end, out of order, to catch index and layout mistakes. */
const PICK = [0, 1, 2, 999, 1998, 1999, 57, 3];

/** Asserts that sample values, after `toPixel`, equal the reference pixels exactly (or within tol). */
async function assertSamePixels(ds: Dataset, toPixel: (v: number, channel: number) => number, tol = 0) {
  const out = await readAll(ds, PICK);
  const c = ds.channels;
  for (let k = 0; k < PICK.length; k++) {
    for (let j = 0; j < SIZE; j++) {
      const want = ref[PICK[k] * SIZE + j];
      for (let ch = 0; ch < c; ch++) {
        const got = toPixel(out[(k * SIZE + j) * c + ch], ch);
        if (Math.abs(got - want) > tol) assert.fail(`${ds.source}: sample ${PICK[k]} pixel ${j} channel ${ch}: got ${got}, want ${want}`);
      }
    }
  }
}

/** For the 3-channel fixtures: planes are x, 255 - x, x // 2. */
const rgbInverse = (v: number, ch: number) => (ch === 0 ? v : ch === 1 ? 255 - v : NaN);

describe('npy', () => {
  for (const [name, dtype] of [['u8_nhw.npy', 'uint8'], ['u8_nhwc.npy', 'uint8'], ['u8_nchw.npy', 'uint8'], ['v2_u8.npy', 'uint8'], ['v3_u8.npy', 'uint8'], ['flat_u8.npy', 'uint8'], ['fortran_u8.npy', 'uint8'], ['i16.npy', 'int16'], ['u16.npy', 'uint16'], ['i32.npy', 'int32'], ['u32.npy', 'uint32'], ['i64.npy', 'int64'], ['u64.npy', 'uint64'], ['be_u2.npy', 'uint16'], ['be_i8.npy', 'int64']] as const) {
    it(`${name}: ${dtype}, 28×28×1, same pixels as the IDX original`, async () => {
      const ds = await openDataset(f(name));
      assert.deepEqual([ds.format, ds.dtype, ds.count, ds.height, ds.width, ds.channels], ['npy', dtype, N, 28, 28, 1]);
      await assertSamePixels(ds, (v) => v);
      await ds.close();
    });
  }

  it('int8 keeps its sign (x - 128)', async () => {
    const ds = await openDataset(f('i8.npy'));
    assert.equal(ds.dtype, 'int8');
    await assertSamePixels(ds, (v) => v + 128);
  });

  for (const [name, dtype, toPixel, tol] of [
    ['f32_pm1.npy', 'float32', (v: number) => (v + 1) * 127.5, 1e-3],
    ['f64_pm1.npy', 'float64', (v: number) => (v + 1) * 127.5, 1e-3],
    ['f32_01.npy', 'float32', (v: number) => v * 255, 1e-3],
    ['be_f4.npy', 'float32', (v: number) => (v + 1) * 127.5, 1e-3],
    ['be_f8.npy', 'float64', (v: number) => v * 255, 1e-3],
    // float16 holds 11 significant bits: x/255 is off by up to 2^-11 relative.
    ['f16_01.npy', 'float16', (v: number) => v * 255, 0.07],
  ] as const) {
    it(`${name}: ${dtype} decodes to the reference`, async () => {
      const ds = await openDataset(f(name));
      assert.equal(ds.dtype, dtype);
      await assertSamePixels(ds, toPixel, tol);
    });
  }

  for (const name of ['rgb_nhwc.npy', 'rgb_nchw.npy', 'fortran_rgb_f32.npy', 'fortran_rgb_nchw_u8.npy']) {
    it(`${name}: 3 channels come back NHWC in the right order`, async () => {
      const ds = await openDataset(f(name));
      assert.equal(ds.channels, 3);
      assert.equal(ds.height, 28);
      await assertSamePixels(ds, rgbInverse);
      const out = await readAll(ds, [5]);
      for (let j = 0; j < SIZE; j++) assert.equal(out[j * 3 + 2], Math.floor(ref[5 * SIZE + j] / 2));
    });
  }

  it('streams from disk (positioned reads) when the array is over the in-memory limit: C order, big-endian, NCHW', async () => {
    for (const name of ['u8_nhw.npy', 'be_f4.npy', 'rgb_nchw.npy', 'be_i8.npy']) {
      const ds = await openNpy(f(name), { inMemoryMaxBytes: 0 });
      await assertSamePixels(ds, name === 'rgb_nchw.npy' ? rgbInverse : name === 'be_f4.npy' ? (v) => (v + 1) * 127.5 : (v) => v, 1e-3);
      await ds.close();
    }
  });

  it('refuses to stream a Fortran-order file too big for memory, and says how to re-save it', async () => {
    await assert.rejects(openNpy(f('fortran_u8.npy'), { inMemoryMaxBytes: 0 }), (e: unknown) => e instanceof DatasetError && /ascontiguousarray/.test(e.message));
  });

  it('limit serves only the first N samples', async () => {
    const ds = await openDataset(f('u8_nhw.npy'), { limit: 100 });
    assert.equal(ds.count, 100);
    await assert.rejects(ds.read([100], new Float32Array(SIZE)), RangeError);
  });

  it('parses a v1 header by hand', () => {
    const header = "{'descr': '>f8', 'fortran_order': True, 'shape': (7, 3, 5, 5), }";
    const padded = header.padEnd(117, ' ') + '\n';
    const bytes = new Uint8Array(10 + padded.length);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, padded.length & 0xff, padded.length >> 8]);
    bytes.set(Buffer.from(padded, 'latin1'), 10);
    assert.deepEqual(parseNpyHeader(bytes, 'x.npy'), { dtype: 'float64', littleEndian: false, fortran: true, shape: [7, 3, 5, 5], dataOffset: 128 });
  });

  it('reads a sample near the end of a sparse file over 2 GiB', async () => {
    // 2.8M images of 28×28 = 2.2 GB: beyond readFileSync, written sparse so the test costs no disk.
    const count = 2_800_000;
    const header = `{'descr': '|u1', 'fortran_order': False, 'shape': (${count}, 28, 28), }`;
    const padded = header.padEnd(128 - 10 - 1, ' ') + '\n';
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-big-')), 'big.npy');
    try {
      const fd = fs.openSync(file, 'w');
      const head = Buffer.alloc(128);
      Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
      head.writeUInt16LE(padded.length, 8);
      head.write(padded, 10, 'latin1');
      fs.writeSync(fd, head, 0, 128, 0);
      fs.ftruncateSync(fd, 128 + count * SIZE);
      const last = count - 2;
      fs.writeSync(fd, ref.subarray(7 * SIZE, 8 * SIZE), 0, SIZE, 128 + last * SIZE);
      fs.closeSync(fd);
      assert.ok(fs.statSync(file).size > 2 ** 31);
      const ds = await openDataset(file);
      assert.equal(ds.count, count);
      const out = await readAll(ds, [last, count - 1, 0]);
      for (let j = 0; j < SIZE; j++) assert.equal(out[j], ref[7 * SIZE + j]);
      assert.ok(out.subarray(SIZE).every((v) => v === 0));
      await ds.close();
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });

  it('names the file and the problem for garbage, truncated and non-image arrays', async () => {
    for (const [name, pattern] of [['garbage.npy', /not a NumPy \.npy file/], ['truncated.npy', /truncated/], ['labels_only.npy', /shape \(2000\)/]] as const) {
      await assert.rejects(openDataset(f(name)), (e: unknown) => {
        assert.ok(e instanceof DatasetError, `${name}: ${e}`);
        assert.match(e.message, pattern);
        assert.ok(e.message.includes(f(name)), e.message);
        return true;
      });
    }
  });

  it('a missing path is config/data-path-missing', async () => {
    await assert.rejects(openDataset(f('nope.npy')), (e: unknown) => e instanceof DatasetError && e.problem.code === 'config/data-path-missing');
  });
});

describe('npz', () => {
  for (const name of ['plain.npz', 'compressed.npz', 'named.npz']) {
    it(`${name}: picks the image array${name === 'named.npz' ? '' : ' and its labels'}`, async () => {
      const ds = await openDataset(f(name));
      assert.equal(ds.format, 'npz');
      assert.equal(ds.count, N);
      await assertSamePixels(ds, (v) => v);
      if (name !== 'named.npz') assert.deepEqual([...ds.labels!.subarray(0, 10)], manifest.labels_first);
      else assert.equal(ds.labels, undefined);
    });
  }
});

describe('IDX', () => {
  for (const name of ['idx/train-images-idx3-ubyte', 'idxgz/train-images-idx3-ubyte.gz']) {
    it(`${name}: pixels and the labels file beside it`, async () => {
      const ds = await openDataset(f(name));
      assert.equal(ds.format, 'idx');
      await assertSamePixels(ds, (v) => v);
      assert.deepEqual([...ds.labels!], [...fashionLabels(N)]);
    });
  }

  it('the Debian original: 60,000 images with labels', async () => {
    const ds = await openDataset('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz');
    assert.equal(ds.count, 60000);
    assert.equal(ds.labels?.length, 60000);
    await assertSamePixels(ds, (v) => v);
  });
});

describe('builtin:mnist', () => {
  it('opens the converted digits (10,000, uint8, every class)', async (t) => {
    const dirFound = findBuiltinDir();
    if (!dirFound) {
      // Built by scripts/builtin-mnist.mjs during "npm run build"; data-builtin.test.ts builds it in a temp dir.
      t.skip('media/builtin not built yet');
      return;
    }
    const ds = await openDataset('builtin:mnist');
    assert.deepEqual([ds.source, ds.format, ds.dtype, ds.count, ds.height, ds.channels], ['builtin:mnist', 'builtin', 'uint8', 10000, 28, 1]);
    assert.deepEqual(new Set(ds.labels), new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  });
});
