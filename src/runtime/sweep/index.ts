/**
 * Sweeps: a grid of runs made from one config, run here (local.ts) or as one Slurm array job (slurm.ts), then
 * ranked by each run's Fréchet distance to its own training data (score.ts, rank.ts). No vscode: the CLI
 * (`dcgan-studio sweep`) and the extension ("Run Sweep", "Try these remedies", Compare) call the same functions.
 *
 * A sweep folder (the contract; Compare and the side view read it):
 *   sweep.json                 the grid and its runs (sweepFile.ts), with each run's last known state
 *   configs/<run>.dcgan.json   each run's full config, validated by the config loader when planned
 *   runs/<run>/                each run's folder, exactly as `dcgan-studio train --run` writes it
 *   tasks/<run>.json           how the run's last task ended (exit code, resumed or not)
 *   scores/<run>.json          its Fréchet distance to its training data, and how it was measured
 *   logs/<run>.log             the local runner's task output;  slurm/sweep.sbatch, slurm/%A_%a.out: Slurm's
 *   failed/<run>-<time>/       a start that left no checkpoint, moved aside before the retry
 */
import { localRunnerAlive } from './local';
import { rankCells, type Ranking } from './rank';
import { sweepStatus, type RunStatus } from './status';
import { readSweep, runDirOf, type Sweep } from './sweepFile';

export { planSweep, parseVary, parseValue, gridCells, cellLabel, differingKeys, SweepInputError, MAX_RUNS } from './plan';
export type { CellRequest, PlanRequest } from './plan';
export { readSweep, writeSweep, isSweepDir, runDirOf, runConfigOf, sweepProblem, SweepFileError, SWEEP_FILE, SWEEP_FORMAT } from './sweepFile';
export type { Sweep, SweepCell, SweepRun, RunState, Runner, SlurmJob } from './sweepFile';
export { sweepStatus, runsToResume, summarizeStates } from './status';
export type { RunStatus, QueueStates, StatusOptions } from './status';
export { rankCells, show } from './rank';
export type { Ranking, CellRanking, Verdict } from './rank';
export { MEASURE_TEXT, SCORE_SAMPLES, REFERENCE_IMAGES } from './score';
export type { RunScore, ScoreMeasure } from './score';
export { runSweepTask, scoreRun, findCli, nodeEnv } from './task';
export type { CliCommand, TaskResult } from './task';
export { startLocal, localRunnerAlive, localRunnerPid } from './local';
export type { LocalRunner, LocalEvent } from './local';

/** The ranking of a sweep's cells from its runs' scores. */
export function rankSweep(sweep: Sweep, statuses: readonly RunStatus[]): Ranking {
  const scores = sweep.cells.map((c) => statuses.filter((s) => s.run.cell === c.index).map((s) => s.score?.frechetDistance));
  const measure = statuses.find((s) => s.score)?.score?.measure;
  return rankCells(sweep.cells, scores, measure);
}
export { submit as submitSlurm, queueStates, anyQueued, cancel as cancelSlurm, parseSbatchOption, sbatchArgs, batchScript, arraySpec, SBATCH_OPTIONS } from './slurm';
export { fixCells, remedyCells, HEALTH_CODES, BASELINE_LABEL } from './remedies';

/**
 * What Compare shows for a sweep folder: its ranking, and one run per cell (the first seed's, so every grid comes from
 * the same fixed noise), best cells first, at most `max` of them (the panel's six colours).
 */
export async function sweepForCompare(sweepDir: string, max = 6): Promise<{ dir: string; sweep: Sweep; statuses: RunStatus[]; ranking: Ranking; runDirs: string[]; cells: number[] }> {
  const { dir, sweep } = readSweep(sweepDir);
  const { runs: statuses } = await sweepStatus(dir, sweep, { localRunnerAlive: sweep.runner === 'local' ? localRunnerAlive(dir) : undefined });
  const ranking = rankSweep(sweep, statuses);
  const order = [...ranking.cells.map((c) => c.cell), ...ranking.unscored];
  const cells: number[] = [];
  const runDirs: string[] = [];
  for (const cell of order) {
    if (cells.length >= max) break;
    const run = statuses.find((s) => s.run.cell === cell && s.run.seed === sweep.seeds[0] && s.state !== 'not-started') ?? statuses.find((s) => s.run.cell === cell && s.step > 0);
    if (!run) continue;
    cells.push(cell);
    runDirs.push(runDirOf(dir, run.run));
  }
  return { dir, sweep, statuses, ranking, runDirs, cells };
}
