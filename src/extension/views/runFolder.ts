/**
 * Reads a run back from its folder, for a dashboard revived after a window reload and for the side view:
 *   <runDir>/run.json          {runId, configFile, backend, startedAt, status}
 *   <runDir>/metrics.jsonl     one TrainEvent per line (samples events without pixels)
 *   <runDir>/samples/step-NNNNNN.png, samples/real.png
 * Node only (no vscode), so tests read the recorded fixture with the same code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { isTrainEvent, type StepEvent, type TrainEvent } from '../../runtime/events';
import type { Problem } from '../../runtime/problem';
import type { GridRef, RunStatus, RunSummary } from '../../protocol';
import { decimateStepEvents } from '../../../webview/shared/decimate';

const GRID_FILE = /^step-(\d+)\.png$/;
const STATUSES: ReadonlySet<string> = new Set(['running', 'completed', 'stopped', 'error', 'non-finite', 'unknown']);

export interface RunFolder {
  summary: RunSummary;
  /** Rare events in full, step events decimated to the dashboard's budget. */
  history: TrainEvent[];
  problems: Problem[];
  /** Lines of metrics.jsonl that were not TrainEvents (a torn last line while the run is writing, usually). */
  skippedLines: number;
}

interface RunJson {
  runId?: string;
  configFile?: string;
  backend?: RunSummary['backend'];
  startedAt?: string;
  status?: string;
}

function readRunJson(runDir: string): RunJson {
  try {
    const j = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8')) as unknown;
    return typeof j === 'object' && j !== null ? (j as RunJson) : {};
  } catch {
    return {};
  }
}

/** The grid PNGs of a run, oldest first. */
export function listGrids(runDir: string): GridRef[] {
  const dir = path.join(runDir, 'samples');
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((n) => ({ n, m: GRID_FILE.exec(n) }))
    .filter((x): x is { n: string; m: RegExpExecArray } => x.m !== null)
    .map(({ n, m }) => ({ step: Number(m[1]), file: path.join(dir, n) }))
    .sort((a, b) => a.step - b.step);
}

/** samples/real.png, written by the trainer from one real batch, if present. */
export function realBatchFile(runDir: string): string | undefined {
  const f = path.join(runDir, 'samples', 'real.png');
  return fs.existsSync(f) ? f : undefined;
}

/** What a run folder says about itself without reading its metrics: cheap enough for a workspace scan. */
export function summarizeRunFolder(runDir: string): RunSummary {
  const j = readRunJson(runDir);
  return {
    runId: typeof j.runId === 'string' ? j.runId : path.basename(runDir),
    runDir,
    configFile: typeof j.configFile === 'string' ? j.configFile : undefined,
    // A folder that says "running" but is read from disk was not closed by a live session of this window.
    status: (typeof j.status === 'string' && STATUSES.has(j.status) ? j.status : 'unknown') as RunStatus,
    live: false,
    startedAt: typeof j.startedAt === 'string' ? j.startedAt : undefined,
    backend: j.backend,
    grids: listGrids(runDir),
  };
}

export async function readRunFolder(runDir: string, maxStepBuckets = 1000): Promise<RunFolder> {
  const summary = summarizeRunFolder(runDir);
  const file = path.join(runDir, 'metrics.jsonl');
  if (!fs.existsSync(file)) {
    throw new Error(`${file} does not exist: this folder is not a DCGAN Studio run, or the run never started. Train again, or open another run.`);
  }
  const steps: StepEvent[] = [];
  const others: TrainEvent[] = [];
  const problems: Problem[] = [];
  let skippedLines = 0;
  const lines = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      skippedLines++;
      continue;
    }
    if (!isTrainEvent(e)) { skippedLines++; continue; }
    if (e.event === 'step') steps.push(e);
    else others.push(e);
    if (e.event === 'start') {
      summary.backend = e.backend;
      summary.steps = e.steps;
      summary.configFile ??= e.configFile;
    } else if (e.event === 'end') {
      summary.status = e.reason;
    }
  }
  const last = steps[steps.length - 1];
  summary.step = Math.max(last?.step ?? 0, ...others.map((e) => ('step' in e && typeof e.step === 'number' ? e.step : 0)));
  const history = [...others, ...decimateStepEvents(steps, maxStepBuckets)];
  return { summary, history, problems, skippedLines };
}
