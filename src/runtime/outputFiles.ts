/**
 * Every file DCGAN Studio writes goes through here: one path check and one atomic writer.
 *
 * The path check. A write names a `root`: the folder whose owner chose the place (the config's folder for
 * output.dir, a workspace folder, the folder a user typed on the command line). Every folder from the root down to
 * the file is checked with lstat: a symlink, or anything that is not a folder, is refused and named, so a link
 * planted in a cloned repository (`runs` → ~/.config, `<run>/generated` → elsewhere) cannot carry a write
 * outside. Missing folders are made one at a time, each checked again after it is made.
 *
 * The atomic writer. The data goes to a fresh temp file with a random name, created exclusively ('wx': it fails
 * rather than open anything already there, a planted link included), then renamed over the target. A reader never
 * sees half a file, and a link at the target is replaced, not written through. (Names like `<file>.tmp-<pid>` could
 * be planted in advance for every pid; a random name cannot.)
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export class OutputPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputPathError';
  }
}

export function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function readlinkOr(p: string): string {
  try { return fs.readlinkSync(p); } catch { return '?'; }
}

/** "a symlink (to /x)", "a folder", …: what an entry is, for messages that refuse it. */
export function describeEntry(p: string, st: fs.Stats): string {
  if (st.isSymbolicLink()) return `a symlink (to ${readlinkOr(p)})`;
  if (st.isDirectory()) return 'a folder';
  if (st.isFile()) return st.nlink > 1 ? 'a file with other hard links' : 'a file';
  return 'a special file';
}

export function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Checks every folder from `root` (exclusive: its owner chose it) down to `dir` (inclusive): each must be a real
 * folder, not a link. With `create`, missing ones are made. Throws OutputPathError naming the first offender.
 */
export function checkOutputFolders(root: string, dir: string, options: { create?: boolean } = {}): void {
  const from = path.resolve(root);
  const to = path.resolve(dir);
  if (!isInside(from, to)) throw new OutputPathError(`${to} is outside ${from}, where this write was allowed; nothing was written there. Choose an output location inside ${from}.`);
  // The root itself is its owner's choice (a folder typed on the command line may not exist yet).
  if (options.create) fs.mkdirSync(from, { recursive: true });
  let at = from;
  for (const part of path.relative(from, to).split(path.sep).filter(Boolean)) {
    at = path.join(at, part);
    let st = lstatOrUndefined(at);
    if (!st) {
      if (!options.create) return;
      try {
        fs.mkdirSync(at, { mode: 0o755 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      st = fs.lstatSync(at);
    }
    if (st.isSymbolicLink() || !st.isDirectory()) {
      throw new OutputPathError(`${at} is ${describeEntry(at, st)}, not a folder. DCGAN Studio writes only into real folders below ${from}, never through links, so nothing was written. Remove ${at}, or choose another output location.`);
    }
  }
}

/** A temp name next to `file` that no one can have planted: random, and created exclusively by the writer. */
export function tempName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${crypto.randomBytes(8).toString('hex')}.tmp`);
}

/**
 * Writes `data` to `file` atomically, after checking (and making) the folders from `root` down to it. `root` is
 * the folder whose owner chose this place; pass the file's own folder when the user named the file itself.
 */
export function writeFileAtomic(root: string, file: string, data: string | Uint8Array, options: { mode?: number } = {}): void {
  checkOutputFolders(root, path.dirname(file), { create: true });
  const st = lstatOrUndefined(file);
  if (st?.isDirectory()) throw new OutputPathError(`${file} is a folder; DCGAN Studio writes a file there and will not replace a folder. Remove it, or choose another name.`);
  const tmp = tempName(file);
  fs.writeFileSync(tmp, data, { flag: 'wx', mode: options.mode ?? 0o644 });
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** Opens `file` for appending, refusing a symlink (O_NOFOLLOW), a FIFO or device, or a hard-linked file. */
export function openAppend(file: string): number {
  const flags = fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);
  const refuse = (st: fs.Stats) => new OutputPathError(`${file} is ${describeEntry(file, st)}, not a plain file. DCGAN Studio appends only to its own files, never through links; nothing was written. Remove ${file}, or train into a new run folder.`);
  let fd: number;
  try {
    fd = fs.openSync(file, flags, 0o644);
  } catch (err) {
    const st = lstatOrUndefined(file);
    if (st) throw refuse(st);
    throw err;
  }
  const st = fs.fstatSync(fd);
  if (!st.isFile() || st.nlink !== 1) {
    fs.closeSync(fd);
    throw refuse(st);
  }
  return fd;
}

/**
 * Where the check starts for a location the user typed (a CLI --out or --run): the current folder when the path
 * lies below it, so that links among the folders typed (a cloned repository's `export` → elsewhere) are refused;
 * otherwise the path's parent, whose folders the user named themselves.
 */
export function userOutputRoot(target: string, cwd = process.cwd()): string {
  const abs = path.resolve(cwd, target);
  return isInside(cwd, path.dirname(abs)) ? cwd : path.dirname(abs);
}
