/**
 * A run folder as the extension's views show it: the side view's cheap summary (run.json and the grids, for a
 * workspace scan) and a restored dashboard's history (every event of metrics.jsonl that passes the guard, step
 * events decimated to the dashboard's budget). Same bounds as readRun: run.json through the bounded reader,
 * metrics.jsonl through the bounded line reader, and a cap on what is kept however large the file.
 */
import * as path from 'node:path';
import { decimateStepEvents } from '../decimate';
import { isRunStatus, isTrainEvent, type BackendInfo, type RunStatus, type StepEvent, type TrainEvent } from '../events';
import type { Problem } from '../problem';
import { clip } from '../text';
import { readLines } from './lines';
import { listGrids } from './list';
import { NotARunError } from './read';
import { isRecord, readJsonBounded, realDir, regularFileInside, UnsafeFileError } from '../safeFs';

export interface GridRef {
  step: number;
  /** Absolute file path of the PNG. */
  file: string;
  /** A URI the webview may load (already passed through asWebviewUri). */
  uri?: string;
}

/** One run, as the views list it: a live session, or a finished run found from its output folder. */
export interface RunSummary {
  runId: string;
  /** Absolute path of the run folder `<output.dir>/<runId>/`. */
  runDir: string;
  configFile?: string;
  status: RunStatus;
  /** True while a worker of this extension host is training it. */
  live: boolean;
  startedAt?: string;
  backend?: BackendInfo;
  /** Last step seen, and the planned number of steps. */
  step?: number;
  steps?: number;
  /** Sample grids on disk, oldest first. `uri` is a webview URI (asWebviewUri) when the host could make one. */
  grids?: GridRef[];
}

export interface RunHistory {
  summary: RunSummary;
  /** Rare events in full, step events decimated to the dashboard's budget. */
  history: TrainEvent[];
  problems: Problem[];
  /** Lines of metrics.jsonl that were not TrainEvents (a torn last line while the run is writing, usually), or not kept. */
  skippedLines: number;
}

const MAX_ID = 200;
const MAX_PATH = 4096;
/** Bytes of metrics.jsonl a restored dashboard reads at most (a million steps are about 120 MB). */
const MAX_HISTORY_BYTES = 512 * 2 ** 20;
/**
 * What the history keeps besides step events: the trainer's other events are a few hundred bytes to a few KB
 * (a start event carries the config). Longer ones, and any past the total, are skipped and counted.
 */
const MAX_EVENT_LINE = 64 * 2 ** 10;
const MAX_EVENT_BYTES = 16 * 2 ** 20;
/** Step events held while reading; past it they are decimated (extremes kept) before reading on. */
const MAX_STEPS_HELD = 50_000;

/** What a run folder says about itself without reading its metrics: cheap enough for a workspace scan. */
export function summarizeRun(runDir: string): RunSummary {
  const real = realDir(runDir);
  const j = real ? readJsonBounded(real, 'run.json', 1 << 20) : undefined;
  const run = isRecord(j) ? j : {};
  return {
    runId: typeof run.runId === 'string' ? clip(run.runId, MAX_ID) : path.basename(runDir),
    runDir,
    configFile: typeof run.configFile === 'string' ? clip(run.configFile, MAX_PATH) : undefined,
    // A folder that says "running" but is read from disk was not closed by a live session of this window.
    status: isRunStatus(run.status) ? run.status : 'unknown',
    live: false,
    startedAt: typeof run.startedAt === 'string' ? clip(run.startedAt, MAX_ID) : undefined,
    backend: isRecord(run.backend) ? (run.backend as unknown as BackendInfo) : undefined,
    grids: listGrids(runDir),
  };
}

/** The run's events for a restored dashboard. Throws NotARunError for a folder without a readable metrics.jsonl. */
export async function readRunHistory(runDir: string, maxStepBuckets = 1000): Promise<RunHistory> {
  const summary = summarizeRun(runDir);
  const real = realDir(runDir);
  let metrics: { file: string } | undefined;
  try {
    metrics = real ? regularFileInside(real, 'metrics.jsonl') : undefined;
  } catch (err) {
    if (err instanceof UnsafeFileError) throw new NotARunError(runDir, `${path.join(runDir, 'metrics.jsonl')} cannot be read: ${err.message}`);
    throw err;
  }
  if (!metrics) throw new NotARunError(runDir, `${path.join(runDir, 'metrics.jsonl')} does not exist (or is not a regular file): this folder is not a DCGAN Studio run, or the run never started. Train again, or open another run.`);

  let steps: StepEvent[] = [];
  const others: TrainEvent[] = [];
  let lastStep = 0;
  let otherBytes = 0;
  let skippedLines = 0;
  await readLines(metrics.file, 0, MAX_HISTORY_BYTES, (line) => {
    if (!line.trim()) return;
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      e = undefined;
    }
    if (!isTrainEvent(e)) { skippedLines++; return; }
    if (e.event === 'step') {
      lastStep = Math.max(lastStep, e.step);
      steps.push(e);
      if (steps.length >= MAX_STEPS_HELD) steps = thin(steps, maxStepBuckets);
      return;
    }
    if ('step' in e && typeof e.step === 'number') lastStep = Math.max(lastStep, e.step);
    if (e.event === 'start') {
      summary.backend = e.backend;
      summary.steps = e.steps;
      summary.configFile ??= clip(e.configFile ?? '', MAX_PATH) || undefined;
    } else if (e.event === 'end') {
      summary.status = e.reason;
    }
    if (line.length > MAX_EVENT_LINE || otherBytes + line.length > MAX_EVENT_BYTES) { skippedLines++; return; }
    otherBytes += line.length;
    others.push(e);
  });
  summary.step = lastStep;
  return { summary, history: [...others, ...decimateStepEvents(steps, maxStepBuckets)], problems: [], skippedLines };
}

/**
 * Fewer step events, the extremes of each stretch kept (decimateStepEvents keeps every non-finite step too, so
 * a run of NaN steps is thinned by halving).
 */
function thin(steps: StepEvent[], buckets: number): StepEvent[] {
  let kept = decimateStepEvents(steps, Math.max(buckets, MAX_STEPS_HELD / 40));
  while (kept.length > MAX_STEPS_HELD / 2) kept = kept.filter((_, i) => i % 2 === 0);
  return kept;
}
