/**
 * Hostile run folders for the tests of issue 15 (runs-hostile-*.test.ts): a tiny real run to copy and spoil,
 * hand-made PNGs that declare more than they hold, and byte-for-byte snapshots of the files an attack aims at.
 */
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { runCli, syntheticImages, writeNpy } from './cli-helpers';

/** Trains 2 steps of a 2-filter model on 16 synthetic 16×16 images: a real run folder with a checkpoint. */
export async function tinyRun(dir: string, name = 'good-run'): Promise<{ run: string; config: string; checkpoint: string }> {
  writeNpy(path.join(dir, 'data.npy'), syntheticImages(16, 16).map((v) => v * 2 - 1), [16, 16, 16]);
  const config = path.join(dir, 'tiny.dcgan.json');
  fs.writeFileSync(config, JSON.stringify({
    data: { path: 'data.npy', scale: 'none' },
    model: { generatorFilters: 2, discriminatorFilters: 2, latentDim: 4 },
    training: { batchSize: 8, steps: 2, seed: 3 },
    output: { dir: 'runs', sampleEvery: 1, checkpointEvery: 100, sampleCount: 4 },
    runtime: { backend: 'wasm', threads: 1 },
  }));
  const run = path.join(dir, name);
  const r = await runCli(['train', config, '--run', run], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const checkpoint = path.join(run, 'checkpoints', 'step-000002');
  assert.ok(fs.existsSync(path.join(checkpoint, 'weights.bin')));
  return { run, config, checkpoint };
}

/** Everything under `p` (names, link targets, sizes and content hashes), to compare before and after. */
export function snapshot(p: string): string {
  let st: fs.Stats;
  try { st = fs.lstatSync(p); } catch { return '(missing)'; }
  if (st.isSymbolicLink()) return `link→${fs.readlinkSync(p)}`;
  if (st.isDirectory()) return fs.readdirSync(p).sort().map((n) => `${n}:${snapshot(path.join(p, n))}`).join('|');
  return `${st.size} bytes, sha256 ${crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex')}`;
}

function crc32(buf: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of buf) {
    let c = (crc ^ byte) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A PNG of `width`×`height` 8-bit gray pixels from a zlib stream the caller makes. */
export function grayPng(width: number, height: number, idat: Buffer, interlaced = false): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // gray
  ihdr[12] = interlaced ? 1 : 0;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/** A black gray PNG: every row a filter byte and zeros, deflated (a 4096² one is 16 KB). */
export function blackPng(width: number, height: number): Buffer {
  return grayPng(width, height, zlib.deflateSync(Buffer.alloc((width + 1) * height), { level: 9 }));
}

/** An interlaced 1×1 PNG whose pixel data inflates to `mib` MiB of zeros: deflated a MiB at a time. */
export async function interlacedBomb(mib: number): Promise<Buffer> {
  const deflate = zlib.createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (c: Buffer) => parts.push(c));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  const zeros = Buffer.alloc(2 ** 20);
  for (let i = 0; i < mib; i++) deflate.write(zeros);
  deflate.end();
  await done;
  return grayPng(1, 1, Buffer.concat(parts), true);
}

/** A folder that readRun and animate take for a run: metrics.jsonl and samples/step-NNNNNN.png. */
export function gridRun(dir: string, pngs: Buffer[]): string {
  fs.mkdirSync(path.join(dir, 'samples'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), '');
  pngs.forEach((png, i) => fs.writeFileSync(path.join(dir, 'samples', `step-${String(i + 1).padStart(6, '0')}.png`), png));
  return dir;
}

/**
 * Plants `<file>.tmp-1 … <file>.tmp-32768`, each a symlink to `victim`: every name a writer that appends its pid
 * could pick (pid_max is 32768 here).
 */
export function plantPidTempLinks(file: string, victim: string): void {
  for (let pid = 1; pid <= 32768; pid++) fs.symlinkSync(victim, `${file}.tmp-${pid}`);
}
