/**
 * Writing into a run folder without following links. A run folder can come from elsewhere (a cloned
 * repository, a shared drive) and be resumed; a symlink planted at metrics.jsonl, run.json, samples/ or
 * checkpoints/ would make training append to, overwrite or fill files outside the run. So before a run writes
 * into an existing folder, everything it writes or deletes there is checked with lstat (no symlinks, the right
 * kind of entry), and each write opens with O_NOFOLLOW or writes a fresh temp file ('wx') and renames it over
 * the target (rename replaces a link; it never writes through one).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export class RunFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunFolderError';
  }
}

const FILES = ['metrics.jsonl', 'run.json', 'config.json'];
const FOLDERS = ['samples', 'checkpoints'];

function lstat(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function refuse(p: string, st: fs.Stats, want: 'file' | 'folder'): never {
  const what = st.isSymbolicLink() ? `a symlink (to ${safeReadlink(p)})` : st.isDirectory() ? 'a folder' : st.isFile() ? 'a file with other hard links' : 'a special file';
  throw new RunFolderError(`${p} is ${what}, not a plain ${want}. DCGAN Studio writes only inside the run folder and never through links, so it will not train into this run. Remove ${p}, or train into a new run folder (without --resume).`);
}

function safeReadlink(p: string): string {
  try { return fs.readlinkSync(p); } catch { return '?'; }
}

function checkEntry(p: string, want: 'file' | 'folder'): void {
  const st = lstat(p);
  if (!st) return;
  const ok = want === 'folder' ? st.isDirectory() : st.isFile() && st.nlink === 1;
  if (st.isSymbolicLink() || !ok) refuse(p, st, want);
}

/** Throws RunFolderError when anything a run writes or deletes in `runDir` is a link or the wrong kind of entry. */
export function checkRunFolder(runDir: string): void {
  checkEntry(runDir, 'folder');
  if (!lstat(runDir)) return;
  for (const f of FILES) checkEntry(path.join(runDir, f), 'file');
  for (const d of FOLDERS) checkEntry(path.join(runDir, d), 'folder');
  const samples = path.join(runDir, 'samples');
  if (lstat(samples)) for (const name of fs.readdirSync(samples)) checkEntry(path.join(samples, name), 'file');
  const checkpoints = path.join(runDir, 'checkpoints');
  if (lstat(checkpoints)) {
    for (const name of fs.readdirSync(checkpoints)) {
      const step = path.join(checkpoints, name);
      checkEntry(step, 'folder');
      for (const f of fs.readdirSync(step)) checkEntry(path.join(step, f), 'file');
    }
  }
}

/** mkdir that refuses to reuse a link or a non-folder at `dir` (its parents are the caller's to have checked). */
export function makeFolder(dir: string): void {
  const st = lstat(dir);
  if (!st) fs.mkdirSync(dir, { recursive: true });
  else if (st.isSymbolicLink() || !st.isDirectory()) refuse(dir, st, 'folder');
}

/** Opens `file` for appending, refusing a symlink (O_NOFOLLOW), a FIFO or device, or a hard-linked file. */
export function openAppend(file: string): number {
  const flags = fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);
  let fd: number;
  try {
    fd = fs.openSync(file, flags, 0o644);
  } catch (err) {
    const st = lstat(file);
    if (st) refuse(file, st, 'file');
    throw err;
  }
  const st = fs.fstatSync(fd);
  if (!st.isFile() || st.nlink !== 1) {
    fs.closeSync(fd);
    refuse(file, st, 'file');
  }
  return fd;
}

/** A name no one can have planted: the writer creates it exclusively ('wx'). */
export function tempName(file: string): string {
  return `${file}.tmp-${process.pid}-${crypto.randomBytes(6).toString('hex')}`;
}

/** Writes a fresh temp file exclusively and renames it over `file`, so a reader never sees half of it and a link at `file` is replaced, not followed. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = tempName(file);
  fs.writeFileSync(tmp, data, { flag: 'wx', mode: 0o644 });
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}
