/**
 * The local runner: the sweep's tasks on this machine, `parallel` at a time (the planner gave each run
 * runtime.threads = cores / parallel). Each task is a `dcgan-studio sweep task DIR INDEX` process in its own process
 * group, so that stopping reaches the task's `train` child exactly once: the first stop sends SIGTERM to each group
 * (train stops after its step and writes a checkpoint), a second one SIGKILL. local.json names the runner's pid
 * while it lives, so `sweep status` can tell a running run from a killed one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isRecord, readJsonBounded } from '../safeFs';
import { findCli, nodeEnv, type CliCommand } from './task';
import { openSweepLog, writeSweepFile, type Sweep } from './sweepFile';

const RUNNER_FILE = 'local.json';

export type LocalEvent =
  | { kind: 'started'; index: number; pid: number }
  | { kind: 'ended'; index: number; exitCode: number | null; signal: string | null };

export interface LocalRunOptions {
  /** Run indices to run, in order. */
  indices: number[];
  parallel: number;
  cli?: CliCommand;
  onEvent?: (e: LocalEvent) => void;
}

export interface LocalRunner {
  /** Resolves when every started task has ended; `stopped` when stop() was called. */
  readonly done: Promise<{ stopped: boolean; results: Map<number, { exitCode: number | null; signal: string | null }> }>;
  /** First call: SIGTERM to every running task (they checkpoint and end), nothing new starts. Second: SIGKILL. */
  stop(): void;
}

export function startLocal(sweepDir: string, sweep: Sweep, options: LocalRunOptions): LocalRunner {
  const cli = options.cli ?? findCli();
  const queue = options.indices.slice();
  const running = new Map<number, ChildProcess>();
  const results = new Map<number, { exitCode: number | null; signal: string | null }>();
  let stops = 0;
  writeSweepFile(sweepDir, undefined, RUNNER_FILE, JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() }));

  let finish!: (v: { stopped: boolean; results: typeof results }) => void;
  const done = new Promise<{ stopped: boolean; results: typeof results }>((resolve) => (finish = resolve));

  const launch = (index: number) => {
    const run = sweep.runs[index];
    const fd = openSweepLog(sweepDir, `${run.name}.log`);
    const child = spawn(cli.node, [cli.script, 'sweep', 'task', sweepDir, String(index)], { detached: true, stdio: ['ignore', fd, fd], env: nodeEnv() });
    fs.closeSync(fd);
    running.set(index, child);
    const ended = (exitCode: number | null, signal: string | null) => {
      if (!running.has(index)) return;
      running.delete(index);
      results.set(index, { exitCode, signal });
      options.onEvent?.({ kind: 'ended', index, exitCode, signal });
      pump();
    };
    child.on('error', () => ended(null, 'spawn-error'));
    child.on('exit', (code, signal) => ended(code, signal));
    if (child.pid !== undefined) options.onEvent?.({ kind: 'started', index, pid: child.pid });
  };

  const pump = () => {
    while (stops === 0 && running.size < options.parallel && queue.length > 0) launch(queue.shift()!);
    if (running.size === 0 && (queue.length === 0 || stops > 0)) {
      try { fs.rmSync(path.join(sweepDir, RUNNER_FILE), { force: true }); } catch { /* a read-only folder keeps it; status checks the pid */ }
      finish({ stopped: stops > 0, results });
    }
  };

  const signalAll = (signal: NodeJS.Signals) => {
    for (const child of running.values()) {
      // The task's whole process group: the task and its train child.
      try { if (child.pid !== undefined) process.kill(-child.pid, signal); } catch { /* already gone */ }
    }
  };

  queueMicrotask(pump);
  return {
    done,
    stop() {
      stops++;
      signalAll(stops === 1 ? 'SIGTERM' : 'SIGKILL');
      pump();
    },
  };
}

/** The pid of the local runner named in local.json while it is alive on this machine, else undefined. */
export function localRunnerPid(sweepDir: string): number | undefined {
  const j = readJsonBounded(sweepDir, RUNNER_FILE, 4096);
  if (!isRecord(j) || typeof j.pid !== 'number' || !Number.isInteger(j.pid) || j.pid <= 0 || j.host !== os.hostname()) return undefined;
  try {
    process.kill(j.pid, 0);
    return j.pid;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? j.pid : undefined;
  }
}

export function localRunnerAlive(sweepDir: string): boolean {
  return localRunnerPid(sweepDir) !== undefined;
}
