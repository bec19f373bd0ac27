/**
 * Finding things in run folders by listing them, never by a path a file names: a run's sample grids, its
 * checkpoints (the one lister: the trainer's --resume, the CLI's --checkpoint, compare and export all use it), the
 * newest run of an output folder, and what a user means by --checkpoint. Entries that are links out of the run, or
 * not the kind of file the trainer writes, are not listed (safeFs.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isRecord, listInside, readJsonBounded, realDir, regularFileInside, resolveInside, UnsafeFileError } from '../safeFs';

export interface RunGrid {
  step: number;
  /** Absolute path of the grid PNG, inside the run folder. */
  file: string;
}

export interface RunCheckpoint {
  step: number;
  dir: string;
}

const GRID_FILE = /^step-(\d{1,9})\.png$/;
const CHECKPOINT_DIR = /^step-(\d{1,9})$/;
/** Entries of an output folder looked at when searching for its newest run. */
const MAX_RUNS_SCANNED = 10_000;

/** `rel` inside `dir` when it is a regular file there (links out of `dir` refused); its path under `dir` as given. */
function fileIn(dir: string, real: string, rel: string): string | undefined {
  try {
    return regularFileInside(real, rel) ? path.join(dir, rel) : undefined;
  } catch {
    return undefined; // a link out of the run: not listed
  }
}

/** The sample grids of a run folder (samples/step-NNNNNN.png), oldest first. Paths are under `dir` as given. */
export function listGrids(dir: string): RunGrid[] {
  const real = realDir(dir);
  if (!real) return [];
  const out: RunGrid[] = [];
  for (const name of listInside(real, 'samples')) {
    const m = GRID_FILE.exec(name);
    const file = m && fileIn(dir, real, path.join('samples', name));
    if (m && file) out.push({ step: Number(m[1]), file });
  }
  return out.sort((a, b) => a.step - b.step);
}

/** samples/real.png, the trainer's grid of one real batch, when it is a regular file of the run. */
export function realBatchFile(dir: string): string | undefined {
  const real = realDir(dir);
  return real ? fileIn(dir, real, path.join('samples', 'real.png')) : undefined;
}

/** Complete checkpoints of a run folder (checkpoints/step-NNNNNN with a manifest.json), oldest first. */
export function listCheckpoints(dir: string): RunCheckpoint[] {
  const real = realDir(dir);
  if (!real) return [];
  const out: RunCheckpoint[] = [];
  for (const name of listInside(real, 'checkpoints')) {
    const m = CHECKPOINT_DIR.exec(name);
    if (!m || !fileIn(dir, real, path.join('checkpoints', name, 'manifest.json'))) continue;
    try {
      if (resolveInside(real, path.join('checkpoints', name))) out.push({ step: Number(m[1]), dir: path.join(dir, 'checkpoints', name) });
    } catch {
      // a link out of the run: not listed
    }
  }
  return out.sort((a, b) => a.step - b.step);
}

/** The newest complete checkpoint of a run folder, if any. */
export function latestCheckpoint(runDir: string): string | undefined {
  return listCheckpoints(runDir).at(-1)?.dir;
}

/** The run folder under `outputDir` whose newest checkpoint was written last (for --resume without a run folder). */
export function newestRunWithCheckpoint(outputDir: string): string | undefined {
  const real = realDir(outputDir);
  if (!real) return undefined;
  let best: { dir: string; time: number } | undefined;
  for (const name of listInside(real, '.', MAX_RUNS_SCANNED)) {
    try {
      if (!resolveInside(real, name)) continue;
    } catch {
      continue; // a link out of the output folder
    }
    const dir = path.join(outputDir, name);
    const newest = latestCheckpoint(dir);
    if (!newest) continue;
    const time = fs.statSync(newest).mtimeMs;
    if (!best || time > best.time) best = { dir, time };
  }
  return best?.dir;
}

export class NoCheckpointError extends Error {}

/**
 * What a user means by a checkpoint: a checkpoint folder (holding manifest.json), a run folder (its newest
 * checkpoint), a run's checkpoints/ folder, or an output folder (its newest run's newest checkpoint). Throws
 * NoCheckpointError saying what was found instead.
 */
export function resolveCheckpoint(given: string): RunCheckpoint {
  const abs = path.resolve(given);
  const real = realDir(abs);
  if (!real) {
    throw new NoCheckpointError(`${fs.existsSync(abs) ? `${abs} is not a folder` : `no such folder (${abs})`}. Point it at a run's checkpoints/step-NNNNNN folder, or at the run folder to use its newest checkpoint.`);
  }
  if (checkpointManifest(real, abs)) {
    const m = CHECKPOINT_DIR.exec(path.basename(abs));
    return { dir: abs, step: m ? Number(m[1]) : manifestStep(real) };
  }
  const inRun = latestOf(listCheckpoints(abs));
  if (inRun) return inRun;
  if (path.basename(abs) === 'checkpoints') {
    const inParent = latestOf(listCheckpoints(path.dirname(abs)));
    if (inParent) return inParent;
  }
  const run = newestRunWithCheckpoint(abs);
  if (run) return latestOf(listCheckpoints(run))!;
  throw new NoCheckpointError(`${abs} holds no checkpoint (no manifest.json, and no checkpoints/step-NNNNNN inside). Train first, or point at a folder written by "dcgan-studio train".`);
}

/** True when `dir` holds a regular manifest.json; throws NoCheckpointError naming one that is a link out or not a file. */
function checkpointManifest(real: string, dir: string): boolean {
  const file = path.join(dir, 'manifest.json');
  try {
    if (regularFileInside(real, 'manifest.json')) return true;
  } catch (err) {
    if (err instanceof UnsafeFileError) throw new NoCheckpointError(`${err.message} A checkpoint's manifest.json is a regular file of its folder; use another checkpoint.`);
    throw err;
  }
  if (fs.existsSync(file)) throw new NoCheckpointError(`${file} is not a regular file; it was not read. A checkpoint's manifest.json is a regular file of its folder; use another checkpoint.`);
  return false;
}

function latestOf(list: RunCheckpoint[]): RunCheckpoint | undefined {
  return list.at(-1);
}

function manifestStep(dir: string): number {
  const manifest = readJsonBounded(dir, 'manifest.json', 16 * 2 ** 20);
  return isRecord(manifest) && typeof manifest.step === 'number' ? manifest.step : 0;
}
