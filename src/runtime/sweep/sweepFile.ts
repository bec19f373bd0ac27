/**
 * sweep.json: what a sweep is (its cells, its runs, where they run) and the state each run was last seen in. The
 * folder around it (src/runtime/sweep/README in index.ts) holds the runs' configs, run folders, task results and scores.
 *
 * A sweep folder may come from a cloned repository, so it is read like a run folder: through safeFs (regular files
 * inside the folder, bounded), and every name taken from it is checked before it becomes part of a path.
 */
import * as path from 'node:path';
import type { DataScale, SlurmOptions } from '../config/types';
import { isRecord, readJsonBounded, realDir } from '../safeFs';
import { checkOutputFolders, openAppend, writeFileAtomic } from '../outputFiles';

export const SWEEP_FORMAT = 'dcgan-studio/sweep@1';
export const SWEEP_FILE = 'sweep.json';
const MAX_SWEEP_BYTES = 16 * 2 ** 20;
/** Run names are made by sweepRunName (train/runName.ts); anything else in a sweep.json is refused. */
const RUN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$/;

export type Runner = 'local' | 'slurm';

/** One cell of the grid: the base config with these dotted keys set. */
export interface SweepCell {
  index: number;
  /** What the report calls the cell: "training.labelSmoothing=0.1", or a remedy's title. */
  label: string;
  set: Record<string, unknown>;
}

export type RunState = 'not-started' | 'queued' | 'running' | 'completed' | 'scored' | 'stopped' | 'killed' | 'failed';

export interface SweepRun {
  index: number;
  cell: number;
  seed: number;
  /** Folder and file name: runs/<name>/, configs/<name>.dcgan.json, scores/<name>.json, tasks/<name>.json. */
  name: string;
  /** As last recorded by the local runner or by `sweep status`; the run folder is the truth. */
  state?: RunState;
}

export interface SlurmJob {
  jobId: string;
  /** Array indices (run indices) this submission covers. */
  indices: number[];
  submittedAt: string;
}

export interface Sweep {
  format: typeof SWEEP_FORMAT;
  sweepId: string;
  createdAt: string;
  /** The config the cells were made from (absolute). */
  baseConfig: string;
  runner: Runner;
  steps: number;
  seeds: number[];
  /** Runs at a time: the local runner's workers, Slurm's array throttle (%N). */
  parallel: number;
  /** Train despite dataset errors (a trial of a failing baseline needs it). */
  force: boolean;
  /** The dotted keys whose values differ between cells. */
  knobs: string[];
  /** How the scorer reads the real images (score.ts): the base config's {"from"} range, else "auto"; never "none". */
  referenceScale: DataScale;
  cells: SweepCell[];
  runs: SweepRun[];
  slurm?: { options: SlurmOptions; jobs: SlurmJob[] };
  /** Set by "Try these remedies": the health alert whose fixes the cells are. */
  origin?: { kind: 'remedies'; code: string; configFile: string };
  updatedAt?: string;
}

export class SweepFileError extends Error {}

export function runDirOf(sweepDir: string, run: Pick<SweepRun, 'name'>): string {
  return path.join(sweepDir, 'runs', run.name);
}

export function runConfigOf(sweepDir: string, run: Pick<SweepRun, 'name'>): string {
  return path.join(sweepDir, 'configs', `${run.name}.dcgan.json`);
}

// Every file of a sweep folder is written by the three functions below, through the one atomic writer and path
// check (../outputFiles.ts). The sweep folder's place was chosen by the user (--out, or output.dir, which the planner
// checked against the config's folder), so the checks start at its parent: the sweep folder and everything inside
// it must be real folders and files, never links.

/** Makes `sweepDir/sub` (or the sweep folder itself), refusing a link or a file where a folder should be. */
export function makeSweepFolder(sweepDir: string, sub?: string): string {
  const dir = sub ? path.join(sweepDir, sub) : sweepDir;
  checkOutputFolders(path.dirname(path.resolve(sweepDir)), dir, { create: true });
  return dir;
}

/** Writes `sub/name` (or `name` at the top) of a sweep folder atomically. */
export function writeSweepFile(sweepDir: string, sub: string | undefined, name: string, data: string): string {
  const file = path.join(makeSweepFolder(sweepDir, sub), name);
  writeFileAtomic(path.dirname(path.resolve(sweepDir)), file, data);
  return file;
}

/** Opens `logs/<name>` of a sweep folder for appending (no link followed); the caller closes the descriptor. */
export function openSweepLog(sweepDir: string, name: string): number {
  return openAppend(path.join(makeSweepFolder(sweepDir, 'logs'), name));
}

export function writeSweep(sweepDir: string, sweep: Sweep): void {
  writeSweepFile(sweepDir, undefined, SWEEP_FILE, JSON.stringify({ ...sweep, updatedAt: new Date().toISOString() }, null, 1));
}

/** Writes a JSON file into one of the sweep's own subfolders (scores, tasks). */
export function writeSweepJson(sweepDir: string, sub: string, name: string, value: unknown): string {
  return writeSweepFile(sweepDir, sub, name, JSON.stringify(value, null, 1));
}

/** True when `dir` holds a sweep.json (a regular file inside it). */
export function isSweepDir(dir: string): boolean {
  const real = realDir(dir);
  return real !== undefined && readJsonBounded(real, SWEEP_FILE, MAX_SWEEP_BYTES) !== undefined;
}

/** Reads and checks sweep.json; throws SweepFileError naming the file and what is wrong. */
export function readSweep(sweepDir: string): { dir: string; sweep: Sweep } {
  const dir = realDir(sweepDir);
  if (!dir) throw new SweepFileError(`${sweepDir} is not a folder. Pass a sweep folder (the one holding sweep.json) written by "dcgan-studio sweep".`);
  const file = path.join(dir, SWEEP_FILE);
  const raw = readJsonBounded(dir, SWEEP_FILE, MAX_SWEEP_BYTES);
  if (raw === undefined) throw new SweepFileError(`${file} is missing or is not JSON: ${sweepDir} is not a sweep folder. Pass the folder "dcgan-studio sweep" printed.`);
  const why = sweepProblem(raw);
  if (why) throw new SweepFileError(`${file}: ${why}. It was not written by this version of DCGAN Studio, or it was edited; plan the sweep again.`);
  return { dir, sweep: raw as Sweep };
}

const STATES: ReadonlySet<string> = new Set<RunState>(['not-started', 'queued', 'running', 'completed', 'scored', 'stopped', 'killed', 'failed']);
const isInt = (x: unknown, min = 0): x is number => typeof x === 'number' && Number.isInteger(x) && x >= min;

/** Why `x` is not a sweep.json this code can use, or undefined. */
export function sweepProblem(x: unknown): string | undefined {
  if (!isRecord(x)) return 'not a JSON object';
  if (x.format !== SWEEP_FORMAT) return `"format" is ${JSON.stringify(x.format)}, not "${SWEEP_FORMAT}"`;
  if (typeof x.sweepId !== 'string' || typeof x.baseConfig !== 'string' || typeof x.createdAt !== 'string') return 'sweepId, baseConfig or createdAt is missing';
  if (x.runner !== 'local' && x.runner !== 'slurm') return `"runner" is ${JSON.stringify(x.runner)}, not "local" or "slurm"`;
  if (!isInt(x.steps, 1) || !isInt(x.parallel, 1) || typeof x.force !== 'boolean') return 'steps, parallel or force is missing';
  if (!Array.isArray(x.seeds) || !x.seeds.every((s) => isInt(s))) return '"seeds" is not a list of whole numbers';
  if (!Array.isArray(x.knobs) || !x.knobs.every((k) => typeof k === 'string')) return '"knobs" is not a list of keys';
  const ref = x.referenceScale;
  const isRange = (r: unknown) => isRecord(r) && Array.isArray(r.from) && r.from.length === 2 && r.from.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (ref !== 'auto' && !isRange(ref)) return '"referenceScale" is neither "auto" nor {"from": [lo, hi]}';
  if (!Array.isArray(x.cells) || x.cells.length === 0 || x.cells.length > 1000) return '"cells" is not a list of 1 to 1000 cells';
  for (const [i, c] of x.cells.entries()) {
    if (!isRecord(c) || c.index !== i || typeof c.label !== 'string' || !isRecord(c.set)) return `cell ${i} is malformed`;
  }
  if (!Array.isArray(x.runs) || x.runs.length === 0 || x.runs.length > 10_000) return '"runs" is not a list of 1 to 10000 runs';
  const names = new Set<string>();
  for (const [i, r] of x.runs.entries()) {
    if (!isRecord(r) || r.index !== i || !isInt(r.cell) || (r.cell as number) >= x.cells.length || !isInt(r.seed)) return `run ${i} is malformed`;
    if (typeof r.name !== 'string' || !RUN_NAME.test(r.name) || names.has(r.name)) return `run ${i}'s name ${JSON.stringify(r.name)} is not a plain, unique folder name`;
    names.add(r.name);
    if (r.state !== undefined && !(typeof r.state === 'string' && STATES.has(r.state))) return `run ${i}'s state ${JSON.stringify(r.state)} is unknown`;
  }
  if (x.slurm !== undefined) {
    if (!isRecord(x.slurm) || !isRecord(x.slurm.options) || !Array.isArray(x.slurm.jobs)) return '"slurm" is malformed';
    for (const j of x.slurm.jobs) {
      if (!isRecord(j) || typeof j.jobId !== 'string' || !/^\d{1,12}$/.test(j.jobId) || !Array.isArray(j.indices) || !j.indices.every((n) => isInt(n))) return 'a Slurm job entry is malformed';
    }
  }
  if (x.origin !== undefined && !(isRecord(x.origin) && x.origin.kind === 'remedies' && typeof x.origin.code === 'string' && typeof x.origin.configFile === 'string')) return '"origin" is malformed';
  return undefined;
}
