/**
 * Hostile dataset files (finding 4 of issue 12): a few bytes that declare gigabytes must not make `lint`
 * allocate them, and a dataset path that is a device or a pipe must not be read. Each file is linted by the
 * built CLI in a child process (the way the CLI and the extension run it, through the lint worker), which
 * must exit cleanly with a problem naming the file, at a peak RSS under 200 MB.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { PNG } from 'pngjs';
import { CLI, ensureBuilt, tempDir, writeNpy } from './cli-helpers';

const MAX_RSS_MB = 200;
const REPORTER = path.join(__dirname, 'report-max-rss.cjs');
let dir: string;

before(() => {
  ensureBuilt();
  dir = tempDir('hostile');
});

interface Linted { code: number | null; rssMb: number; report: { problems: { code: string; message: string; file?: string }[] }; stderr: string }

function lint(target: string): Promise<Linted> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', REPORTER, CLI, 'lint', target, '--json'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`lint ${target} hung\n${stderr}`)); }, 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const rss = /MAX_RSS_KB=(\d+)/.exec(stderr);
      if (!rss) { reject(new Error(`lint ${target} exited ${code} without reporting its RSS\n${stderr}`)); return; }
      let report: Linted['report'];
      try { report = JSON.parse(stdout); } catch { reject(new Error(`lint ${target}: stdout is not one JSON report (exit ${code})\n${stdout}\n${stderr}`)); return; }
      resolve({ code, rssMb: Number(rss[1]) / 1024, report, stderr });
    });
  });
}

/** Clean exit 1 (an error finding), bounded memory, and a problem of `code` whose message names `file`. */
async function assertRefused(target: string, code: string, named = target): Promise<void> {
  const r = await lint(target);
  assert.ok(r.rssMb < MAX_RSS_MB, `peak RSS ${r.rssMb.toFixed(0)} MB linting ${target}`);
  assert.equal(r.code, 1, `exit code\n${r.stderr}`);
  const p = r.report.problems.find((q) => q.code === code);
  assert.ok(p, `no ${code} problem: ${JSON.stringify(r.report.problems)}`);
  assert.ok(p.message.includes(named), `the message names ${named}: ${p.message}`);
}

function idxHeader(shape: number[]): Buffer {
  const b = Buffer.alloc(4 + 4 * shape.length);
  b[2] = 0x08;
  b[3] = shape.length;
  shape.forEach((n, i) => b.writeUInt32BE(n, 4 + 4 * i));
  return b;
}

describe('allocation bombs', () => {
  test('.npy of shape (0, 20000, 20000): 128 bytes, no images, huge images', async () => {
    const f = path.join(dir, 'zero-huge.npy');
    writeNpy(f, new Uint8Array(0), [0, 20000, 20000]);
    assert.ok(fs.statSync(f).size <= 128);
    await assertRefused(f, 'data/too-large');
  });

  test('IDX header (0, 20000, 20000)', async () => {
    const f = path.join(dir, 'bomb-images-idx3-ubyte');
    fs.writeFileSync(f, idxHeader([0, 20000, 20000]));
    await assertRefused(f, 'data/too-large');
  });

  test('gzipped IDX that inflates to 1 GiB behind a one-image header', async () => {
    const f = path.join(dir, 'gz-bomb-images-idx3-ubyte.gz');
    // Concatenated gzip members inflate as one stream: a 1 MiB block of zeros repeated 1024 times.
    const zeros = zlib.gzipSync(Buffer.alloc(2 ** 20), { level: 9 });
    fs.writeFileSync(f, Buffer.concat([zlib.gzipSync(Buffer.concat([idxHeader([1, 28, 28]), Buffer.alloc(784)])), ...Array(1024).fill(zeros)]));
    const r = await lint(f);
    assert.ok(r.rssMb < MAX_RSS_MB, `peak RSS ${r.rssMb.toFixed(0)} MB`);
    // One blank image is a usable (if poor) dataset: the lint reads it and says it is too small and blank.
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.report.problems.some((p) => p.code === 'data/too-few-images'), JSON.stringify(r.report.problems));
  });

  test('gzipped IDX whose header declares 1.5 GB from a few KB', async () => {
    const f = path.join(dir, 'gz-claims-images-idx3-ubyte.gz');
    fs.writeFileSync(f, zlib.gzipSync(Buffer.concat([idxHeader([2_000_000, 28, 28]), Buffer.alloc(100_000)])));
    await assertRefused(f, 'data/too-large');
  });

  test('.npz whose member declares and inflates to 1 GiB', async () => {
    const f = path.join(dir, 'member-bomb.npz');
    const npy = path.join(dir, 'member.npy');
    writeNpy(npy, new Uint8Array(0), [2 ** 30 - 128]);
    fs.writeFileSync(f, zipOneMember('x.npy', fs.readFileSync(npy), 2 ** 30, await deflateZeros(2 ** 30 - 128, true)));
    await assertRefused(f, 'data/too-large');
  });

  test('PNG whose header says 20000×20000 (decodes to 1.6 GB of RGBA)', async () => {
    const folder = path.join(dir, 'png-bomb');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'huge.png'), await pngOfZeros(20000, 20000));
    fs.writeFileSync(path.join(folder, 'ok.png'), smallPng());
    await assertRefused(folder, 'data/too-large', path.join(folder, 'huge.png'));
  });

  test('JPEG whose frame header says 60000×60000', async () => {
    const folder = path.join(dir, 'jpeg-bomb');
    fs.mkdirSync(folder);
    // SOI, then a baseline SOF0 frame header: precision 8, height, width, 3 components; nothing after it.
    const sof = Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0xea, 0x60, 0xea, 0x60, 0x03, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 0xff, 0xd9]);
    fs.writeFileSync(path.join(folder, 'huge.jpg'), sof);
    fs.writeFileSync(path.join(folder, 'ok.png'), smallPng());
    await assertRefused(folder, 'data/too-large', path.join(folder, 'huge.jpg'));
  });
});

describe('not regular files', () => {
  test('a .npz that is a symlink to /dev/zero', async () => {
    const f = path.join(dir, 'zero.npz');
    fs.symlinkSync('/dev/zero', f);
    await assertRefused(f, 'data/unreadable');
  });

  test('a labels file beside IDX images that is a symlink to /dev/zero', async () => {
    const sub = path.join(dir, 'labels-zero');
    fs.mkdirSync(sub);
    const images = path.join(sub, 'train-images-idx3-ubyte');
    fs.writeFileSync(images, Buffer.concat([idxHeader([64, 28, 28]), Buffer.alloc(64 * 784, 7)]));
    fs.symlinkSync('/dev/zero', path.join(sub, 'train-labels-idx1-ubyte'));
    const r = await lint(images);
    assert.ok(r.rssMb < MAX_RSS_MB, `peak RSS ${r.rssMb.toFixed(0)} MB`);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
  });

  test('a .npy that is a named pipe nobody writes to', async () => {
    const f = path.join(dir, 'fifo.npy');
    const mk = spawnSync('mkfifo', [f]);
    assert.equal(mk.status, 0, 'mkfifo');
    await assertRefused(f, 'data/unreadable');
  });
});

/** A readable image beside the hostile one, so the folder opens and the hostile file's own problem shows. */
function smallPng(): Buffer {
  const png = new PNG({ width: 28, height: 28 });
  png.data.fill(128);
  return PNG.sync.write(png);
}

/** A zlib (or raw deflate) stream of `n` zero bytes, made in 1 MiB writes so the test process stays small. */
function deflateZeros(n: number, raw: boolean, prefix = Buffer.alloc(0)): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const z = raw ? zlib.createDeflateRaw({ level: 1 }) : zlib.createDeflate({ level: 1 });
    const parts: Buffer[] = [];
    z.on('data', (d: Buffer) => parts.push(d));
    z.on('end', () => resolve(Buffer.concat(parts)));
    z.on('error', reject);
    z.write(prefix);
    const block = Buffer.alloc(2 ** 20);
    let left = n;
    const pump = () => {
      while (left > 0) {
        const take = Math.min(left, block.length);
        left -= take;
        if (!z.write(block.subarray(0, take))) { z.once('drain', pump); return; }
      }
      z.end();
    };
    pump();
  });
}

/** A zip of one deflated member: `head` (a .npy header) followed by the zeros in `deflated`, declared as `size` bytes. */
function zipOneMember(name: string, head: Buffer, size: number, deflatedZeros: Buffer): Buffer {
  // Deflate the header on its own in a non-final block, then append the zeros' stream (whose last block is final).
  const headBlock = zlib.deflateRawSync(head, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const data = Buffer.concat([headBlock, deflatedZeros]);
  const nameBytes = Buffer.from(name, 'latin1');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(8, 8);
  local.writeUInt32LE(data.length, 18); local.writeUInt32LE(size, 22); local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt16LE(8, 10);
  central.writeUInt32LE(data.length, 20); central.writeUInt32LE(size, 24); central.writeUInt16LE(nameBytes.length, 28);
  const cdOffset = local.length + nameBytes.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(1, 8); end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBytes.length, 12); end.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, nameBytes, data, central, nameBytes, end]);
}

/** A real grayscale PNG of zeros: the IDAT holds every row, so a decoder that trusts IHDR fills it all. */
async function pngOfZeros(width: number, height: number): Promise<Buffer> {
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = (b: Buffer) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 0; // 8-bit grayscale, not interlaced
  // Every row is filter byte 0 then zeros: all zeros.
  const idat = await deflateZeros((width + 1) * height, false);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

describe('the lint worker', () => {
  test('a lint that exhausts its heap limit ends as a data/too-large problem; the caller lives on', async () => {
    const { lintInWorker, LINT_HEAP_MB } = await import('../../src/worker/lintWorkerClient');
    // Stands in for a loader that some file drives into building ever more objects.
    const script = path.join(dir, 'greedy-lint-worker.js');
    fs.writeFileSync(script, 'const keep = []; for (;;) keep.push({ values: new Array(1024).fill(0.5) });\n');
    const target = path.join(dir, 'whatever.npy');
    const r = await lintInWorker({ datasetPath: target }, { script });
    assert.equal(r.problems.length, 1);
    assert.equal(r.problems[0].code, 'data/too-large');
    assert.ok(r.problems[0].message.includes(target), r.problems[0].message);
    assert.ok(r.problems[0].message.includes(`${LINT_HEAP_MB} MB`));
  });
});
