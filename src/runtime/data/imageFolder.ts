/**
 * A folder of PNG and JPEG images (searched recursively) as a Dataset. Opening reads only each file's header
 * (images.ts), so a folder of 200k images opens in seconds. Samples come from the prepared cache when there is one
 * (preparedCache.ts); otherwise the decode pool (decodePool.ts) decodes, resizes and center-crops them off the
 * calling thread, as torchvision's Resize + CenterCrop would (resize.ts), and a run's first epoch writes the cache.
 *
 * A file that cannot be read becomes a data/unreadable problem naming it, and its place in the batch is taken by
 * the next readable image: a truncated JPEG in the middle of an epoch costs one image, not the run.
 */
import * as path from 'node:path';
import type { Problem } from '../problem';
import { decodeImageFile, decoderName } from './decode';
import { DecodePool, decodeWorkerCount, type DecodeResult, type HeaderResult } from './decodePool';
import { listImageFiles, naturalImageSize, type ImageHeader } from './images';
import { CacheBuilder, cacheFileName, cacheKey, PreparedCache, type CacheSpec } from './preparedCache';
import { DatasetError, throwIfAborted, type Dataset, type OpenOptions } from './types';

/** Without a prepared cache, decoded images are kept in memory while the whole folder fits in this many bytes. */
const MEMORY_CACHE_MAX_BYTES = 512 * 1024 * 1024;
/** Files per decode job: small enough that a batch is shared among the workers, large enough to amortize a message. */
const JOB_FILES = 16;

type Entry = ImageHeader & { file: string; size: number; mtimeMs: number };

export class ImageFolderDataset implements Dataset {
  readonly format = 'images' as const;
  readonly dtype = 'uint8' as const;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: 1 | 3;
  readonly labels = undefined;
  /** The decoder that runs (README: "which decoder ran"). */
  readonly decoder: string;
  private readonly spec: CacheSpec;
  private readonly pool: DecodePool;
  private key: string | undefined;
  private cache: PreparedCache | undefined;
  private builder: CacheBuilder | undefined;
  /** 'off' once the cache cannot or may not be written. */
  private building: 'not-yet' | 'on' | 'off';
  private memory: { data: Uint8Array; have: Uint8Array } | undefined;
  private readonly failed = new Set<number>();

  constructor(readonly source: string, private readonly entries: Entry[], size: number, channels: 1 | 3, readonly problems: Problem[], private readonly options: OpenOptions = {}, pool?: DecodePool) {
    this.count = entries.length;
    this.height = size;
    this.width = size;
    this.channels = channels;
    this.decoder = decoderName(options.decoder);
    this.spec = { source, entries, size, channels };
    this.pool = pool ?? new DecodePool(options.decodeWorkers ?? decodeWorkerCount());
    this.building = options.prepared?.write ? 'not-yet' : 'off';
    if (options.prepared) this.openCache();
    if (!this.cache && this.building === 'off' && this.count * this.perSample <= MEMORY_CACHE_MAX_BYTES) {
      this.memory = { data: new Uint8Array(this.count * this.perSample), have: new Uint8Array(this.count) };
    }
  }

  private get perSample(): number {
    return this.height * this.width * this.channels;
  }

  /** The file behind sample i, for messages and the side panel. */
  fileAt(i: number): string {
    return this.entries[i].file;
  }

  /** Where samples come from now, in the user's words. */
  get servedFrom(): string {
    if (this.cache) return `the prepared cache ${this.cache.file}`;
    const threads = this.pool.size ? `${this.pool.size} decode thread${this.pool.size > 1 ? 's' : ''}` : 'the calling thread';
    return `${this.decoder} on ${threads}${this.building === 'on' ? ', preparing the cache' : ''}`;
  }

  get preparedCacheFile(): string | undefined {
    return this.cache?.file;
  }

  private openCache(): void {
    const dir = this.options.prepared!.dir;
    this.key = cacheKey(this.spec);
    const file = path.join(dir, cacheFileName(this.spec, this.key));
    try {
      this.cache = PreparedCache.open(file, this.spec, this.key);
    } catch (err) {
      this.note(`The prepared cache ${file} was not used: ${(err as Error).message}. ${this.building === 'off' ? 'Training will prepare a new one.' : 'A new one is prepared during the first epoch.'}`);
    }
    if (!this.cache) return;
    this.building = 'off';
    for (const f of this.cache.failed) this.markFailed(f.index, f.message);
  }

  async read(indices: ArrayLike<number>, out: Float32Array): Promise<void> {
    if (out.length < indices.length * this.perSample) throw new RangeError(`read: out holds ${out.length} values, ${indices.length} samples need ${indices.length * this.perSample}`);
    out.set(await this.readRaw(indices));
  }

  /** The samples as stored (uint8), a failed file's place taken by the next readable image. */
  async readRaw(indices: ArrayLike<number>): Promise<Uint8Array> {
    const per = this.perSample;
    const raw = new Uint8Array(indices.length * per);
    let want: { slot: number; index: number }[] = [];
    for (let slot = 0; slot < indices.length; slot++) {
      const n = indices[slot];
      if (!(n >= 0 && n < this.count) || !Number.isInteger(n)) throw new RangeError(`read: sample index ${n} is outside 0..${this.count - 1} of ${this.source}`);
      want.push({ slot, index: n });
    }
    while (want.length > 0) {
      for (const w of want) w.index = this.readable(w.index);
      const stored = want.filter((w) => this.cache || this.memory?.have[w.index]);
      if (this.cache) this.readCache(stored, raw);
      else for (const w of stored) raw.set(this.memory!.data.subarray(w.index * per, (w.index + 1) * per), w.slot * per);
      const rest = want.filter((w) => !stored.includes(w));
      const ok = await this.decodeInto(rest.map((w) => w.index), raw, rest.map((w) => w.slot));
      want = rest.filter((_, i) => !ok[i]);
    }
    return raw;
  }

  private readCache(stored: { slot: number; index: number }[], raw: Uint8Array): void {
    const per = this.perSample;
    if (stored.every((w, i) => w.slot === i)) {
      this.cache!.read(stored.map((w) => w.index), raw);
      return;
    }
    const tmp = new Uint8Array(stored.length * per);
    this.cache!.read(stored.map((w) => w.index), tmp);
    stored.forEach((w, i) => raw.set(tmp.subarray(i * per, (i + 1) * per), w.slot * per));
  }

  /** `n`, or the next image after it that has not failed. */
  private readable(n: number): number {
    for (let k = 0; k < this.count; k++) {
      const m = (n + k) % this.count;
      if (!this.failed.has(m)) return m;
    }
    throw new DatasetError({ code: 'data/unreadable', severity: 'error', file: this.source, message: `None of the ${this.count} images in ${this.source} could be decoded (first: ${this.problems.find((p) => p.code === 'data/unreadable')?.message}).` });
  }

  /** Decodes `indices` into `raw` at `slots` through the pool; returns which succeeded. */
  private async decodeInto(indices: number[], raw: Uint8Array, slots: number[]): Promise<boolean[]> {
    const ok = new Array<boolean>(indices.length).fill(false);
    if (indices.length === 0) return ok;
    this.startBuilding();
    const per = this.perSample;
    const jobs: Promise<DecodeResult>[] = [];
    const size = Math.min(JOB_FILES, Math.ceil(indices.length / Math.max(1, this.pool.size)));
    for (let i = 0; i < indices.length; i += size) {
      jobs.push(this.pool.decode({ files: indices.slice(i, i + size).map((n) => this.entries[n].file), size: this.height, channels: this.channels, decoder: this.options.decoder ?? 'auto' }));
    }
    const results = await Promise.all(jobs);
    results.forEach((r, j) => {
      const bad = new Map(r.failed.map((f) => [f.index, f.message]));
      for (let k = 0; k * per < r.pixels.length; k++) {
        const i = j * size + k;
        const n = indices[i];
        const message = bad.get(k);
        if (message !== undefined) {
          this.markFailed(n, message);
          continue;
        }
        raw.set(r.pixels.subarray(k * per, (k + 1) * per), slots[i] * per);
        ok[i] = true;
        this.writeToCache(n, r.pixels, k * per);
        if (this.memory && !this.memory.have[n]) {
          this.memory.data.set(r.pixels.subarray(k * per, (k + 1) * per), n * per);
          this.memory.have[n] = 1;
        }
      }
    });
    if (this.builder?.complete) this.finishBuilding();
    return ok;
  }

  /** A failed write (the disk filled up since the space was checked) ends the cache, not the run. */
  private writeToCache(n: number, pixels: Uint8Array, at: number): void {
    if (!this.builder) return;
    try {
      this.builder.write(n, pixels, at);
    } catch (err) {
      this.builder.abort();
      this.builder = undefined;
      this.building = 'off';
      this.note(`The prepared cache of ${this.source} was abandoned: writing it failed (${(err as Error).message}). Training goes on decoding every epoch; free some space or set data.cacheDir.`);
    }
  }

  private markFailed(n: number, message: string): void {
    if (this.failed.has(n)) return;
    this.failed.add(n);
    this.builder?.fail(n, message);
    this.problems.push({ code: 'data/unreadable', severity: 'error', file: this.entries[n].file, message: `${message.replace(/\.? Delete or replace the file\.$/, '')}; it is left out and the next image takes its place. Delete or replace the file.` });
  }

  private startBuilding(): void {
    if (this.building !== 'not-yet') return;
    const { root, dir } = this.options.prepared!;
    try {
      this.builder = CacheBuilder.start(root, dir, this.spec, this.key ?? cacheKey(this.spec), this.decoder);
      this.building = 'on';
      for (const n of this.failed) this.builder.fail(n, this.problems.find((p) => p.file === this.entries[n].file)?.message ?? 'unreadable');
    } catch (err) {
      this.building = 'off';
      this.note(`The prepared cache of ${this.source} is not written (${(err as Error).message}), so every epoch decodes the images again. Set data.cacheDir to a folder with room, or data.cache to false to say you do not want one.`);
    }
  }

  private finishBuilding(): void {
    const builder = this.builder!;
    this.builder = undefined;
    this.building = 'off';
    try {
      const file = builder.finish();
      this.cache = PreparedCache.open(file, this.spec, this.key ?? cacheKey(this.spec));
    } catch (err) {
      builder.abort();
      this.note(`The prepared cache of ${this.source} could not be completed: ${(err as Error).message}.`);
    }
  }

  /**
   * Decodes every image into the prepared cache (`dcgan-studio prepare`); returns the cache file. `onProgress`
   * gets the fraction done.
   */
  async prepare(onProgress?: (fraction: number) => void, signal?: AbortSignal): Promise<string> {
    if (this.cache) return this.cache.file;
    const chunk = Math.max(64, JOB_FILES * Math.max(1, this.pool.size) * 4);
    const scratch = new Uint8Array(chunk * this.perSample);
    for (let start = 0; start < this.count; start += chunk) {
      throwIfAborted(signal);
      const indices = Array.from({ length: Math.min(chunk, this.count - start) }, (_, i) => start + i);
      await this.decodeInto(indices, scratch, indices.map((_, i) => i));
      if (this.building === 'off' && !this.preparedCacheFile) break;
      onProgress?.(Math.min(1, (start + indices.length) / this.count));
    }
    // (this.cache was set by decodeInto, which the compiler cannot see through.)
    const file = this.preparedCacheFile;
    if (!file) throw new Error(this.problems.filter((p) => p.code === 'data/cache').at(-1)?.message ?? `the prepared cache of ${this.source} was not written`);
    return file;
  }

  private note(message: string): void {
    this.problems.push({ code: 'data/cache', severity: 'info', file: this.source, message });
  }

  async close(): Promise<void> {
    this.builder?.abort();
    this.builder = undefined;
    this.cache?.close();
    await this.pool.close();
  }
}

/**
 * Whether the folder holds colour. Headers only say how a file is stored: a JPEG of a grayscale picture is
 * usually YCbCr, so up to 32 files that claim colour are decoded to see whether R, G and B differ.
 */
function hasColour(entries: Entry[], options: OpenOptions): boolean {
  const claims = entries.filter((e) => e.color);
  const step = Math.max(1, Math.floor(claims.length / 32));
  for (let i = 0; i < claims.length; i += step) {
    throwIfAborted(options.signal);
    let img: ReturnType<typeof decodeImageFile>;
    try {
      img = decodeImageFile(claims[i].file, options.decoder);
    } catch {
      continue;
    }
    if (img.channels < 3) continue;
    const pixels = img.width * img.height;
    const c = img.channels;
    let coloured = 0;
    for (let p = 0; p < pixels * c; p += c) {
      const d = Math.max(Math.abs(img.data[p] - img.data[p + 1]), Math.abs(img.data[p + 1] - img.data[p + 2]));
      // Compression leaves a few levels of chroma noise on gray pictures; real colour differs by far more.
      if (d > 16) coloured++;
    }
    if (coloured > pixels * 0.005) return true;
  }
  return false;
}

/** Files per header job: a 200k-file folder is about a hundred jobs, spread over the decode threads. */
const HEADER_CHUNK = 2048;

/**
 * Opens a folder of images: a header pass over every file (no decoding), on the decode threads, then the dataset,
 * which keeps the same threads. (200k headers took 13 s on one thread here under load; they are 4 syscalls each.)
 */
export async function openImageFolder(dir: string, options: OpenOptions = {}): Promise<ImageFolderDataset> {
  const pool = new DecodePool(options.decodeWorkers ?? decodeWorkerCount());
  try {
    return await openWith(pool, dir, options);
  } catch (err) {
    await pool.close();
    throw err;
  }
}

async function openWith(pool: DecodePool, dir: string, options: OpenOptions): Promise<ImageFolderDataset> {
  const files = listImageFiles(dir);
  const problems: Problem[] = [];
  const entries: Entry[] = [];
  const limit = options.limit ?? Infinity;
  const inflight: { start: number; result: Promise<HeaderResult> }[] = [];
  let next = 0;
  while (entries.length < limit && (next < files.length || inflight.length > 0)) {
    while (inflight.length <= Math.max(1, pool.size) && next < files.length) {
      inflight.push({ start: next, result: pool.headers(files.slice(next, next + HEADER_CHUNK)) });
      next += HEADER_CHUNK;
    }
    throwIfAborted(options.signal);
    const { start, result } = inflight.shift()!;
    (await result).forEach((h, i) => {
      if (entries.length >= limit) return; // data.limit: the files after the first N are not the dataset's
      if ('problem' in h) problems.push(h.problem);
      else entries.push({ ...h, file: files[start + i] });
    });
  }
  for (const rest of inflight) rest.result.catch(() => undefined);
  if (entries.length === 0) {
    throw new DatasetError({
      code: 'data/empty', severity: 'error', file: dir,
      message: files.length === 0
        ? `${dir} holds no .png, .jpg or .jpeg images (searched recursively). Point data.path at a folder of images, or a .npy/.npz/IDX file.`
        : `None of the ${files.length} images in ${dir} could be read (first: ${problems[0]?.message}).`,
    });
  }
  const sizes = new Map<string, { n: number; first: Entry }>();
  for (const e of entries) {
    const key = `${e.width}x${e.height}`;
    const s = sizes.get(key);
    if (s) s.n++;
    else sizes.set(key, { n: 1, first: e });
  }
  const common = [...sizes.values()].sort((a, b) => b.n - a.n)[0].first;
  const size = options.imageSize ?? naturalImageSize(Math.min(common.width, common.height));
  const channels = options.channels === 1 || options.channels === 3 ? options.channels : hasColour(entries, options) ? 3 : 1;
  if (sizes.size > 1) {
    const other = [...sizes.values()].find((s) => s.first !== common)!.first;
    problems.push({
      code: 'data/mixed-sizes', severity: 'warning', file: other.file,
      message: `Images in ${dir} have ${sizes.size} different sizes, e.g. ${common.file} is ${common.width}×${common.height} and ${other.file} is ${other.width}×${other.height}. All are resized and center-cropped to ${size}×${size}, which may cut off parts of some.`,
    });
  }
  return new ImageFolderDataset(dir, entries, size, channels, problems, options, pool);
}

/**
 * Where prepared caches go by default: a .dcgan-cache folder beside the config (next to its runs/). Not inside the
 * image folder: torchvision's ImageFolder would take a folder there for a class, and break on the same data.
 */
export function defaultCacheDir(configDir: string): string {
  return path.join(configDir, '.dcgan-cache');
}
