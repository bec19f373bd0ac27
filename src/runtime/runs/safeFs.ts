/**
 * Reading files of a folder that came from somewhere else (a cloned repository's runs/, a checkpoint someone sent):
 * only regular files, only inside the folder (a symlink that leads out of it is refused), and never more bytes
 * than the caller bounds. Errors name the file and say what is wrong with it.
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

/** Reads a regular file inside `root`, refusing one larger than `maxBytes`. */
export function readBounded(root: string, rel: string, maxBytes: number): Buffer | undefined {
  const found = regularFileInside(root, rel);
  if (!found) return undefined;
  if (found.size > maxBytes) {
    throw new UnsafeFileError(found.file, `${found.file} is ${found.size} bytes, more than the ${maxBytes} this file may have; it was not read. Is it the file DCGAN Studio wrote?`);
  }
  const fd = fs.openSync(found.file, 'r');
  try {
    // Read at most maxBytes even if the file grows between stat and read.
    const buf = Buffer.alloc(Math.min(found.size, maxBytes));
    let n = 0;
    while (n < buf.length) {
      const got = fs.readSync(fd, buf, n, buf.length - n, n);
      if (got === 0) break;
      n += got;
    }
    return n === buf.length ? buf : buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
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
