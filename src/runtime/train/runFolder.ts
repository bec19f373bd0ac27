/**
 * Before a run writes into an existing folder: a run folder can come from elsewhere (a cloned repository, a shared
 * drive) and be resumed, and a symlink planted at metrics.jsonl, run.json, samples/ or checkpoints/ would make
 * training append to, overwrite or fill files outside the run. So everything a run writes or deletes there is
 * checked with lstat first (no symlinks, the right kind of entry), and so is every folder from the run's root (the
 * config's folder, or the folder the user named) down to the run folder. The writes themselves go through
 * ../outputFiles.ts (no-follow appends, atomic renames).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkOutputFolders, describeEntry, lstatOrUndefined, OutputPathError } from '../outputFiles';

const FILES = ['metrics.jsonl', 'run.json', 'config.json'];
const FOLDERS = ['samples', 'checkpoints'];

function checkEntry(p: string, want: 'file' | 'folder'): void {
  const st = lstatOrUndefined(p);
  if (!st) return;
  const ok = want === 'folder' ? st.isDirectory() : st.isFile() && st.nlink === 1;
  if (st.isSymbolicLink() || !ok) {
    throw new OutputPathError(`${p} is ${describeEntry(p, st)}, not a plain ${want}. DCGAN Studio writes only inside the run folder and never through links, so it will not train into this run. Remove ${p}, or train into a new run folder (without --resume).`);
  }
}

/**
 * Throws OutputPathError when a folder from `root` down to `runDir` is a link, or when anything a run writes or
 * deletes in `runDir` is a link or the wrong kind of entry.
 */
export function checkRunFolder(root: string, runDir: string): void {
  checkOutputFolders(root, runDir);
  if (!lstatOrUndefined(runDir)) return;
  for (const f of FILES) checkEntry(path.join(runDir, f), 'file');
  for (const d of FOLDERS) checkEntry(path.join(runDir, d), 'folder');
  const samples = path.join(runDir, 'samples');
  if (lstatOrUndefined(samples)) for (const name of fs.readdirSync(samples)) checkEntry(path.join(samples, name), 'file');
  const checkpoints = path.join(runDir, 'checkpoints');
  if (lstatOrUndefined(checkpoints)) {
    for (const name of fs.readdirSync(checkpoints)) {
      const step = path.join(checkpoints, name);
      checkEntry(step, 'folder');
      for (const f of fs.readdirSync(step)) checkEntry(path.join(step, f), 'file');
    }
  }
}
