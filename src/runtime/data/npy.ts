/**
 * NumPy .npy files (format versions 1, 2 and 3): the header is parsed here, the samples are served by
 * ArrayDataset, from memory for small files and by positioned reads for big ones (past readFileSync's 2 GiB).
 */
import * as fs from 'node:fs';
import { ArrayDataset, decodeElements, IN_MEMORY_MAX_BYTES, inferLayout, type NumericArray } from './arrays';
import { openRegular, readAt } from './files';
import { bytesPerElement, unreadable, type DType, type OpenOptions } from './types';

export interface NpyHeader {
  dtype: DType;
  littleEndian: boolean;
  fortran: boolean;
  shape: number[];
  /** Byte offset of the first element. */
  dataOffset: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const DESCR_TYPES: Record<string, DType> = {
  u1: 'uint8', b1: 'uint8', i1: 'int8', u2: 'uint16', i2: 'int16', u4: 'uint32', i4: 'int32',
  u8: 'uint64', i8: 'int64', f2: 'float16', f4: 'float32', f8: 'float64',
};

/** Parses the header from the file's first bytes; `what` names the file (or npz member) in messages. */
export function parseNpyHeader(bytes: Uint8Array, what: string): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw unreadable(what, `${what} is not a NumPy .npy file (it does not start with \\x93NUMPY). Save arrays with np.save().`);
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let start: number;
  if (major === 1) { headerLength = view.getUint16(8, true); start = 10; }
  else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw unreadable(what, `${what}: the .npy header is truncated.`);
    headerLength = view.getUint32(8, true); start = 12;
  } else throw unreadable(what, `${what} uses .npy format version ${major}, which DCGAN Studio does not know (1, 2 and 3 are supported).`);
  if (start + headerLength > bytes.length) throw unreadable(what, `${what}: the .npy header is truncated (the file is shorter than its header says).`);
  // Version 3 allows UTF-8 in the header; 1 and 2 are latin-1, which UTF-8 decoding reads the same for ASCII.
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLength));
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]+)['"]/.exec(text)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (!descr || !fortran || shapeText === undefined) {
    if (/['"]descr['"]\s*:\s*\[/.test(text)) throw unreadable(what, `${what} holds a structured (record) array. Save a plain numeric image array instead, e.g. np.save(path, x["image"]).`);
    throw unreadable(what, `${what}: cannot read the .npy header ${JSON.stringify(text.trim().slice(0, 120))}.`);
  }
  const order = descr[0];
  const dtype = DESCR_TYPES[descr.slice(1)];
  if (!dtype || !'<>|='.includes(order)) {
    throw unreadable(what, `${what} has dtype "${descr}", which is not an image type. Use uint8, another integer type, float16, float32 or float64 (x.astype(np.float32)).`);
  }
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  if (shape.some((n) => !Number.isInteger(n) || n < 0)) throw unreadable(what, `${what}: cannot read the shape (${shapeText}) in the .npy header.`);
  return { dtype, littleEndian: order !== '>', fortran: fortran === 'True', shape, dataOffset: start + headerLength };
}

function elementCount(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Decodes a whole .npy held in memory (npz members); the elements are copied into their native typed array. */
export function decodeNpyBytes(bytes: Uint8Array, what: string): { header: NpyHeader; data: NumericArray } {
  const header = parseNpyHeader(bytes, what);
  const need = elementCount(header.shape) * bytesPerElement(header.dtype);
  if (bytes.length - header.dataOffset < need) {
    throw unreadable(what, `${what} is truncated: its header promises ${need} bytes of data, the file holds ${bytes.length - header.dataOffset}.`);
  }
  const body = bytes.subarray(header.dataOffset, header.dataOffset + need);
  // Copy uint8/int8 so the dataset does not pin the whole (possibly larger) source buffer.
  const data = decodeElements(header.dtype === 'uint8' || header.dtype === 'int8' ? body.slice() : body, header.dtype, header.littleEndian);
  return { header, data };
}

export type NpyOpenOptions = OpenOptions;

export async function openNpy(file: string, options: NpyOpenOptions = {}): Promise<ArrayDataset> {
  const { fd, size } = openRegular(file);
  try {
    // Headers are padded to a multiple of 64 bytes and are short in practice; 64 KiB covers any real one.
    const header = parseNpyHeader(readAt(fd, Math.min(size, 65536), 0), file);
    const layout = inferLayout(header.shape, header.fortran, file);
    const need = elementCount(header.shape) * bytesPerElement(header.dtype);
    if (size - header.dataOffset < need) {
      throw unreadable(file, `${file} is truncated: its header promises ${need} bytes of data, the file holds ${size - header.dataOffset}. Re-create it with np.save().`);
    }
    const limit = options.inMemoryMaxBytes ?? IN_MEMORY_MAX_BYTES;
    if (need <= limit) {
      const data = decodeElements(readAt(fd, need, header.dataOffset), header.dtype, header.littleEndian);
      return new ArrayDataset({ source: file, format: 'npy', dtype: header.dtype, layout, storage: { kind: 'memory', data }, limit: options.limit });
    }
    return new ArrayDataset({
      source: file, format: 'npy', dtype: header.dtype, layout, limit: options.limit,
      storage: { kind: 'file', file, offset: header.dataOffset, littleEndian: header.littleEndian },
    });
  } finally {
    fs.closeSync(fd);
  }
}
