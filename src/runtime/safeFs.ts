/**
 * The one bounded reader. Files of a folder that came from somewhere else (a cloned repository's runs/, a checkpoint
 * someone sent, a config): only regular files (a link to /dev/zero or a FIFO would stream forever or block), only
 * inside the folder (a symlink that leads out of it is refused), and never more bytes than the caller bounds.
 * Errors name the file and say what is wrong with it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export class UnsafeFileError extends Error {
  constructor(readonly file: string, message: string) {
    super(message);
  }
}

/** The real path of a folder, or undefined when it is not a folder. */
export function realDir(dir: string): string | undefined {
  try {
    const real = fs.realpathSync(dir);
    return fs.statSync(real).isDirectory() ? real : undefined;
  } catch {
    return undefined;
  }
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * `rel` resolved inside `root` (a real path, see realDir), following symlinks only while they stay inside it.
 * Undefined when the path does not exist; throws when it leads outside `root`.
 */
export function resolveInside(root: string, rel: string): string | undefined {
  const joined = path.resolve(root, rel);
  if (!inside(root, joined)) throw new UnsafeFileError(joined, `${joined} is outside ${root}; a run folder may only refer to its own files.`);
  let real: string;
  try {
    real = fs.realpathSync(joined);
  } catch {
    return undefined;
  }
  if (!inside(root, real)) throw new UnsafeFileError(joined, `${joined} is a link to ${real}, outside ${root}; it was not read. Remove the link, or copy the file into the folder.`);
  return real;
}

/** A regular file inside `root`, with its size; undefined when absent or not a regular file. */
export function regularFileInside(root: string, rel: string): { file: string; size: number } | undefined {
  const file = resolveInside(root, rel);
  if (!file) return undefined;
  const st = fs.statSync(file);
  return st.isFile() ? { file, size: st.size } : undefined;
}

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  return 'a special file';
}

/**
 * Opens `file` for reading only if what it names (links followed) is a regular file. O_NONBLOCK keeps the open
 * itself from waiting on a FIFO's writer, and the check is on the opened descriptor, so nothing is swapped in
 * between. The caller closes the descriptor.
 */
export function openRegularFile(file: string): { fd: number; size: number; mtimeMs: number } {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  const st = fs.fstatSync(fd);
  if (!st.isFile()) {
    fs.closeSync(fd);
    throw new UnsafeFileError(file, `${file} is ${kindOf(st)}, not a regular file; it was not read. Replace it with the file DCGAN Studio expects there.`);
  }
  return { fd, size: st.size, mtimeMs: st.mtimeMs };
}

/** Reads `length` bytes at `position` into `into` (fewer only at the end of the file); returns how many. */
export function readInto(fd: number, into: Uint8Array, position: number): number {
  let got = 0;
  while (got < into.length) {
    const r = fs.readSync(fd, into, got, into.length - got, position + got);
    if (r === 0) break;
    got += r;
  }
  return got;
}

/** Reads a whole regular file, refusing one larger than `maxBytes` before reading a byte of it. */
export function readFileBounded(file: string, maxBytes: number): Buffer {
  const { fd, size } = openRegularFile(file);
  try {
    if (size > maxBytes) throw new UnsafeFileError(file, `${file} is ${size} bytes, more than the ${maxBytes} this file may have; it was not read. Is it the file DCGAN Studio wrote?`);
    // Read at most what fstat said even if the file grows meanwhile.
    const buf = Buffer.alloc(size);
    const n = readInto(fd, buf, 0);
    return n === size ? buf : buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads a regular file inside `root`, refusing one larger than `maxBytes`. */
export function readBounded(root: string, rel: string, maxBytes: number): Buffer | undefined {
  const found = regularFileInside(root, rel);
  return found ? readFileBounded(found.file, maxBytes) : undefined;
}

/** JSON from a bounded file; undefined when the file is absent, not JSON, too large, or a link out of `root`. */
export function readJsonBounded(root: string, rel: string, maxBytes: number): unknown {
  let buf: Buffer | undefined;
  try {
    buf = readBounded(root, rel, maxBytes);
  } catch (err) {
    if (err instanceof UnsafeFileError) return undefined;
    throw err;
  }
  if (!buf) return undefined;
  try {
    return JSON.parse(buf.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Names in a folder inside `root`, or [] when it is absent, not a folder or outside. */
export function listInside(root: string, rel: string, maxEntries = 100_000): string[] {
  let dir: string | undefined;
  try {
    dir = resolveInside(root, rel);
  } catch {
    return [];
  }
  if (!dir) return [];
  try {
    if (!fs.statSync(dir).isDirectory()) return [];
    const out: string[] = [];
    const d = fs.opendirSync(dir);
    try {
      for (let e = d.readSync(); e && out.length < maxEntries; e = d.readSync()) out.push(e.name);
    } finally {
      d.closeSync();
    }
    return out;
  } catch {
    return [];
  }
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
