/**
 * Planning a sweep: from a base config and the cells the user asked for (a --vary grid, or a health alert's
 * remedies) to a sweep folder whose every run config has passed the config loader's own validation. Nothing runs
 * here, and nothing is written until every cell is valid: bad input is refused before anything starts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { knobProblem, sweepableKeys } from '../config/keys';
import { loadConfigFile, parseConfig, resolveDataPath, resolveOutputDir, setAtPath } from '../config/load';
import type { DcganConfig, SlurmOptions } from '../config/types';
import { formatProblem } from '../problem';
import { newSweepId, sweepRunName } from '../train/runName';
import { makeSweepFolder, runConfigOf, SWEEP_FILE, SWEEP_FORMAT, writeSweep, writeSweepFile, type Runner, type Sweep, type SweepCell } from './sweepFile';

/** Bad sweep input: names the key and the value (when there is one) and what to do. The CLI exits 2 with it. */
export class SweepInputError extends Error {
  constructor(message: string, readonly key?: string, readonly value?: unknown) {
    super(message);
    this.name = 'SweepInputError';
  }
}

/** A cell as asked for: dotted keys → values, and optionally what to call it. */
export interface CellRequest {
  set: Record<string, unknown>;
  label?: string;
}

export interface PlanRequest {
  configFile: string;
  cells: CellRequest[];
  /** Seeds per cell: training.seed, training.seed + 1, … (default 1). */
  seeds?: number;
  /** training.steps of every run (default: the config's). */
  steps?: number;
  runner?: Runner;
  /** Runs at a time (local: default one per core; Slurm: no throttle unless given). */
  parallel?: number;
  force?: boolean;
  /** The sweep folder (default <output.dir>/sweeps/<sweep id>). Must not hold a sweep already. */
  out?: string;
  /** sbatch options given on the command line; they win over the config's "slurm" section key by key. */
  slurm?: SlurmOptions;
  origin?: Sweep['origin'];
  /** Cores of this machine (tests pass a number). */
  cpus?: number;
}

export const MAX_RUNS = 500;

/** "training.labelSmoothing=0,0.1" → the key and its values. Values are JSON when they parse as JSON, else text. */
export function parseVary(text: string): { key: string; values: unknown[] } {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new SweepInputError(`--vary ${JSON.stringify(text)}: expected KEY=V1,V2 (for example --vary training.labelSmoothing=0,0.1).`);
  const key = text.slice(0, eq).trim();
  const raw = splitTopLevel(text.slice(eq + 1));
  if (raw.length === 0 || raw.some((v) => v.trim() === '')) throw new SweepInputError(`--vary ${key}=${text.slice(eq + 1)}: a value is empty. Give comma-separated values, e.g. ${key}=0,0.1.`, key);
  const values = raw.map(parseValue);
  const seen = new Set<string>();
  for (const v of values) {
    const k = JSON.stringify(v);
    if (seen.has(k)) throw new SweepInputError(`--vary ${key}: the value ${k} is given twice; each value makes one cell.`, key, v);
    seen.add(k);
  }
  return { key, values };
}

export function parseValue(text: string): unknown {
  const t = text.trim();
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return t;
  }
}

/** Splits on commas that are not inside brackets, braces or quotes: {"from":[0,255]} stays one value. */
function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0, quote = false, start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === '"') quote = false;
    } else if (c === '"') quote = true;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return text.trim() === '' ? [] : out;
}

/** The grid: one cell per combination of the --vary values, first key slowest. */
export function gridCells(varies: readonly { key: string; values: unknown[] }[]): CellRequest[] {
  const keys = new Set<string>();
  for (const v of varies) {
    if (keys.has(v.key)) throw new SweepInputError(`--vary ${v.key} is given twice: list all its values in one --vary ${v.key}=V1,V2.`, v.key);
    keys.add(v.key);
  }
  let cells: Record<string, unknown>[] = [{}];
  for (const v of varies) cells = cells.flatMap((c) => v.values.map((value) => ({ ...c, [v.key]: value })));
  return cells.map((set) => ({ set }));
}

export function cellLabel(set: Record<string, unknown>): string {
  const entries = Object.entries(set);
  if (entries.length === 0) return 'baseline (the config as it is)';
  return entries.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');
}

/** Checks every cell with the config loader's own validation and writes the sweep folder. */
export function planSweep(req: PlanRequest): { dir: string; sweep: Sweep } {
  if (req.cells.length === 0) throw new SweepInputError('nothing to sweep: give at least one --vary KEY=V1,V2.');
  const loaded = loadConfigFile(req.configFile);
  if (!loaded.config) {
    throw new SweepInputError(`${loaded.file ?? req.configFile} cannot be used: ${loaded.problems.map(formatProblem).join('; ')}. Fix the config first.`);
  }
  const base = loaded.config;
  const configFile = loaded.file!;
  const seedsPerCell = req.seeds ?? 1;
  if (!Number.isInteger(seedsPerCell) || seedsPerCell < 1 || seedsPerCell > 100) throw new SweepInputError(`--seeds ${req.seeds}: give 1 to 100 seeds per cell.`, 'seeds', req.seeds);
  const runCount = req.cells.length * seedsPerCell;
  if (runCount > MAX_RUNS) throw new SweepInputError(`${req.cells.length} cells × ${seedsPerCell} seeds is ${runCount} runs, more than ${MAX_RUNS}. Vary fewer values, or split the sweep.`);
  const runner = req.runner ?? 'local';
  const cpus = req.cpus ?? os.cpus().length;
  const parallel = req.parallel ?? (runner === 'local' ? Math.max(1, Math.min(cpus, runCount)) : runCount);
  const slurm: SlurmOptions = { ...(base.slurm ?? {}), ...(req.slurm ?? {}) };
  // Slurm gives a task one CPU unless asked for more; locally the cores are shared among the parallel runs.
  const threads = runner === 'slurm' ? slurm.cpusPerTask ?? 1 : Math.max(1, Math.floor(cpus / parallel));
  const seeds = Array.from({ length: seedsPerCell }, (_, i) => base.training.seed + i);

  const dir = path.resolve(req.out ?? path.join(resolveOutputDir(base, loaded.baseDir), 'sweeps', newSweepId(configFile)));
  if (fs.existsSync(path.join(dir, SWEEP_FILE))) throw new SweepInputError(`${dir} already holds a sweep. Continue it with "dcgan-studio sweep resume ${dir}", or pass another --out.`, 'out', req.out);

  const cells: SweepCell[] = [];
  const configs: { name: string; text: string }[] = [];
  const runs: Sweep['runs'] = [];
  for (const [i, request] of req.cells.entries()) {
    for (const key of Object.keys(request.set)) {
      const why = knobProblem(key);
      if (why) throw new SweepInputError(`${key}=${JSON.stringify(request.set[key])}: ${why}${why.startsWith('unknown') ? ` Keys: ${sweepableKeys().map((k) => k.key).join(', ')}.` : ''}`, key, request.set[key]);
    }
    const cell: SweepCell = { index: i, label: (request.label ?? cellLabel(request.set)).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').slice(0, 200), set: request.set };
    cells.push(cell);
    for (const seed of seeds) {
      const config = runConfig(base, loaded.baseDir, dir, request.set, { seed, steps: req.steps, threads: base.runtime.threads === 0 ? threads : base.runtime.threads });
      const name = sweepRunName(i, seed);
      runs.push({ index: runs.length, cell: i, seed, name, state: 'not-started' });
      configs.push({ name, text: JSON.stringify(config, null, 2) });
    }
  }
  const sweep: Sweep = {
    format: SWEEP_FORMAT,
    sweepId: path.basename(dir),
    createdAt: new Date().toISOString(),
    baseConfig: configFile,
    runner,
    steps: req.steps ?? base.training.steps,
    seeds,
    parallel,
    force: Boolean(req.force),
    knobs: differingKeys(cells),
    referenceScale: typeof base.data.scale === 'object' ? base.data.scale : 'auto',
    cells,
    runs,
    ...(runner === 'slurm' ? { slurm: { options: slurm, jobs: [] } } : {}),
    ...(req.origin ? { origin: req.origin } : {}),
  };
  // Everything checked: now the folder.
  makeSweepFolder(dir, 'runs');
  for (const c of configs) writeSweepFile(dir, 'configs', path.basename(runConfigOf(dir, c)), c.text);
  writeSweep(dir, sweep);
  return { dir, sweep };
}

/**
 * One run's config: the base with the cell's keys, the seed and the steps set, validated by parseConfig exactly as a
 * config file is. Paths become absolute (the config now lives in the sweep folder); output.dir is the sweep's runs/.
 */
function runConfig(base: DcganConfig, baseDir: string, sweepDir: string, set: Record<string, unknown>, o: { seed: number; steps?: number; threads: number }): DcganConfig {
  const doc = structuredClone(base) as unknown as Record<string, unknown>;
  setAtPath(doc, ['runtime', 'threads'], o.threads);
  for (const [key, value] of Object.entries(set)) setAtPath(doc, key.split('.'), value);
  setAtPath(doc, ['training', 'seed'], o.seed);
  if (o.steps !== undefined) setAtPath(doc, ['training', 'steps'], o.steps);
  setAtPath(doc, ['data', 'path'], resolveDataPath(base, baseDir));
  setAtPath(doc, ['output', 'dir'], path.join(sweepDir, 'runs'));
  delete doc.$schema;
  const checked = parseConfig(JSON.stringify(doc));
  if (!checked.config) {
    const p = checked.problems[0];
    const key = p?.location?.path?.join('.');
    const given = key !== undefined && key in set ? ` (given ${key}=${JSON.stringify(set[key])})` : '';
    const message = p ? p.message.replace(/^config:\d+: /, '').replace(/\.$/, '') : 'the config does not validate';
    throw new SweepInputError(`${message}${given}. Change that value.`, key, key !== undefined ? set[key] : undefined);
  }
  return checked.config;
}

/** Keys set to different values in different cells (or set in some cells only). */
export function differingKeys(cells: readonly Pick<SweepCell, 'set'>[]): string[] {
  const keys = [...new Set(cells.flatMap((c) => Object.keys(c.set)))];
  return keys.filter((k) => new Set(cells.map((c) => JSON.stringify(c.set[k]))).size > 1);
}
