/**
 * `dcgan-studio sweep`: plan a grid of runs from one config and run it (here, or as one Slurm array job), then rank
 * the cells; `sweep status | resume | cancel DIR` follow and steer it; `sweep task DIR INDEX` is one run, what each
 * local worker and each Slurm array task executes. Bad input exits 2 before anything is written or started.
 */
import * as path from 'node:path';
import type { SlurmOptions } from '../runtime/config/types';
import { sweepableKeys } from '../runtime/config/keys';
import {
  anyQueued, cancelSlurm, findCli, gridCells, remedyCells, localRunnerAlive, localRunnerPid, parseSbatchOption, parseVary, planSweep, queueStates, rankSweep, readSweep,
  runsToResume, runSweepTask, startLocal, submitSlurm, summarizeStates, SweepFileError, SweepInputError, sweepStatus, writeSweep,
  type Ranking, type RunStatus, type Runner, type Sweep,
} from '../runtime/sweep';
import { UsageError, didYouMean, type ParsedArgs } from './args';
import { type Io, writeJson } from './io';
import { dim, yellow } from './output';
import { describePlan, formatRanking, formatStatus, printable } from './sweepReport';

const SUBCOMMANDS = ['status', 'resume', 'cancel', 'task'] as const;
const WAIT_POLL_MS = 3000;

export async function runSweep(args: ParsedArgs, io: Io): Promise<number> {
  const [first, dir, index] = args.positionals;
  const sub = (SUBCOMMANDS as readonly string[]).includes(first) ? (first as (typeof SUBCOMMANDS)[number]) : undefined;
  try {
    if (!sub) {
      if (dir !== undefined) throw new UsageError(`too many arguments: ${JSON.stringify(dir)}. Usage: dcgan-studio sweep CONFIG --vary KEY=V1,V2 (or sweep status|resume|cancel DIR).`, 'sweep');
      return await start(first, args, io);
    }
    if (dir === undefined) throw new UsageError(`sweep ${sub} needs the sweep folder: dcgan-studio sweep ${sub} DIR${sub === 'task' ? ' INDEX' : ''}.`, 'sweep');
    if (sub !== 'task' && index !== undefined) throw new UsageError(`too many arguments for sweep ${sub}: ${JSON.stringify(index)}.`, 'sweep');
    switch (sub) {
      case 'status': return await status(dir, args, io);
      case 'resume': return await resume(dir, args, io);
      case 'cancel': return await cancelSweep(dir, io);
      case 'task': {
        if (index === undefined || !/^\d+$/.test(index)) throw new UsageError(`sweep task DIR INDEX: INDEX must be a run's number (Slurm passes $SLURM_ARRAY_TASK_ID), got ${JSON.stringify(index ?? '')}.`, 'sweep');
        return await runSweepTask(dir, Number(index));
      }
    }
  } catch (err) {
    if (err instanceof SweepInputError || err instanceof SweepFileError) throw new UsageError(err.message, 'sweep');
    throw err;
  }
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)];
}

async function start(configFile: string, args: ParsedArgs, io: Io): Promise<number> {
  const f = args.flags;
  const varies = strings(f.vary).map((text) => {
    try {
      return parseVary(text);
    } catch (err) {
      throw new UsageError((err as Error).message, 'sweep');
    }
  });
  if (varies.length === 0 && f.remedies === undefined) throw new UsageError('give at least one --vary KEY=V1,V2 (e.g. --vary training.labelSmoothing=0,0.1), or --remedies CODE.', 'sweep');
  if (varies.length > 0 && f.remedies !== undefined) throw new UsageError('--remedies makes its own cells (the alert\'s fixes and the baseline): give it without --vary.', 'sweep');
  const code = f.remedies === undefined ? undefined : String(f.remedies);
  const cells = code === undefined ? gridCells(varies) : await remedyCells(code, configFile);
  const slurm: SlurmOptions = {};
  for (const text of strings(f.sbatch)) {
    try {
      Object.assign(slurm, parseSbatchOption(text));
    } catch (err) {
      throw new UsageError((err as Error).message, 'sweep');
    }
  }
  const runner = (f.runner as Runner | undefined) ?? 'local';
  if (Object.keys(slurm).length && runner !== 'slurm') throw new UsageError('--sbatch applies to --runner slurm only.', 'sweep');
  let planned: { dir: string; sweep: Sweep };
  try {
    planned = planSweep({
      configFile, cells, seeds: f.seeds as number | undefined, steps: f.steps as number | undefined,
      runner, parallel: f.parallel as number | undefined, force: Boolean(f.force), out: f.out === undefined ? undefined : path.resolve(String(f.out)), slurm,
      ...(code ? { origin: { kind: 'remedies' as const, code, configFile: path.resolve(configFile) } } : {}),
    });
  } catch (err) {
    if (err instanceof SweepInputError && err.key && /unknown key/.test(err.message)) {
      const hint = didYouMean(err.key, sweepableKeys().map((k) => k.key));
      throw new UsageError(hint ? `${err.message.replace(/ Keys: .*$/, '')}${hint}` : err.message, 'sweep');
    }
    throw err;
  }
  const { dir, sweep } = planned;
  if (f.json) writeJson(io, { event: 'sweep', dir, sweepId: sweep.sweepId, runner: sweep.runner, cells: sweep.cells, runs: sweep.runs.map((r) => ({ index: r.index, name: r.name, cell: r.cell, seed: r.seed })) });
  else io.out.write(describePlan(sweep, dir));
  return sweep.runner === 'local' ? runLocally(dir, sweep, sweep.runs.map((r) => r.index), io, Boolean(f.json)) : submitAndMaybeWait(dir, sweep, sweep.runs.map((r) => r.index), io, Boolean(f.json), Boolean(f.wait));
}

async function runLocally(dir: string, sweep: Sweep, indices: number[], io: Io, json: boolean): Promise<number> {
  const say = (text: string) => { if (!json) io.out.write(text + '\n'); };
  let done = 0;
  const runner = startLocal(dir, sweep, {
    indices,
    parallel: sweep.parallel,
    onEvent: (e) => {
      const run = sweep.runs[e.index];
      // sweep.json keeps each run's state as the runner sees it (the report below refines it from the run folders).
      run.state = e.kind === 'started' ? 'running' : e.exitCode === 0 ? 'completed' : 'failed';
      try { writeSweep(dir, sweep); } catch { /* the report says what the folder holds */ }
      if (json) { writeJson(io, { event: e.kind === 'started' ? 'run-started' : 'run-ended', index: e.index, name: run.name, ...(e.kind === 'ended' ? { exitCode: e.exitCode, signal: e.signal } : {}) }); return; }
      if (e.kind === 'started') say(dim(io.out, `started ${run.name}: ${printable(sweep.cells[run.cell].label, 80)}, seed ${run.seed}`));
      else say(`${++done}/${indices.length} ${run.name} ended${e.exitCode === 0 ? '' : ` (${e.signal ?? `exit code ${e.exitCode}`}; see logs/${run.name}.log)`}`);
    },
  });
  // Ctrl-C: the runs stop after their current step and keep a checkpoint; a second Ctrl-C kills them.
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    runner.stop();
    io.err.write(interrupts === 1 ? `Stopping the sweep's runs after their current step (Ctrl-C again to kill them). Continue later with: dcgan-studio sweep resume ${dir}\n` : 'Killing the runs.\n');
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  let result: Awaited<LocalDone>;
  try {
    result = await runner.done;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
  return report(dir, sweep, io, json, result.stopped);
}
type LocalDone = ReturnType<typeof startLocal>['done'];

async function submitAndMaybeWait(dir: string, sweep: Sweep, indices: number[], io: Io, json: boolean, wait: boolean): Promise<number> {
  const jobId = await submitSlurm(dir, sweep, indices, findCli());
  sweep.slurm = { options: sweep.slurm?.options ?? {}, jobs: [...(sweep.slurm?.jobs ?? []), { jobId, indices, submittedAt: new Date().toISOString() }] };
  for (const i of indices) sweep.runs[i].state = 'queued';
  writeSweep(dir, sweep);
  if (json) writeJson(io, { event: 'submitted', jobId, indices });
  else io.out.write(`Submitted Slurm job ${jobId} (${indices.length} array task${indices.length > 1 ? 's' : ''}). Follow it: dcgan-studio sweep status ${dir}\n`);
  if (!wait) return 0;
  let last = '';
  while (await anyQueued(sweep)) {
    const { runs } = await currentStatus(dir, sweep);
    const line = summarizeStates(runs);
    if (line !== last && !json) io.out.write(dim(io.out, `${new Date().toISOString().slice(11, 19)} ${line}\n`));
    last = line;
    await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
  }
  return report(dir, sweep, io, json, false);
}

async function currentStatus(dir: string, sweep: Sweep): Promise<{ runs: RunStatus[]; notes: string[] }> {
  const queue = sweep.runner === 'slurm' ? await queueStates(sweep) : undefined;
  const { runs } = await sweepStatus(dir, sweep, { queue: queue?.states, localRunnerAlive: sweep.runner === 'local' ? localRunnerAlive(dir) : undefined });
  return { runs, notes: queue?.notes ?? [] };
}

/** Records the states in sweep.json, prints the runs and the ranking; exit 0 when every run was scored. */
async function report(dir: string, sweep: Sweep, io: Io, json: boolean, stopped: boolean): Promise<number> {
  const { runs, notes } = await currentStatus(dir, sweep);
  record(dir, sweep, runs);
  const ranking = rankSweep(sweep, runs);
  if (json) {
    writeJson(io, { event: 'sweep-status', dir, runs: runs.map(statusJson), notes });
    writeJson(io, { event: 'ranking', ...ranking });
  } else {
    io.out.write('\n' + formatStatus(io.out, sweep, runs));
    for (const n of notes) io.out.write(dim(io.out, `  ${printable(n)}\n`));
    io.out.write('\n' + formatRanking(io.out, sweep, ranking));
    const open = runs.filter((r) => r.state !== 'scored');
    if (open.length) io.out.write(yellow(io.out, `${open.length} run${open.length > 1 ? 's' : ''} not scored (${summarizeStates(open)}). ${stopped ? 'Stopped; c' : 'C'}ontinue with: dcgan-studio sweep resume ${dir}\n`));
  }
  return stopped || runs.every((r) => r.state === 'scored') ? 0 : 1;
}

function statusJson(s: RunStatus): Record<string, unknown> {
  return { index: s.run.index, name: s.run.name, cell: s.run.cell, seed: s.run.seed, state: s.state, step: s.step, steps: s.steps, ...(s.score ? { score: s.score } : {}), ...(s.note ? { note: s.note } : {}) };
}

function record(dir: string, sweep: Sweep, runs: readonly RunStatus[]): void {
  for (const s of runs) sweep.runs[s.run.index].state = s.state;
  try {
    writeSweep(dir, sweep);
  } catch {
    // A sweep folder someone else owns (read-only) is still reported, just not updated.
  }
}

async function status(dirArg: string, args: ParsedArgs, io: Io): Promise<number> {
  const { dir, sweep } = readSweep(dirArg);
  const { runs, notes } = await currentStatus(dir, sweep);
  const ranking: Ranking = rankSweep(sweep, runs);
  if (args.flags.json) {
    writeJson(io, { event: 'sweep-status', dir, runner: sweep.runner, jobs: sweep.slurm?.jobs ?? [], runs: runs.map(statusJson), notes, ranking });
    return 0;
  }
  record(dir, sweep, runs);
  io.out.write(`Sweep ${printable(sweep.sweepId)} (${sweep.runner}${sweep.slurm?.jobs.length ? `, Slurm job${sweep.slurm.jobs.length > 1 ? 's' : ''} ${sweep.slurm.jobs.map((j) => j.jobId).join(', ')}` : ''}): ${summarizeStates(runs)}\n`);
  io.out.write(formatStatus(io.out, sweep, runs));
  for (const n of notes) io.out.write(dim(io.out, `  ${printable(n)}\n`));
  io.out.write('\n' + formatRanking(io.out, sweep, ranking));
  return 0;
}

async function resume(dirArg: string, args: ParsedArgs, io: Io): Promise<number> {
  const { dir, sweep } = readSweep(dirArg);
  if (sweep.runner === 'local' && localRunnerAlive(dir)) throw new UsageError(`${dir} is being run by another dcgan-studio process (local.json); stop it first, or wait for it.`, 'sweep');
  const { runs } = await currentStatus(dir, sweep);
  const todo = runsToResume(runs).map((s) => s.run.index);
  const json = Boolean(args.flags.json);
  if (todo.length === 0) {
    if (!json) io.out.write('Nothing to resume: every run is scored, queued or running.\n');
    return report(dir, sweep, io, json, false);
  }
  if (!json) io.out.write(`Resuming ${todo.length} of ${sweep.runs.length} runs (${summarizeStates(runs.filter((r) => todo.includes(r.run.index)))}); runs with a checkpoint continue from it.\n`);
  return sweep.runner === 'local' ? runLocally(dir, sweep, todo, io, json) : submitAndMaybeWait(dir, sweep, todo, io, json, Boolean(args.flags.wait));
}

async function cancelSweep(dirArg: string, io: Io): Promise<number> {
  const { dir, sweep } = readSweep(dirArg);
  if (sweep.runner === 'local') {
    // The runner stops as on Ctrl-C: its runs end after their current step and keep a checkpoint.
    const pid = localRunnerPid(dir);
    if (pid !== undefined) process.kill(pid, 'SIGTERM');
    io.out.write(pid !== undefined ? `Stopping the local runner (pid ${pid}): its runs stop after their current step and keep a checkpoint. Continue later with: dcgan-studio sweep resume ${dir}\n` : 'No local runner of this sweep is running.\n');
    return 0;
  }
  const ids = await cancelSlurm(sweep);
  io.out.write(ids.length ? `scancel ${ids.join(' ')}: running tasks stop after their current step and keep a checkpoint. Continue later with: dcgan-studio sweep resume ${dir}\n` : 'This sweep was never submitted.\n');
  return 0;
}
