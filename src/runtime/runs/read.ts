/**
 * One run folder read back in full, for comparing runs and for animating them. The trainer writes
 * (src/runtime/train/trainer.ts, RunFiles):
 *   run.json             {runId, configFile, backend, startedAt, status, latestCheckpoint?, endedAt?}
 *   config.json          the resolved config (defaults filled in); the last `start` event carries it too
 *   metrics.jsonl        one TrainEvent per line, appended as it happens (a torn last line while it runs)
 *   samples/step-NNNNNN.png, samples/real.png
 *   checkpoints/step-NNNNNN/{manifest.json, weights.bin, eval.json?}   (eval.json: `dcgan-studio eval`)
 * A run folder may come from anywhere, so everything here is read through safeFs: regular files inside the
 * folder only, bounded sizes, and nothing taken from a file is used as a path (metrics' `file` fields are ignored;
 * grids and checkpoints are found by listing the folder).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isRunStatus, type BackendInfo, type RunStatus } from '../events';
import type { Problem, Severity } from '../problem';
import { clip } from '../text';
import { writeFileAtomic } from '../outputFiles';
import { readLines } from './lines';
import { listCheckpoints, listGrids, type RunCheckpoint, type RunGrid } from './list';
import { isRecord, listInside, readJsonBounded, realDir, regularFileInside, UnsafeFileError } from '../safeFs';

export type { RunCheckpoint, RunGrid } from './list';

/** One training step as the dashboards draw it. dx = mean D(x) on real data, dgz = mean D(G(z)). */
export interface RunPoint {
  step: number;
  lossD: number;
  lossG: number;
  dx: number;
  dgz: number;
  ms: number;
}

/** Sample-quality figures of one checkpoint (see src/runtime/eval/evaluate.ts). */
export interface RunEval {
  step: number;
  /** Where the figures were found: the checkpoint's eval.json, or an `eval` event in metrics.jsonl. */
  source: 'checkpoint' | 'metrics';
  classifierScore?: number;
  classCoverage?: number;
  frechetDistance?: number;
  diversity?: number;
  count?: number;
}

/** The one RunStatus (runtime/events.ts), under the name this module has always exported. */
export type RunRecordStatus = RunStatus;

export interface RunRecord {
  runId: string;
  /** The run folder's real path. */
  dir: string;
  status: RunRecordStatus;
  configFile?: string;
  backend?: BackendInfo;
  startedAt?: string;
  /** The resolved config the run trained with (its last `start` event, else config.json); {} when neither is readable. */
  config: Record<string, unknown>;
  /** training.steps as planned. */
  plannedSteps?: number;
  /** Highest step seen in metrics.jsonl. */
  lastStep: number;
  /** Per-step series, oldest first; thinned evenly (every k-th step) beyond `maxPoints`. */
  series: RunPoint[];
  /** Every k-th step is kept in `series` (1 unless the run has more steps than maxPoints). */
  seriesStride: number;
  /** Health alerts (problems with a health/ code) in the order raised. Fixes are not carried over from disk. */
  alerts: Problem[];
  /** Every other problem the run reported (dataset findings, backend fallbacks). */
  problems: Problem[];
  /** Figures of the newest evaluated checkpoint, if any. */
  eval?: RunEval;
  grids: RunGrid[];
  checkpoints: RunCheckpoint[];
  /** Lines of metrics.jsonl that were not valid events (a torn last line while the run writes, usually). */
  skippedLines: number;
  /** Bytes of metrics.jsonl consumed (up to the last complete line): pass the record as `since` to read on. */
  metricsOffset: number;
  /** True when metrics.jsonl was larger than maxMetricsBytes and its tail was not read. */
  truncated: boolean;
}

export class NotARunError extends Error {
  constructor(readonly dir: string, message: string) {
    super(message);
  }
}

export interface ReadRunOptions {
  /** Points kept in `series` before it is thinned (default 200,000). */
  maxPoints?: number;
  /** Bytes of metrics.jsonl read at most (default 512 MiB). */
  maxMetricsBytes?: number;
  /** A record of the same folder read earlier: only what was appended since is read. */
  since?: RunRecord;
}

/** Problems kept per list (alerts, the rest); more are skipped. */
const MAX_PROBLEMS = 10_000;
/**
 * What a record keeps of each problem's text, and of all of them together: a run folder may hold millions of
 * problem lines of a megabyte, and the Compare panel holds six records for as long as it is open. Past the budget a
 * problem keeps its code, severity and step (so counts stay right), with a note for its message.
 */
const MAX_MESSAGE = 4000;
const MAX_CAUSES = 8;
const MAX_CAUSE = 500;
const PROBLEM_TEXT_BUDGET = 2 * 2 ** 20;
/** Run ids and timestamps, and file paths, as kept from a run's files. */
const MAX_ID = 200;
const MAX_PATH = 4096;
const OVER_BUDGET = '(message not kept: this run\'s problems exceed the 2 MiB of text a run record holds; see metrics.jsonl)';
const SEVERITIES: ReadonlySet<string> = new Set(['error', 'warning', 'info']);

export async function readRun(runDir: string, options: ReadRunOptions = {}): Promise<RunRecord> {
  const dir = realDir(runDir);
  if (!dir) throw new NotARunError(runDir, `${runDir} is not a run folder: ${fs.existsSync(runDir) ? 'it is not a folder' : 'no such folder'}. Pass a folder written by "dcgan-studio train" (output.dir/<run id>).`);
  let metrics: { file: string; size: number } | undefined;
  try {
    metrics = regularFileInside(dir, 'metrics.jsonl');
  } catch (err) {
    if (err instanceof UnsafeFileError) throw new NotARunError(runDir, `${runDir} is not a usable run folder: ${err.message}`);
    throw err;
  }
  if (!metrics) throw new NotARunError(runDir, notARunMessage(runDir, dir));

  const runJson = readJsonBounded(dir, 'run.json', 1 << 20);
  const j = isRecord(runJson) ? runJson : {};
  const prev = options.since?.dir === dir && options.since.metricsOffset <= metrics.size ? options.since : undefined;
  const rec: RunRecord = prev
    ? { ...prev, series: prev.series.slice(), alerts: prev.alerts.slice(), problems: prev.problems.slice(), truncated: false }
    : {
        runId: typeof j.runId === 'string' ? clip(j.runId, MAX_ID) : path.basename(dir),
        dir,
        status: 'unknown',
        config: {},
        lastStep: 0,
        series: [],
        seriesStride: 1,
        alerts: [],
        problems: [],
        grids: [],
        checkpoints: [],
        skippedLines: 0,
        metricsOffset: 0,
        truncated: false,
      };
  if (typeof j.configFile === 'string') rec.configFile = clip(j.configFile, MAX_PATH);
  if (typeof j.startedAt === 'string') rec.startedAt = clip(j.startedAt, MAX_ID);
  if (isRecord(j.backend) && !rec.backend) rec.backend = j.backend as unknown as BackendInfo;
  const runJsonStatus = isRunStatus(j.status) && j.status !== 'unknown' ? j.status : undefined;

  const sink = new EventSink(rec, options.maxPoints ?? 200_000);
  const maxBytes = options.maxMetricsBytes ?? 512 * 2 ** 20;
  const { offset, truncated } = await readLines(metrics.file, rec.metricsOffset, maxBytes, (line) => sink.line(line));
  rec.metricsOffset = offset;
  rec.truncated = truncated;
  // run.json is rewritten on close, so it knows a resumed run is running again; the end event knows the rest.
  rec.status = runJsonStatus ?? sink.endStatus ?? rec.status;
  if (Object.keys(rec.config).length === 0) {
    const c = readJsonBounded(dir, 'config.json', 1 << 20);
    if (isRecord(c)) rec.config = c;
  }
  if (rec.plannedSteps === undefined) {
    const training = rec.config.training;
    if (isRecord(training) && typeof training.steps === 'number') rec.plannedSteps = training.steps;
  }
  rec.grids = listGrids(dir);
  rec.checkpoints = listCheckpoints(dir);
  rec.eval = newestEval(dir, rec.checkpoints, sink.evals, prev?.eval);
  return rec;
}

function notARunMessage(given: string, dir: string): string {
  const isRun = (n: string) => {
    try {
      return regularFileInside(dir, path.join(n, 'metrics.jsonl')) !== undefined;
    } catch {
      return false;
    }
  };
  const inside = listInside(dir, '.', 1000).filter(isRun).sort();
  if (inside.length) return `${given} is not a run folder (no metrics.jsonl), but it holds run folders: ${inside.slice(0, 5).join(', ')}${inside.length > 5 ? ', …' : ''}. Pass those, e.g. ${path.join(given, inside[0])}.`;
  if (fs.existsSync(path.join(dir, 'manifest.json'))) return `${given} is a checkpoint, not a run folder (no metrics.jsonl). Pass the run folder two levels up: ${path.dirname(path.dirname(dir))}.`;
  return `${given} is not a DCGAN Studio run folder: it has no metrics.jsonl (the event log "dcgan-studio train" writes). Pass a folder under output.dir, such as runs/<run id>.`;
}

/** Keeps what a run says about itself from its metrics lines, each checked before use. */
class EventSink {
  endStatus: RunRecordStatus | undefined;
  readonly evals: RunEval[] = [];
  private textLeft: number;
  constructor(private readonly rec: RunRecord, private readonly maxPoints: number) {
    this.textLeft = PROBLEM_TEXT_BUDGET - [...rec.alerts, ...rec.problems].reduce((n, p) => n + problemText(p), 0);
  }

  line(text: string): void {
    if (!text.trim()) return;
    let e: unknown;
    try {
      e = JSON.parse(text);
    } catch {
      this.rec.skippedLines++;
      return;
    }
    if (!isRecord(e) || !this.event(e)) this.rec.skippedLines++;
  }

  private event(e: Record<string, unknown>): boolean {
    const rec = this.rec;
    switch (e.event) {
      case 'step': {
        const p = stepPoint(e);
        if (!p) return false;
        rec.lastStep = Math.max(rec.lastStep, p.step);
        if (p.step % rec.seriesStride === 0) rec.series.push(p);
        if (rec.series.length > this.maxPoints) {
          rec.seriesStride *= 2;
          rec.series = rec.series.filter((q) => q.step % rec.seriesStride === 0);
        }
        return true;
      }
      case 'start':
        if (isRecord(e.config)) rec.config = e.config;
        if (typeof e.steps === 'number') rec.plannedSteps = e.steps;
        if (isRecord(e.backend)) rec.backend = e.backend as unknown as BackendInfo;
        if (typeof e.runId === 'string') rec.runId = clip(e.runId, MAX_ID);
        if (typeof e.configFile === 'string') rec.configFile ??= clip(e.configFile, MAX_PATH);
        return true;
      case 'problem': {
        const p = problemOf(e, this.textLeft > 0);
        if (!p) return false;
        const list = p.code.startsWith('health/') ? rec.alerts : rec.problems;
        if (list.length < MAX_PROBLEMS) {
          list.push(p);
          this.textLeft -= problemText(p);
        }
        return true;
      }
      case 'eval': {
        const ev = evalOf(e, 'metrics');
        if (ev) this.evals.push(ev);
        return ev !== undefined;
      }
      case 'end':
        if (isRunStatus(e.reason) && e.reason !== 'running' && e.reason !== 'unknown') this.endStatus = e.reason;
        return true;
      case 'samples':
      case 'checkpoint':
      case 'balance':
        return true;
      default:
        return false;
    }
  }
}

function num(x: unknown): number | undefined {
  // JSON has no NaN: a non-finite loss arrives as null, which is kept as NaN so the chart shows the gap.
  return typeof x === 'number' ? x : x === null ? NaN : undefined;
}

function stepPoint(e: Record<string, unknown>): RunPoint | undefined {
  const step = e.step;
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) return undefined;
  const lossD = num(e.lossD), lossG = num(e.lossG), dx = num(e.dReal), dgz = num(e.dFake);
  if (lossD === undefined || lossG === undefined || dx === undefined || dgz === undefined) return undefined;
  return { step, lossD, lossG, dx, dgz, ms: typeof e.ms === 'number' ? e.ms : NaN };
}

/** A problem from a metrics line, its text cut and copied (clip); with `keepText` false, a note for its message. */
function problemOf(e: Record<string, unknown>, keepText: boolean): Problem | undefined {
  if (typeof e.code !== 'string' || e.code.length > 80 || !/^[a-z]+\/[a-z0-9-]+$/.test(e.code) || typeof e.message !== 'string') return undefined;
  if (typeof e.severity !== 'string' || !SEVERITIES.has(e.severity)) return undefined;
  const p: Problem = { code: clip(e.code, 80) as Problem['code'], severity: e.severity as Severity, message: keepText ? clip(e.message, MAX_MESSAGE) : OVER_BUDGET };
  if (typeof e.step === 'number') p.step = e.step;
  if (keepText && Array.isArray(e.causes)) p.causes = e.causes.filter((c): c is string => typeof c === 'string').slice(0, MAX_CAUSES).map((c) => clip(c, MAX_CAUSE));
  return p;
}

function problemText(p: Problem): number {
  return p.message === OVER_BUDGET ? 0 : p.message.length + (p.causes ?? []).reduce((n, c) => n + c.length, 0);
}

function evalOf(e: Record<string, unknown>, source: RunEval['source'], step = e.step): RunEval | undefined {
  if (typeof step !== 'number') return undefined;
  const ev: RunEval = { step, source };
  for (const k of ['classifierScore', 'classCoverage', 'frechetDistance', 'diversity', 'count'] as const) {
    if (typeof e[k] === 'number') ev[k] = e[k] as number;
  }
  return ev.classifierScore !== undefined || ev.frechetDistance !== undefined || ev.diversity !== undefined ? ev : undefined;
}

function newestEval(dir: string, checkpoints: RunCheckpoint[], fromMetrics: RunEval[], previous?: RunEval): RunEval | undefined {
  const candidates: RunEval[] = [...fromMetrics, ...(previous ? [previous] : [])];
  for (let i = checkpoints.length - 1; i >= 0; i--) {
    const j = readJsonBounded(dir, path.join(path.relative(dir, checkpoints[i].dir), 'eval.json'), 64 << 10);
    const ev = isRecord(j) ? evalOf(j, 'checkpoint', checkpoints[i].step) : undefined;
    if (ev) {
      candidates.push(ev);
      break;
    }
  }
  // The newest step wins; at equal steps the checkpoint's own file does.
  return candidates.sort((a, b) => a.step - b.step || (a.source === 'checkpoint' ? 1 : -1)).at(-1);
}

/**
 * Saves a checkpoint's eval figures beside it (eval.json), where readRun finds them for comparisons. Returns the file,
 * or undefined when the folder cannot be written (a read-only run is still evaluated, just not remembered).
 */
export function saveCheckpointEval(checkpointDir: string, step: number, figures: Omit<RunEval, 'step' | 'source'> & { classCounts?: number[] }): string | undefined {
  const file = path.join(checkpointDir, 'eval.json');
  try {
    // Into the checkpoint folder itself (its root): replaced by rename, never written through a link.
    writeFileAtomic(checkpointDir, file, JSON.stringify({ step, ...figures, evaluatedAt: new Date().toISOString() }, null, 1));
    return file;
  } catch {
    return undefined;
  }
}
