/**
 * IDX files, the MNIST format (optionally gzipped). When a labels file sits beside the images
 * (train-labels-idx1-ubyte[.gz] next to train-images-idx3-ubyte[.gz]) its labels are read too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { ArrayDataset, decodeElements, IN_MEMORY_MAX_BYTES, inferLayout } from './arrays';
import { MAX_DEFLATE_RATIO, mib, openRegular, readAt, readRegularFile, tooLarge } from './files';
import { bytesPerElement, DatasetError, unreadable, type DatasetFormat, type DType, type OpenOptions } from './types';

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

function idxBytes(h: IdxHeader): number {
  return h.dataOffset + h.shape.reduce((a, b) => a * b, 1) * bytesPerElement(h.dtype);
}

/**
 * Inflates a gzipped IDX file, but only as far as its header says the data goes: the header is read from the
 * first inflated bytes, its size checked against the in-memory cap and against what deflate can produce from
 * a file this size, and only then is a buffer of exactly that size allocated. Whatever follows (a gzip bomb's
 * gigabytes of zeros) is never inflated.
 */
async function gunzipIdx(file: string): Promise<{ header: IdxHeader; bytes: Uint8Array }> {
  const { fd, size } = openRegular(file);
  const input = fs.createReadStream('', { fd, autoClose: true });
  const gunzip = zlib.createGunzip();
  input.on('error', (err) => gunzip.destroy(err));
  input.pipe(gunzip);
  let head = Buffer.alloc(0);
  let header: IdxHeader | undefined;
  let out: Uint8Array | undefined;
  let got = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      if (!out) {
        head = Buffer.concat([head, chunk]);
        if (head.length < 4 || head.length < 4 + 4 * head[3]) continue;
        header = parseIdxHeader(head, file);
        const total = idxBytes(header);
        if (total > IN_MEMORY_MAX_BYTES) {
          throw tooLarge(file, `${file} declares ${mib(total)} of images (shape ${header.shape.join('×')}); gzipped IDX files are inflated into memory, up to ${mib(IN_MEMORY_MAX_BYTES)}. Gunzip it (the plain file is read in chunks) or use a subset.`);
        }
        if (total > size * MAX_DEFLATE_RATIO + 1024) {
          throw unreadable(file, `${file} is ${size} bytes but its header declares ${mib(total)} of images (shape ${header.shape.join('×')}), more than gzip can hold in a file this size; the file is damaged. Fetch it again.`);
        }
        out = new Uint8Array(total);
        got = Math.min(head.length, total);
        out.set(head.subarray(0, got));
      } else {
        const take = Math.min(chunk.length, out.length - got);
        out.set(chunk.subarray(0, take), got);
        got += take;
      }
      if (got >= out.length) break;
    }
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw unreadable(file, `${file} cannot be decompressed (${(err as Error).message}); the download may be incomplete. Fetch it again or gunzip it yourself to check.`);
  } finally {
    gunzip.destroy();
    input.destroy();
  }
  if (!header || !out) throw unreadable(file, `${file}: the IDX header is truncated (it inflates to ${head.length} bytes).`);
  if (got < out.length) throw unreadable(file, `${file} is truncated: its header promises ${out.length - header.dataOffset} bytes of data, it holds ${got - header.dataOffset}.`);
  return { header, bytes: out };
}

/** A plain IDX file's header, from its first bytes. */
function readIdxHead(file: string): { header: IdxHeader; size: number } {
  const { fd, size } = openRegular(file);
  try {
    return { header: parseIdxHeader(readAt(fd, Math.min(size, 4 + 4 * 255), 0), file), size };
  } finally {
    fs.closeSync(fd);
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

async function readLabels(file: string, count: number): Promise<Uint8Array | undefined> {
  try {
    let h: IdxHeader;
    let bytes: Uint8Array;
    if (file.endsWith('.gz')) ({ header: h, bytes } = await gunzipIdx(file));
    else {
      const head = readIdxHead(file);
      h = head.header;
      if (idxBytes(h) > head.size) return undefined;
      bytes = readRegularFile(file, IN_MEMORY_MAX_BYTES, '');
    }
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
  const source = options.source ?? file;
  const format = options.format ?? 'idx';
  if (gz) {
    const { header: h, bytes } = await gunzipIdx(file);
    const layout = inferLayout(h.shape, false, file);
    const data = decodeElements(bytes.subarray(h.dataOffset), h.dtype, false);
    const labels = labelsFile ? await readLabels(labelsFile, layout.count) : undefined;
    return new ArrayDataset({ source, format, dtype: h.dtype, layout, storage: { kind: 'memory', data }, labels, limit: options.limit });
  }
  const { header: h, size } = readIdxHead(file);
  const layout = inferLayout(h.shape, false, file);
  const need = idxBytes(h) - h.dataOffset;
  if (size - h.dataOffset < need) throw unreadable(file, `${file} is truncated: its header promises ${need} bytes of data, the file holds ${size - h.dataOffset}.`);
  const labels = labelsFile ? await readLabels(labelsFile, layout.count) : undefined;
  if (need <= IN_MEMORY_MAX_BYTES) {
    const { fd } = openRegular(file);
    let body: Uint8Array;
    try { body = readAt(fd, need, h.dataOffset); } finally { fs.closeSync(fd); }
    const data = decodeElements(body, h.dtype, false);
    return new ArrayDataset({ source, format, dtype: h.dtype, layout, storage: { kind: 'memory', data }, labels, limit: options.limit });
  }
  return new ArrayDataset({
    source, format, dtype: h.dtype, layout, labels, limit: options.limit,
    storage: { kind: 'file', file, offset: h.dataOffset, littleEndian: false },
  });
}
