/**
 * The dense-array dataset shared by the npy, npz, IDX and built-in loaders.
 *
 * Values stay in their storage dtype (uint8 stays uint8) and are converted to float32 one batch at a time.
 * Small arrays live in memory; big ones stay on disk and are read per sample with positioned reads, which is
 * how files over 2 GiB (beyond readFileSync) are served with bounded memory.
 */
import * as fs from 'node:fs';
import type { Problem } from '../problem';
import { MAX_ARRAY_IMAGE_SIDE, openRegular, tooLarge } from './files';
import { bytesPerElement, DatasetError, type Dataset, type DatasetFormat, type DType } from './types';

/** Arrays up to this size are read fully into memory in their native dtype; larger ones are read per batch. */
export const IN_MEMORY_MAX_BYTES = 512 * 1024 * 1024;

/** Typed arrays the samples are gathered from; int64 and float16 are widened once at load. */
export type NumericArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

export interface SampleLayout {
  count: number;
  height: number;
  width: number;
  channels: number;
  /** Axis order of one sample as stored: HWC (channels last, also N,H,W) or CHW. */
  channelsFirst: boolean;
  /** Fortran (column-major) order: the sample index varies fastest. */
  fortran: boolean;
}

/**
 * Decides how an N-D array holds images. (N,H,W) is grayscale; (N,H,W,C) and (N,C,H,W) are told apart by
 * which axis is 1 or 3; (N, S*S) is taken as flattened square grayscale images.
 */
export function inferLayout(shape: readonly number[], fortran: boolean, file: string): SampleLayout {
  const layout = layoutOf(shape, fortran, file);
  // Checked before anything is allocated for the images (the gather table, a batch): a header of a few bytes
  // can declare (0, 20000, 20000), no data at all but 1.6 GB per image.
  if (layout.height > MAX_ARRAY_IMAGE_SIDE || layout.width > MAX_ARRAY_IMAGE_SIDE) {
    throw tooLarge(file, `${file} declares images of ${layout.height}×${layout.width} (shape (${shape.join(', ')})); DCGAN Studio reads arrays of images up to ${MAX_ARRAY_IMAGE_SIDE}×${MAX_ARRAY_IMAGE_SIDE}, and the models train on at most 128×128 (arrays are not resized). Downscale the images before saving them, or save them as a folder of PNG/JPEG files.`);
  }
  if (layout.height === 0 || layout.width === 0) {
    throw new DatasetError({ code: 'config/shape-mismatch', severity: 'error', file, message: `${file} holds an array of shape (${shape.join(', ')}), whose images have no pixels. Save images as (N,H,W), (N,H,W,C) or (N,C,H,W) with H and W at least 1.` });
  }
  return layout;
}

function layoutOf(shape: readonly number[], fortran: boolean, file: string): SampleLayout {
  const bad = (why: string) => new DatasetError({
    code: 'config/shape-mismatch',
    severity: 'error',
    message: `${file} holds an array of shape (${shape.join(', ')}); ${why} Save images as (N,H,W), (N,H,W,C) or (N,C,H,W) with C = 1 or 3.`,
    file,
  });
  const isC = (n: number) => n === 1 || n === 3;
  if (shape.length === 2) {
    const side = Math.round(Math.sqrt(shape[1]));
    if (side * side !== shape[1]) throw bad('a 2-D array is read as flattened square images, but its second axis is not a square number.');
    return { count: shape[0], height: side, width: side, channels: 1, channelsFirst: false, fortran };
  }
  if (shape.length === 3) return { count: shape[0], height: shape[1], width: shape[2], channels: 1, channelsFirst: false, fortran };
  if (shape.length === 4) {
    const [n, a, b, c] = shape;
    // Channels-last wins a tie ((N,3,H,3) is rare; NHWC is numpy's and TensorFlow's default).
    if (isC(c)) return { count: n, height: a, width: b, channels: c, channelsFirst: false, fortran };
    if (isC(a)) return { count: n, height: b, width: c, channels: a, channelsFirst: true, fortran };
    throw bad(`neither axis 1 nor axis 3 is a channel count (1 or 3).`);
  }
  throw bad(`it has ${shape.length} dimensions.`);
}

/**
 * Offsets, in elements from a sample's first element, of each NHWC value of that sample.
 * In Fortran order the next element of a sample is `count` elements further on.
 */
function gatherOffsets(l: SampleLayout, count: number): Int32Array | Float64Array {
  const { height: h, width: w, channels: c } = l;
  const dims = l.channelsFirst ? [c, h, w] : [h, w, c];
  const strides = l.fortran ? [count, count * dims[0], count * dims[0] * dims[1]] : [dims[1] * dims[2], dims[2], 1];
  const [sH, sW, sC] = l.channelsFirst ? [strides[1], strides[2], strides[0]] : strides;
  // Fortran offsets of an in-memory array fit in float64 even past 2^31 elements.
  const out = sH * h > 0x7fffffff ? new Float64Array(h * w * c) : new Int32Array(h * w * c);
  let i = 0;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) out[i++] = y * sH + x * sW + k * sC;
  return out;
}

function isIdentity(g: ArrayLike<number>): boolean {
  for (let i = 0; i < g.length; i++) if (g[i] !== i) return false;
  return true;
}

/** Converts raw bytes of `dtype` to a typed array, swapping byte order and widening int64/float16 as needed. */
export function decodeElements(bytes: Uint8Array, dtype: DType, littleEndian: boolean): NumericArray {
  const n = Math.floor(bytes.byteLength / bytesPerElement(dtype));
  if (dtype === 'uint8') return bytes;
  if (dtype === 'int8') return new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nativeLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === 'float16') {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(i * 2, littleEndian));
    return out;
  }
  if (dtype === 'int64' || dtype === 'uint64') {
    const out = new Float64Array(n);
    const get = dtype === 'int64' ? view.getBigInt64.bind(view) : view.getBigUint64.bind(view);
    for (let i = 0; i < n; i++) out[i] = Number(get(i * 8, littleEndian));
    return out;
  }
  const Ctor = { uint16: Uint16Array, int16: Int16Array, uint32: Uint32Array, int32: Int32Array, float32: Float32Array, float64: Float64Array }[dtype];
  if (littleEndian === nativeLE) {
    // Already aligned: a view, no copy (a 500 MB array must not briefly take 1 GB).
    if (bytes.byteOffset % Ctor.BYTES_PER_ELEMENT === 0) return new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, n);
    // Copy into a fresh, aligned buffer: the source offset is not a multiple of the element size.
    const aligned = new Uint8Array(n * Ctor.BYTES_PER_ELEMENT);
    aligned.set(bytes.subarray(0, aligned.byteLength));
    return new Ctor(aligned.buffer);
  }
  const out = new Ctor(n);
  const size = Ctor.BYTES_PER_ELEMENT;
  const getter = {
    uint16: (o: number) => view.getUint16(o, littleEndian), int16: (o: number) => view.getInt16(o, littleEndian),
    uint32: (o: number) => view.getUint32(o, littleEndian), int32: (o: number) => view.getInt32(o, littleEndian),
    float32: (o: number) => view.getFloat32(o, littleEndian), float64: (o: number) => view.getFloat64(o, littleEndian),
  }[dtype];
  for (let i = 0; i < n; i++) out[i] = getter(i * size);
  return out;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Where the elements come from: a typed array in memory, or a region of a file read on demand. */
export type ArrayStorage =
  | { kind: 'memory'; data: NumericArray }
  | { kind: 'file'; file: string; offset: number; littleEndian: boolean };

export interface ArrayDatasetInit {
  source: string;
  format: DatasetFormat;
  dtype: DType;
  layout: SampleLayout;
  storage: ArrayStorage;
  labels?: Uint8Array;
  limit?: number;
  problems?: Problem[];
}

const NATIVE_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Largest contiguous read from disk in one call, so a batch of neighbouring samples costs few syscalls. */
const MAX_READ_BYTES = 16 * 1024 * 1024;
const ASYNC_READ_BYTES = 1 << 20;

function readAt(fd: number, bytes: Uint8Array, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => fs.read(fd, bytes, offset, length, position, (err, n) => (err ? reject(err) : resolve(n))));
}

export class ArrayDataset implements Dataset {
  readonly source: string;
  readonly format: DatasetFormat;
  readonly dtype: DType;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly labels?: Uint8Array;
  readonly problems: Problem[];
  private readonly storage: ArrayStorage;
  private readonly gather: Int32Array | Float64Array;
  private readonly identity: boolean;
  private readonly sampleSize: number;
  /** Element distance between consecutive samples: sampleSize in C order, 1 in Fortran order. */
  private readonly sampleStride: number;
  private fd: number | undefined;

  constructor(init: ArrayDatasetInit) {
    const l = init.layout;
    this.source = init.source;
    this.format = init.format;
    this.dtype = init.dtype;
    this.count = init.limit !== undefined ? Math.min(l.count, Math.max(0, init.limit)) : l.count;
    this.height = l.height;
    this.width = l.width;
    this.channels = l.channels;
    this.labels = init.labels && init.labels.length >= this.count ? init.labels.subarray(0, this.count) : undefined;
    this.problems = init.problems ?? [];
    this.storage = init.storage;
    if (l.fortran && init.storage.kind === 'file') {
      // One Fortran-order sample is scattered across the whole file: serving batches from disk would read all of it.
      throw new DatasetError({
        code: 'data/unreadable', severity: 'error', file: init.source,
        message: `${init.source} is a Fortran-order array too large to load into memory (over ${IN_MEMORY_MAX_BYTES / 2 ** 20} MiB). Re-save it in C order: np.save(path, np.ascontiguousarray(x)).`,
      });
    }
    this.sampleSize = l.height * l.width * l.channels;
    // The gather table is relative to a sample's first element; in Fortran order it strides by the full count.
    this.gather = gatherOffsets(l, l.count);
    this.identity = isIdentity(this.gather);
    this.sampleStride = l.fortran ? 1 : this.sampleSize;
  }

  async read(indices: ArrayLike<number>, out: Float32Array): Promise<void> {
    const size = this.sampleSize;
    if (out.length < indices.length * size) throw new RangeError(`read: out holds ${out.length} values, ${indices.length} samples need ${indices.length * size}`);
    for (let i = 0; i < indices.length; i++) {
      const n = indices[i];
      if (!(n >= 0 && n < this.count) || !Number.isInteger(n)) throw new RangeError(`read: sample index ${n} is outside 0..${this.count - 1} of ${this.source}`);
    }
    if (this.storage.kind === 'memory') {
      const data = this.storage.data;
      for (let i = 0; i < indices.length; i++) this.copySample(data, indices[i] * this.sampleStride, out, i * size);
      return;
    }
    await this.readFromFile(this.storage, indices, out);
  }

  private copySample(data: NumericArray, base: number, out: Float32Array, at: number): void {
    const size = this.sampleSize;
    if (this.identity) {
      // TypedArray.set converts between element types natively, several times faster than a JS loop.
      out.set(data.subarray(base, base + size), at);
      return;
    }
    const g = this.gather;
    for (let j = 0; j < size; j++) out[at + j] = data[base + g[j]];
  }

  /**
   * Groups runs of consecutive indices into one positioned read each (stats and sequential batches read in
   * runs). Float32 stored as served is read straight into `out`; anything else goes through one reused
   * scratch buffer, so a pass over a 1 GB file allocates a few MB, not a gigabyte of short-lived buffers.
   * Runs of 1 MB or more are read asynchronously (libuv's thread pool), so a caller can scan one chunk while the
   * next is read (computeStats does).
   */
  private async readFromFile(storage: Extract<ArrayStorage, { kind: 'file' }>, indices: ArrayLike<number>, out: Float32Array): Promise<void> {
    if (this.fd === undefined) this.fd = openRegular(storage.file).fd;
    const elementBytes = bytesPerElement(this.dtype);
    const sampleBytes = this.sampleSize * elementBytes;
    const maxRun = Math.max(1, Math.floor(MAX_READ_BYTES / sampleBytes));
    const direct = this.dtype === 'float32' && this.identity && storage.littleEndian === NATIVE_LE;
    let i = 0;
    while (i < indices.length) {
      let run = 1;
      while (i + run < indices.length && run < maxRun && indices[i + run] === indices[i] + run) run++;
      const length = run * sampleBytes;
      const scratch = direct ? undefined : this.takeScratch(length);
      try {
        const bytes = scratch ?? new Uint8Array(out.buffer, out.byteOffset + i * sampleBytes, length);
        const position = storage.offset + indices[i] * sampleBytes;
        let got = 0;
        while (got < length) {
          // Large runs (stats' chunks) go to the thread pool so that they overlap the caller's work; a training
          // batch's single samples stay synchronous, where a thread-pool round trip would cost more than the read.
          const r = length >= ASYNC_READ_BYTES ? await readAt(this.fd, bytes, got, length - got, position + got) : fs.readSync(this.fd, bytes, got, length - got, position + got);
          if (r === 0) {
            throw new DatasetError({ code: 'data/unreadable', severity: 'error', file: this.source, message: `${this.source} ends early: sample ${indices[i]} lies past the end of the file (truncated download or copy?). Re-create the file.` });
          }
          got += r;
        }
        if (scratch) {
          const values = decodeElements(bytes, this.dtype, storage.littleEndian);
          for (let k = 0; k < run; k++) this.copySample(values, k * this.sampleSize, out, (i + k) * this.sampleSize);
        }
      } finally {
        if (scratch) this.releaseScratch(scratch);
      }
      i += run;
    }
  }

  private scratch: Uint8Array | undefined;
  private scratchBusy = false;

  /** The reused scratch buffer, or a fresh one while another read holds it (reads may now overlap). */
  private takeScratch(length: number): Uint8Array {
    if (this.scratchBusy) return new Uint8Array(length);
    if (!this.scratch || this.scratch.length < length) this.scratch = new Uint8Array(length);
    this.scratchBusy = true;
    return this.scratch.subarray(0, length);
  }

  private releaseScratch(bytes: Uint8Array): void {
    if (this.scratch && bytes.buffer === this.scratch.buffer) this.scratchBusy = false;
  }

  async close(): Promise<void> {
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
  }
}
