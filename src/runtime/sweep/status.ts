/**
 * Where each run of a sweep stands, from what is on disk (its run folder, its task result, its score) and what the
 * scheduler says (Slurm's queue, or whether the local runner is alive). Nothing here writes: `sweep status`
 * records what it found in sweep.json.
 */
import * as path from 'node:path';
import { NotARunError, readRun, type RunRecord } from '../runs';
import { isRecord, readJsonBounded } from '../safeFs';
import type { RunScore, ScoreMeasure } from './score';
import { runDirOf, type RunState, type Sweep, type SweepRun } from './sweepFile';
import type { TaskResult } from './task';

/** Slurm's word for a task of the sweep's jobs, by run index (squeue / sacct). */
export type QueueStates = Map<number, { state: string; jobId: string }>;

export interface RunStatus {
  run: SweepRun;
  state: RunState;
  /** Last step in the run's metrics, and the planned steps. */
  step: number;
  steps: number;
  score?: RunScore;
  task?: Pick<TaskResult, 'exitCode' | 'signal' | 'resumed' | 'scoreError' | 'endedAt' | 'message'>;
  /** Why a run failed, or what the scheduler says about it. */
  note?: string;
}

const SLURM_ACTIVE: Record<string, RunState> = { PENDING: 'queued', CONFIGURING: 'running', RUNNING: 'running', COMPLETING: 'running', REQUEUED: 'queued', RESIZING: 'running', SUSPENDED: 'running' };
const MAX_SMALL_JSON = 1 << 20;

function readScore(sweepDir: string, name: string): RunScore | undefined {
  const j = readJsonBounded(sweepDir, path.join('scores', `${name}.json`), MAX_SMALL_JSON);
  if (!isRecord(j) || typeof j.frechetDistance !== 'number' || !Number.isFinite(j.frechetDistance) || typeof j.step !== 'number') return undefined;
  const measure: ScoreMeasure = j.measure === 'pixel-frechet' ? 'pixel-frechet' : 'classifier-frechet';
  return {
    run: name, step: j.step, measure, frechetDistance: j.frechetDistance,
    samples: typeof j.samples === 'number' ? j.samples : 0,
    referenceImages: typeof j.referenceImages === 'number' ? j.referenceImages : 0,
    reference: typeof j.reference === 'string' ? j.reference.slice(0, 300) : '',
    scoredAt: typeof j.scoredAt === 'string' ? j.scoredAt : '',
  };
}

function readTask(sweepDir: string, name: string): RunStatus['task'] {
  const j = readJsonBounded(sweepDir, path.join('tasks', `${name}.json`), MAX_SMALL_JSON);
  if (!isRecord(j)) return undefined;
  return {
    exitCode: typeof j.exitCode === 'number' ? j.exitCode : null,
    signal: typeof j.signal === 'string' ? j.signal : null,
    resumed: j.resumed === true,
    ...(typeof j.scoreError === 'string' ? { scoreError: j.scoreError.slice(0, 1000) } : {}),
    ...(typeof j.message === 'string' ? { message: j.message.slice(0, 1000) } : {}),
    endedAt: typeof j.endedAt === 'string' ? j.endedAt : '',
  };
}

export interface StatusOptions {
  /** Slurm's view of the sweep's tasks (slurm.ts queueStates); absent for local sweeps. */
  queue?: QueueStates;
  /** True while a local runner of this sweep is alive (its pid file names a live process). */
  localRunnerAlive?: boolean;
  /** Records read before (sweep status --watch, the side view): only what was appended since is read. */
  previous?: Map<string, RunRecord>;
}

export async function sweepStatus(sweepDir: string, sweep: Sweep, options: StatusOptions = {}): Promise<{ runs: RunStatus[]; records: Map<string, RunRecord> }> {
  const records = new Map<string, RunRecord>();
  const runs: RunStatus[] = [];
  for (const run of sweep.runs) {
    let rec: RunRecord | undefined;
    try {
      rec = await readRun(runDirOf(sweepDir, run), { maxPoints: 2000, since: options.previous?.get(run.name) });
      records.set(run.name, rec);
    } catch (err) {
      if (!(err instanceof NotARunError)) throw err;
    }
    const score = readScore(sweepDir, run.name);
    const task = readTask(sweepDir, run.name);
    const queued = options.queue?.get(run.index);
    const status: RunStatus = { run, state: 'not-started', step: rec?.lastStep ?? 0, steps: rec?.plannedSteps ?? sweep.steps, ...(score ? { score } : {}), ...(task ? { task } : {}) };
    const active = queued ? SLURM_ACTIVE[queued.state] : undefined;
    if (active) {
      status.state = active;
      status.note = `Slurm job ${queued!.jobId}: ${queued!.state.toLowerCase()}`;
    } else if (score && score.step >= sweep.steps) {
      status.state = 'scored';
    } else if (rec?.status === 'running' || (rec?.status === 'unknown' && !task)) {
      // The run says it is running: true while its scheduler lives; otherwise it was killed without a last word.
      const alive = sweep.runner === 'local' ? options.localRunnerAlive : false;
      status.state = alive ? 'running' : 'killed';
      if (!alive) status.note = 'the run stopped without writing how it ended (killed); resume continues it from its last checkpoint';
    } else if (rec?.status === 'completed') {
      status.state = 'completed';
      if (task?.scoreError) status.note = `not scored: ${task.scoreError}`;
    } else if (rec?.status === 'stopped') {
      status.state = 'stopped';
    } else if (rec?.status === 'error' || rec?.status === 'non-finite') {
      status.state = 'failed';
      const end = rec.problems.find((p) => p.severity === 'error');
      status.note = rec.status === 'non-finite' ? 'losses or weights became NaN/Inf' : task?.message ?? end?.message ?? 'training failed; see its metrics.jsonl';
    } else if (task && task.exitCode !== 0) {
      status.state = 'failed';
      status.note = `dcgan-studio train exited with ${task.exitCode ?? task.signal}${task.message ? `: ${task.message}` : ''}${queued ? ` (Slurm: ${queued.state.toLowerCase()})` : ''}`;
    } else if (queued) {
      // Slurm knows the task ended (sacct) but it left no run: it failed before training started.
      status.state = queued.state === 'COMPLETED' ? 'failed' : queued.state === 'CANCELLED' ? 'stopped' : 'failed';
      status.note = `Slurm job ${queued.jobId}: ${queued.state.toLowerCase()}, and the run folder holds no run`;
    }
    runs.push(status);
  }
  return { runs, records };
}

/** Runs a resume should start again: everything not scored and not queued or running. */
export function runsToResume(statuses: readonly RunStatus[]): RunStatus[] {
  return statuses.filter((s) => s.state !== 'scored' && s.state !== 'queued' && s.state !== 'running');
}

export function summarizeStates(statuses: readonly RunStatus[]): string {
  const counts = new Map<RunState, number>();
  for (const s of statuses) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
  return [...counts].map(([state, n]) => `${n} ${state}`).join(', ');
}
