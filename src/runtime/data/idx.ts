/**
 * IDX files, the MNIST format (optionally gzipped). When a labels file sits beside the images
 * (train-labels-idx1-ubyte[.gz] next to train-images-idx3-ubyte[.gz]) its labels are read too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { ArrayDataset, decodeElements, IN_MEMORY_MAX_BYTES, inferLayout } from './arrays';
import { bytesPerElement, unreadable, type DatasetFormat, type DType, type OpenOptions } from './types';

const IDX_TYPES: Record<number, DType> = { 0x08: 'uint8', 0x09: 'int8', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64' };

export interface IdxHeader {
  dtype: DType;
  shape: number[];
  dataOffset: number;
}

export function parseIdxHeader(bytes: Uint8Array, what: string): IdxHeader {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw unreadable(what, `${what} is not an IDX file (it must start with two zero bytes, a type byte and a dimension count, like MNIST's train-images-idx3-ubyte).`);
  }
  const dtype = IDX_TYPES[bytes[2]];
  if (!dtype) throw unreadable(what, `${what}: unknown IDX element type 0x${bytes[2].toString(16)}.`);
  const ndim = bytes[3];
  if (bytes.length < 4 + 4 * ndim) throw unreadable(what, `${what}: the IDX header is truncated.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i, false));
  return { dtype, shape, dataOffset: 4 + 4 * ndim };
}

function gunzipFile(file: string): Uint8Array {
  try {
    return new Uint8Array(zlib.gunzipSync(fs.readFileSync(file)));
  } catch (err) {
    throw unreadable(file, `${file} cannot be decompressed (${(err as Error).message}); the download may be incomplete. Fetch it again or gunzip it yourself to check.`);
  }
}

/** The labels file that belongs to an images file, when one exists beside it. */
export function findLabelsFile(imagesFile: string): string | undefined {
  const dir = path.dirname(imagesFile);
  const base = path.basename(imagesFile).replace(/\.gz$/, '');
  if (!/images?[-_.]idx3/i.test(base)) return undefined;
  const labelsBase = base.replace(/(images?)([-_.])idx3/i, (_m, _w, sep) => `labels${sep}idx1`);
  for (const candidate of [labelsBase, `${labelsBase}.gz`]) {
    const p = path.join(dir, candidate);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

function readLabels(file: string, count: number): Uint8Array | undefined {
  try {
    const bytes = file.endsWith('.gz') ? gunzipFile(file) : new Uint8Array(fs.readFileSync(file));
    const h = parseIdxHeader(bytes, file);
    if (h.shape.length !== 1 || h.shape[0] < count || h.dtype !== 'uint8') return undefined;
    return bytes.slice(h.dataOffset, h.dataOffset + count);
  } catch {
    // Labels are a bonus (class-coverage figures); an unreadable labels file must not block training.
    return undefined;
  }
}

export async function openIdx(file: string, options: OpenOptions & { format?: DatasetFormat; source?: string } = {}): Promise<ArrayDataset> {
  const gz = file.endsWith('.gz');
  const labelsFile = findLabelsFile(file);
  if (gz) {
    const bytes = gunzipFile(file);
    const h = parseIdxHeader(bytes, file);
    const layout = inferLayout(h.shape, false, file);
    const need = h.shape.reduce((a, b) => a * b, 1) * bytesPerElement(h.dtype);
    if (bytes.length - h.dataOffset < need) throw unreadable(file, `${file} is truncated: its header promises ${need} bytes of data, it holds ${bytes.length - h.dataOffset}.`);
    const data = decodeElements(bytes.subarray(h.dataOffset, h.dataOffset + need), h.dtype, false);
    const labels = labelsFile ? readLabels(labelsFile, layout.count) : undefined;
    return new ArrayDataset({ source: options.source ?? file, format: options.format ?? 'idx', dtype: h.dtype, layout, storage: { kind: 'memory', data }, labels, limit: options.limit });
  }
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r');
  const head = new Uint8Array(Math.min(size, 4 + 4 * 255));
  try { fs.readSync(fd, head, 0, head.length, 0); } finally { fs.closeSync(fd); }
  const h = parseIdxHeader(head, file);
  const layout = inferLayout(h.shape, false, file);
  const need = h.shape.reduce((a, b) => a * b, 1) * bytesPerElement(h.dtype);
  if (size - h.dataOffset < need) throw unreadable(file, `${file} is truncated: its header promises ${need} bytes of data, the file holds ${size - h.dataOffset}.`);
  const labels = labelsFile ? readLabels(labelsFile, layout.count) : undefined;
  if (need <= IN_MEMORY_MAX_BYTES) {
    const all = new Uint8Array(fs.readFileSync(file));
    const data = decodeElements(all.subarray(h.dataOffset, h.dataOffset + need), h.dtype, false);
    return new ArrayDataset({ source: options.source ?? file, format: options.format ?? 'idx', dtype: h.dtype, layout, storage: { kind: 'memory', data }, labels, limit: options.limit });
  }
  return new ArrayDataset({
    source: options.source ?? file, format: options.format ?? 'idx', dtype: h.dtype, layout, labels, limit: options.limit,
    storage: { kind: 'file', file, offset: h.dataOffset, littleEndian: false },
  });
}
