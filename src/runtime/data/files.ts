/**
 * Bounds on what a dataset file may make DCGAN Studio read or allocate. Datasets come from cloned repositories
 * and shared drives, and lint reads them as soon as a dcgan.json is open, so every size a file declares (an
 * array shape, a zip member's length, an image's dimensions) is checked against the file's real size and
 * against these caps before anything is allocated; and only regular files are read (a symlink to /dev/zero or
 * a FIFO would otherwise stream forever or block).
 */
import * as fs from 'node:fs';
import { DatasetError, unreadable } from './types';
import { openRegularFile, readInto, UnsafeFileError } from '../safeFs';

/** Arrays hold images of at most this side: the models train on 128×128 at most and arrays are not resized. */
export const MAX_ARRAY_IMAGE_SIDE = 1024;
/** PNG/JPEG images larger than this many pixels (a 50-megapixel photo) are skipped, not decoded. */
export const MAX_IMAGE_PIXELS = 50_000_000;
/** Largest PNG or JPEG file decoded (its bytes are read into memory whole). */
export const MAX_IMAGE_FILE_BYTES = 256 * 2 ** 20;
/** Most .npy members an .npz may hold. */
export const MAX_NPZ_MEMBERS = 256;
/** Deflate cannot expand data by more than about 1032:1; a gzip or zip that claims more is damaged or hostile. */
export const MAX_DEFLATE_RATIO = 1032;

export function tooLarge(file: string, message: string): DatasetError {
  return new DatasetError({ code: 'data/too-large', severity: 'error', message, file });
}

/**
 * Opens a file for reading only if it is a regular file (symlinks are followed, but must end at one): safeFs's
 * check, with the refusal as a dataset problem.
 */
export function openRegular(file: string): { fd: number; size: number; mtimeMs: number } {
  try {
    return openRegularFile(file);
  } catch (err) {
    if (!(err instanceof UnsafeFileError)) throw err;
    throw unreadable(file, `${err.message.replace(/ Replace it with.*$/, '')} Datasets are read only from regular files: point data.path at a real .npy/.npz/IDX file or a folder of images.`);
  }
}

/** Reads `length` bytes at `position` (fewer only at the end of the file). */
export function readAt(fd: number, length: number, position: number): Uint8Array {
  const out = new Uint8Array(length);
  const got = readInto(fd, out, position);
  return got === length ? out : out.subarray(0, got);
}

/** Reads a whole regular file of at most `maxBytes` (`what to do` completes the message when it is larger). */
export function readRegularFile(file: string, maxBytes: number, whatToDo: string): Uint8Array {
  const { fd, size } = openRegular(file);
  try {
    if (size > maxBytes) throw tooLarge(file, `${file} is ${mib(size)}, over the ${mib(maxBytes)} DCGAN Studio reads into memory for this kind of file. ${whatToDo}`);
    return readAt(fd, size, 0);
  } finally {
    fs.closeSync(fd);
  }
}

export function mib(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${Math.ceil(bytes / 2 ** 20)} MiB`;
}
