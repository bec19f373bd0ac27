/**
 * One task of a sweep = one run: `dcgan-studio train <its config> --run <its folder> --json` as a child process
 * (resumed from its newest checkpoint when it has one), then its score against its training data. The local
 * runner starts tasks as `dcgan-studio sweep task DIR INDEX` processes, and so does each Slurm array task: one code
 * path for both, and a scheduler only ever starts CLI runs.
 *
 * Stopping: the scheduler signals the whole task (Slurm signals every process of the job step; the local runner,
 * the task's process group), so `train` gets SIGTERM or SIGINT itself, stops after its current step and writes a
 * checkpoint. The task does not forward signals (train would take a second one as "exit now") and does not score a
 * run that was stopped.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfigFile } from '../config/load';
import { listCheckpoints, NotARunError, readRun } from '../runs';
import { scoreCheckpoint, type RunScore } from './score';
import { makeSweepFolder, readSweep, runConfigOf, runDirOf, writeSweepJson, type Sweep, type SweepRun } from './sweepFile';

export interface CliCommand {
  /** The Node binary (in VS Code: its own, run as Node through ELECTRON_RUN_AS_NODE). */
  node: string;
  /** dist/cli.js. */
  script: string;
}

/** What a task leaves in tasks/<run>.json: how its last attempt ended. */
export interface TaskResult {
  run: string;
  exitCode: number | null;
  signal: string | null;
  resumed: boolean;
  /** The train step was skipped: the run had completed already (only its score was missing). */
  skippedTraining: boolean;
  startedAt: string;
  endedAt: string;
  host: string;
  /** The message of train's end event (why it failed, when it did). */
  message?: string;
  scoreError?: string;
}

/** The CLI script: this process's own when it is the CLI, else dist/cli.js above this module (tests, the extension). */
export function findCli(start: string = __dirname): CliCommand {
  const self = process.argv[1];
  if (self && path.basename(self) === 'cli.js' && fs.existsSync(self)) return { node: process.execPath, script: path.resolve(self) };
  let dir = start;
  for (let i = 0; i < 6; i++) {
    for (const candidate of [path.join(dir, 'cli.js'), path.join(dir, 'dist', 'cli.js')]) {
      if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return { node: process.execPath, script: candidate };
    }
    dir = path.dirname(dir);
  }
  throw new Error(`dist/cli.js was not found above ${start}: run "npm run build" (a sweep's tasks run the dcgan-studio CLI).`);
}

/** Environment for a child that must run as Node even when this process is Electron (VS Code's extension host). */
export function nodeEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ELECTRON_RUN_AS_NODE: '1', NO_COLOR: '1', ...extra };
}

type Plan = { action: 'train'; resume: boolean } | { action: 'score-only' };

/** Resume from a checkpoint; a folder without one is a failed start, moved aside so the retry starts clean. */
async function planRun(sweepDir: string, sweep: Sweep, run: SweepRun): Promise<Plan> {
  const runDir = runDirOf(sweepDir, run);
  let st: fs.Stats | undefined;
  try { st = fs.lstatSync(runDir); } catch { st = undefined; }
  if (!st) return { action: 'train', resume: false };
  if (!st.isDirectory()) throw new Error(`${runDir} is not a folder (${st.isSymbolicLink() ? 'a symlink' : 'a file'}); remove it and resume the sweep.`);
  try {
    const rec = await readRun(runDir, { maxPoints: 10 });
    if (rec.status === 'completed' && rec.lastStep >= sweep.steps) return { action: 'score-only' };
  } catch (err) {
    if (!(err instanceof NotARunError)) throw err;
  }
  if (listCheckpoints(runDir).length > 0) return { action: 'train', resume: true };
  const failed = makeSweepFolder(sweepDir, 'failed');
  fs.renameSync(runDir, path.join(failed, `${run.name}-${new Date().toISOString().replace(/[:.]/g, '-')}`));
  return { action: 'train', resume: false };
}

/**
 * Runs train; its JSON event stream goes on to the task's own output (a Slurm log, or the local runner's log file),
 * and its end event's message is kept: a run refused before it starts (dataset errors) leaves no run folder to say why.
 */
function runTrain(cli: CliCommand, args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; endMessage?: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cli.node, [cli.script, 'train', ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: nodeEnv() });
    let pending = '';
    let endMessage: string | undefined;
    let firstError: string | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      if (pending.length > 1 << 20) pending = '';
      for (const line of lines) {
        if (!line.startsWith('{"event":"end"') && !(line.startsWith('{"event":"problem"') && !firstError)) continue;
        try {
          const e = JSON.parse(line) as { event?: unknown; message?: unknown; severity?: unknown };
          if (typeof e.message !== 'string') continue;
          if (e.event === 'end') endMessage = e.message.slice(0, 2000);
          else if (e.severity === 'error') firstError = e.message.slice(0, 2000);
        } catch { /* not an event */ }
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, endMessage: firstError && code !== 0 ? firstError : endMessage }));
  });
}

export interface TaskOptions {
  /** How to start `train` (default: this CLI, findCli). */
  cli?: CliCommand;
  /** Where the task's own lines go (default: stderr, i.e. the task's log). */
  log?: (line: string) => void;
}

/** Runs task `index` of the sweep in `sweepDir` to the end. Returns the process exit code for the task. */
export async function runSweepTask(sweepDir: string, index: number, options: TaskOptions = {}): Promise<number> {
  const { dir, sweep } = readSweep(sweepDir);
  const run = sweep.runs[index];
  if (!run) throw new Error(`${dir}: there is no run ${index}; the sweep has runs 0 to ${sweep.runs.length - 1}.`);
  const log = options.log ?? ((line: string) => process.stderr.write(`[sweep task ${index}] ${line}\n`));
  let stopping = false;
  const onStop = (signal: NodeJS.Signals) => { stopping = true; log(`${signal}: the run stops after its current step and keeps a checkpoint.`); };
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  const startedAt = new Date().toISOString();
  const result: TaskResult = { run: run.name, exitCode: null, signal: null, resumed: false, skippedTraining: false, startedAt, endedAt: startedAt, host: os.hostname() };
  try {
    const plan = await planRun(dir, sweep, run);
    if (plan.action === 'train') {
      result.resumed = plan.resume;
      const args = [runConfigOf(dir, run), '--run', runDirOf(dir, run), '--json', ...(sweep.force ? ['--force'] : []), ...(plan.resume ? ['--resume'] : [])];
      log(`${plan.resume ? 'resuming' : 'starting'} ${run.name} (${sweep.cells[run.cell].label}, seed ${run.seed})`);
      const { code, signal, endMessage } = await runTrain(options.cli ?? findCli(), args);
      result.exitCode = code;
      result.signal = signal;
      if (endMessage) result.message = endMessage;
    } else {
      result.skippedTraining = true;
      result.exitCode = 0;
    }
    if (result.exitCode === 0 && !stopping) {
      try {
        const score = await scoreRun(dir, sweep, run);
        if (score) log(`${run.name}: Fréchet distance ${score.frechetDistance.toFixed(3)} at step ${score.step}`);
      } catch (err) {
        result.scoreError = (err as Error).message;
        log(`${run.name}: could not be scored: ${result.scoreError}`);
      }
    }
  } finally {
    process.off('SIGTERM', onStop);
    process.off('SIGINT', onStop);
    result.endedAt = new Date().toISOString();
    writeSweepJson(dir, 'tasks', `${run.name}.json`, result);
  }
  if (result.scoreError) return 1;
  return result.exitCode ?? (result.signal ? 128 + (os.constants.signals[result.signal as NodeJS.Signals] ?? 0) : 1);
}

/** Scores a run that completed: writes scores/<run>.json and returns the score, or undefined when it did not complete. */
export async function scoreRun(sweepDir: string, sweep: Sweep, run: SweepRun): Promise<RunScore | undefined> {
  const runDir = runDirOf(sweepDir, run);
  const rec = await readRun(runDir, { maxPoints: 10 });
  if (rec.status !== 'completed') return undefined;
  const checkpoint = rec.checkpoints.at(-1);
  if (!checkpoint) throw new Error(`${runDir} completed but holds no checkpoint to score.`);
  const config = loadConfigFile(runConfigOf(sweepDir, run));
  if (!config.config) throw new Error(`${runConfigOf(sweepDir, run)} no longer validates: ${config.problems[0]?.message ?? ''}`);
  const { selectBackend } = await import('../backend/select');
  const backend = await selectBackend(config.config.runtime.backend, { threads: config.config.runtime.threads });
  try {
    const score = await scoreCheckpoint(backend.tf, checkpoint.dir, config, sweep.referenceScale, run.name);
    writeSweepJson(sweepDir, 'scores', `${run.name}.json`, score);
    return score;
  } finally {
    backend.release?.();
  }
}
