/**
 * The prepared cache of an image folder: its images resized, cropped and converted (resize.ts), as raw uint8, in
 * one file, so later epochs and later runs read batches at disk speed instead of decoding.
 *
 * Layout: "DCGANPC1", a u32 header length, the header (JSON), the samples (NHWC uint8) from byte 65,536 on, then a
 * trailer (JSON: the files that could not be decoded). The header records what the bytes are and how they must be
 * fed: raw 8-bit pixels in [0, 255], which data.scale maps onto the generator's range batch by batch. Nothing is
 * baked in, so a prepared cache cannot lose the [-1, 1] rescaling (a .jpg → .npy conversion that dropped it was
 * the bug this project began with).
 *
 * It is keyed by the folder's file list, sizes and mtimes and by size, channels and the resize; a changed folder
 * gets a new key, and the old cache is deleted once the new one is complete. Written to a random temp name created
 * exclusively, in folders checked for links (outputFiles.ts), only when the disk has room, and renamed into place
 * when complete. Read back without following links, its header checked against what it claims and against the
 * file's size before anything is allocated: a cache file may come with a cloned repository.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkOutputFolders, lstatOrUndefined, tempName } from '../outputFiles';
import { readInto } from '../safeFs';
import { mib } from './files';
import { RESIZE_METHOD } from './resize';

const MAGIC = 'DCGANPC1';
const VERSION = 1;
const DATA_OFFSET = 65536;
/** Per failed file in the trailer: its index and a message naming it (paths are at most a few KiB). */
const MAX_TRAILER_BYTES_PER_SAMPLE = 8192;
/** Room kept free on the disk beyond the cache itself. */
const DISK_MARGIN_BYTES = 256 * 2 ** 20;
export const CACHE_SUFFIX = '.dcgan-cache';

export interface CacheEntry {
  file: string;
  size: number;
  mtimeMs: number;
}

export interface CacheSpec {
  /** The image folder. */
  source: string;
  entries: readonly CacheEntry[];
  size: number;
  channels: 1 | 3;
}

export interface CacheHeader {
  format: 'dcgan-studio prepared image cache';
  version: number;
  key: string;
  source: string;
  count: number;
  height: number;
  width: number;
  channels: number;
  dtype: 'uint8';
  layout: 'NHWC';
  /** How the stored values are fed: data.scale maps this range onto the generator's output range. */
  pixels: { range: [0, 255]; scaling: string };
  resize: string;
  decoder: string;
  dataOffset: number;
  trailerBytes: number;
}

export interface Failure {
  index: number;
  message: string;
}

/** The key of a folder as prepared: its files (relative paths, sizes, mtimes) and the size, channels and resize. */
export function cacheKey(spec: CacheSpec): string {
  const h = crypto.createHash('sha256');
  h.update(JSON.stringify({ v: VERSION, size: spec.size, channels: spec.channels, resize: RESIZE_METHOD, count: spec.entries.length }));
  for (const e of spec.entries) h.update(`\n${path.relative(spec.source, e.file)}\t${e.size}\t${e.mtimeMs}`);
  return h.digest('hex');
}

/** The file name: the folder and geometry in the prefix (so stale caches of this folder can be found), then the key. */
export function cacheFileName(spec: CacheSpec, key: string): string {
  return `${cachePrefix(spec)}${key.slice(0, 24)}${CACHE_SUFFIX}`;
}

function cachePrefix(spec: CacheSpec): string {
  const folder = crypto.createHash('sha256').update(path.resolve(spec.source)).digest('hex').slice(0, 12);
  return `prepared-${folder}-${spec.size}x${spec.size}x${spec.channels}-`;
}

/** A complete prepared cache, open for reading. */
export class PreparedCache {
  private constructor(readonly file: string, private fd: number | undefined, readonly header: CacheHeader, readonly failed: Failure[]) {}

  /**
   * Opens `file` if it is a complete cache of `spec` under `key`; undefined when it is absent. Throws (with the
   * reason) when it is there but is not one: a link, the wrong size, a header that does not match.
   */
  static open(file: string, spec: CacheSpec, key: string): PreparedCache | undefined {
    const st = lstatOrUndefined(file);
    if (!st) return undefined;
    if (st.isSymbolicLink() || !st.isFile()) throw new Error(`${file} is not a plain file (a link or a special file); prepared caches are never read through links`);
    const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0));
    try {
      const opened = fs.fstatSync(fd);
      if (!opened.isFile()) throw new Error(`${file} is not a plain file; prepared caches are read only from regular files`);
      const size = opened.size;
      const head = Buffer.alloc(12);
      if (readInto(fd, head, 0) !== 12 || head.toString('latin1', 0, 8) !== MAGIC) throw new Error(`${file} is not a DCGAN Studio prepared cache (no ${MAGIC} signature)`);
      const headerBytes = head.readUInt32LE(8);
      if (headerBytes > DATA_OFFSET - 12) throw new Error(`${file} claims a ${headerBytes}-byte header, more than the ${DATA_OFFSET - 12} there is room for`);
      const json = Buffer.alloc(headerBytes);
      if (readInto(fd, json, 12) !== headerBytes) throw new Error(`${file} ends inside its header`);
      const header = checkHeader(JSON.parse(json.toString('utf8')) as unknown, spec, key, file);
      const per = header.height * header.width * header.channels;
      const expected = DATA_OFFSET + header.count * per + header.trailerBytes;
      if (size !== expected) throw new Error(`${file} is ${size} bytes, but its header describes ${expected}; it is incomplete or damaged`);
      const trailer = Buffer.alloc(header.trailerBytes);
      readInto(fd, trailer, DATA_OFFSET + header.count * per);
      const failed = checkFailures(JSON.parse(trailer.toString('utf8')) as unknown, header.count, file);
      return new PreparedCache(file, fd, header, failed);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  /** Copies samples `indices` into `out` (indices.length × per bytes). Runs of neighbouring indices are one read. */
  read(indices: ArrayLike<number>, out: Uint8Array): void {
    if (this.fd === undefined) throw new Error(`${this.file} was closed`);
    const per = this.header.height * this.header.width * this.header.channels;
    let i = 0;
    while (i < indices.length) {
      let run = 1;
      while (i + run < indices.length && indices[i + run] === indices[i] + run) run++;
      const into = out.subarray(i * per, (i + run) * per);
      if (readInto(this.fd, into, DATA_OFFSET + indices[i] * per) !== into.length) throw new Error(`${this.file} ends early: it was truncated while open`);
      i += run;
    }
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

function checkHeader(h: unknown, spec: CacheSpec, key: string, file: string): CacheHeader {
  const o = h as Partial<CacheHeader> | null;
  const bad = (what: string) => new Error(`${file}: ${what}; it is not the prepared cache of ${spec.source} as configured`);
  if (typeof o !== 'object' || o === null || o.format !== 'dcgan-studio prepared image cache' || o.version !== VERSION) throw bad('unknown format or version');
  if (o.key !== key) throw bad('its key differs (the folder or the settings changed)');
  if (o.count !== spec.entries.length || o.height !== spec.size || o.width !== spec.size || o.channels !== spec.channels) throw bad(`it holds ${o.count} images of ${o.height}×${o.width}×${o.channels}`);
  if (o.dtype !== 'uint8' || o.layout !== 'NHWC' || o.pixels?.range?.[0] !== 0 || o.pixels?.range?.[1] !== 255) throw bad('it does not record raw 8-bit pixels in [0, 255]');
  if (o.dataOffset !== DATA_OFFSET) throw bad(`its data starts at ${o.dataOffset}`);
  if (!Number.isSafeInteger(o.trailerBytes) || o.trailerBytes! < 2 || o.trailerBytes! > 2 + o.count * MAX_TRAILER_BYTES_PER_SAMPLE) throw bad(`its trailer claims ${o.trailerBytes} bytes`);
  return o as CacheHeader;
}

function checkFailures(t: unknown, count: number, file: string): Failure[] {
  if (!Array.isArray(t) || !t.every((f: Partial<Failure>) => Number.isInteger(f?.index) && f.index! >= 0 && f.index! < count && typeof f.message === 'string')) {
    throw new Error(`${file}: its list of unreadable files is damaged`);
  }
  return t as Failure[];
}

/**
 * A prepared cache being written: samples go in at their index as they are decoded (in any order), failures are
 * noted, and finish() renames it into place once every index is one or the other.
 */
export class CacheBuilder {
  private readonly have: Uint8Array;
  private filled = 0;
  private readonly failures: Failure[] = [];
  private fd: number | undefined;

  private constructor(readonly file: string, private readonly tmp: string, fd: number, private readonly spec: CacheSpec, private readonly key: string, private readonly decoder: string) {
    this.fd = fd;
    this.have = new Uint8Array(spec.entries.length);
  }

  /**
   * Starts a cache of `spec` in `dir` (checked for links from `root`, its owner's choice, down). Throws with the
   * reason when it cannot: a link on the way, a read-only folder, too little free space.
   */
  static start(root: string, dir: string, spec: CacheSpec, key: string, decoder: string): CacheBuilder {
    const per = spec.size * spec.size * spec.channels;
    const bytes = DATA_OFFSET + spec.entries.length * per;
    checkOutputFolders(root, dir, { create: true });
    const fsStat = fs.statfsSync(dir);
    const free = fsStat.bavail * fsStat.bsize;
    if (free < bytes + DISK_MARGIN_BYTES) {
      throw new Error(`it needs ${mib(bytes)} and ${dir} has ${mib(free)} free (${mib(DISK_MARGIN_BYTES)} is kept free)`);
    }
    const file = path.join(dir, cacheFileName(spec, key));
    removeAbandoned(dir, cachePrefix(spec));
    const tmp = tempName(file);
    const fd = fs.openSync(tmp, 'wx', 0o644);
    try {
      fs.ftruncateSync(fd, bytes);
    } catch (err) {
      fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    return new CacheBuilder(file, tmp, fd, spec, key, decoder);
  }

  get complete(): boolean {
    return this.filled === this.have.length;
  }

  /** Stores sample `index` from `pixels` at `at`. */
  write(index: number, pixels: Uint8Array, at: number): void {
    if (this.fd === undefined || this.have[index]) return;
    const per = this.spec.size * this.spec.size * this.spec.channels;
    fs.writeSync(this.fd, pixels, at, per, DATA_OFFSET + index * per);
    this.have[index] = 1;
    this.filled++;
  }

  fail(index: number, message: string): void {
    if (this.fd === undefined || this.have[index]) return;
    this.have[index] = 2;
    this.filled++;
    this.failures.push({ index, message: message.slice(0, MAX_TRAILER_BYTES_PER_SAMPLE - 64) });
  }

  /** Writes the header and trailer, syncs, renames into place and deletes this folder's stale caches. */
  finish(): string {
    if (this.fd === undefined || !this.complete) throw new Error(`${this.tmp} is not complete`);
    const per = this.spec.size * this.spec.size * this.spec.channels;
    const trailer = Buffer.from(JSON.stringify(this.failures));
    const header: CacheHeader = {
      format: 'dcgan-studio prepared image cache', version: VERSION, key: this.key, source: path.resolve(this.spec.source),
      count: this.spec.entries.length, height: this.spec.size, width: this.spec.size, channels: this.spec.channels, dtype: 'uint8', layout: 'NHWC',
      pixels: { range: [0, 255], scaling: 'raw 8-bit pixels; data.scale maps [0, 255] onto the generator\'s output range per batch' },
      resize: RESIZE_METHOD, decoder: this.decoder, dataOffset: DATA_OFFSET, trailerBytes: trailer.length,
    };
    const json = Buffer.from(JSON.stringify(header));
    const head = Buffer.alloc(12);
    head.write(MAGIC, 0, 'latin1');
    head.writeUInt32LE(json.length, 8);
    fs.writeSync(this.fd, head, 0, 12, 0);
    fs.writeSync(this.fd, json, 0, json.length, 12);
    fs.writeSync(this.fd, trailer, 0, trailer.length, DATA_OFFSET + this.spec.entries.length * per);
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = undefined;
    fs.renameSync(this.tmp, this.file);
    removeStale(path.dirname(this.file), cachePrefix(this.spec), path.basename(this.file));
    return this.file;
  }

  /** Drops the unfinished file. */
  abort(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
    fs.rmSync(this.tmp, { force: true });
  }
}

/** A builder writes its temp file as it decodes; one untouched this long belongs to a run that was killed. */
const ABANDONED_MS = 60 * 60 * 1000;

/** Temp files of this folder's caches left by killed runs (they can be gigabytes). Plain files only. */
function removeAbandoned(dir: string, prefix: string): void {
  const now = Date.now();
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith(`.${prefix}`) || !name.endsWith('.tmp')) continue;
    const p = path.join(dir, name);
    const st = lstatOrUndefined(p);
    if (st?.isFile() && now - st.mtimeMs > ABANDONED_MS) fs.rmSync(p, { force: true });
  }
}

/** Older caches of the same folder and geometry: plain files only (a link with a matching name is left alone). */
function removeStale(dir: string, prefix: string, keep: string): void {
  for (const name of fs.readdirSync(dir)) {
    if (name === keep || !name.startsWith(prefix) || !name.endsWith(CACHE_SUFFIX)) continue;
    const p = path.join(dir, name);
    if (lstatOrUndefined(p)?.isFile()) fs.rmSync(p, { force: true });
  }
}
