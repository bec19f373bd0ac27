/**
 * The one message protocol between the training worker, the extension host and the webviews.
 *
 * Every message is a member of a discriminated union on `type`. Whoever receives a message checks it with
 * the type guard for its direction before touching it, because postMessage hands over `unknown` and a
 * webview or worker from an older build may still be talking after an update.
 *
 * Directions:
 *   worker  → host     WorkerToHost    (training events, logs, a fatal error, lint and sample results)
 *   host    → worker   HostToWorker    (start, stop, lint, sample)
 *   host    → webview  HostToWebview   (dashboard and the "Samples" side view)
 *   webview → host     WebviewToHost
 *
 * Add members and optional fields freely; never rename a `type` or a field (webviews restored by a
 * serializer may have been built against the previous shape).
 *
 * This file imports no `vscode` and no Node modules: the webview bundles import it too.
 */
import type { BackendInfo, GridImage, RunStatus, TrainEvent } from './runtime/events';
import type { RunSummary } from './runtime/runs/summary';
import { isProblemShape, isRunStatus, isTrainEvent } from './runtime/events';
import type { Problem, ProblemCode } from './runtime/problem';

// ─── shared shapes ────────────────────────────────────────────────────────────────────────────────────

/** Config keys that `start` may override, in the same dotted form as the CLI's flags ("training.steps"). */
export type ConfigOverrides = Record<string, unknown>;

export type { RunStatus } from './runtime/events';

/** One run as the views list it, and a grid PNG of it: defined with the reader of run folders (runtime/runs). */
export type { GridRef, RunSummary } from './runtime/runs/summary';

/**
 * A sample grid as a webview receives it: raw pixels while training (no PNG round trip), or the URI of a
 * PNG on disk for past runs. Pixels are `Uint8Array` (VS Code ≥ 1.57 transfers typed arrays to webviews).
 */
export type GridPayload =
  | { kind: 'pixels'; width: number; height: number; channels: number; data: Uint8Array }
  | { kind: 'uri'; uri: string; file?: string };

export function gridPayloadFromImage(grid: GridImage): GridPayload {
  return { kind: 'pixels', width: grid.width, height: grid.height, channels: grid.channels, data: grid.data };
}

/** Result of the data lint run off the extension host's thread (checkConfigData in src/runtime/data/lint.ts). */
export interface LintResult {
  problems: Problem[];
  /** Dataset statistics as the lint computed them (min, max, mean, std, dtype, shape, count...). */
  stats?: unknown;
  /** The scaling that will be applied per batch. */
  scaling?: unknown;
}

// ─── worker → host ────────────────────────────────────────────────────────────────────────────────────

export type LogLevel = 'info' | 'warn' | 'error';

export type WorkerToHost =
  /** A training event. Samples events carry `grid.data` whose buffer was transferred, not copied. */
  | { type: 'event'; event: TrainEvent }
  | { type: 'log'; level: LogLevel; message: string }
  /** An exception the trainer did not turn into an `end` event. The worker exits after posting it. */
  | { type: 'fatal'; message: string; stack?: string }
  /** Answer to a `lint` request with the same id. */
  | { type: 'lintResult'; id: number; result?: LintResult; error?: string }
  /** Answer to a `sample` request: the PNG written, or why not. */
  | { type: 'sampleResult'; id: number; file?: string; backend?: BackendInfo; error?: string }
  /** Answer to a `probe`: live tensors in the worker's tfjs engine and the process's resident memory. */
  | { type: 'probeResult'; id: number; tensors: number; rssBytes: number };

// ─── host → worker ────────────────────────────────────────────────────────────────────────────────────

export interface StartRequest {
  type: 'start';
  /** Absolute path of the config file; relative paths in it resolve against its folder. */
  configFile?: string;
  /** The config text (JSONC), when the editor holds unsaved changes; wins over reading configFile. */
  configText?: string;
  overrides?: ConfigOverrides;
  /** Run folder to write into (or to resume from). Default: a new folder under output.dir. */
  runDir?: string;
  /** Folders besides the config's own the run may write into (the workspace folders): TrainOptions.outputRoots. */
  outputRoots?: string[];
  resume?: boolean;
  /** Folders whose node_modules may hold @tensorflow/tfjs-node-gpu (the extension's global storage). */
  searchPaths: string[];
  /** Folder holding the tfjs-backend-wasm .wasm files (the extension's dist/). */
  wasmDir?: string;
  /** Send grid pixels with samples events (for the live dashboard). Default true. */
  emitGridPixels?: boolean;
  /** Train even when the data check finds errors (to watch a scaling bug fail on purpose). */
  force?: boolean;
}

export interface LintRequest {
  type: 'lint';
  /** Correlates the `lintResult` answer. */
  id: number;
  configFile: string;
  /** The editor's current text, which may be unsaved. */
  configText: string;
  /** Image folders: decode every image for the statistics (`lint --full`), with progress as `log` messages. */
  full?: boolean;
}

/** Lint a dataset on its own, as fed as stored to a tanh generator (`dcgan-studio lint <dataset>`); answered by `lintResult`. */
export interface LintDatasetRequest {
  type: 'lintDataset';
  id: number;
  /** Absolute path of the dataset file or folder. */
  datasetPath: string;
  /** Image folders: decode every image (`lint --full`), with progress as `log` messages. */
  full?: boolean;
}

/** Draw a grid from a checkpoint's generator and write it as a PNG ("DCGAN: Generate Samples"). */
export interface SampleRequest {
  type: 'sample';
  id: number;
  /** Checkpoint folder (manifest.json + weights.bin). */
  checkpoint: string;
  count: number;
  /** PNG file to write. */
  out: string;
  /** The folder every folder from which down to `out` must be a real folder, not a link (the run folder). */
  outRoot?: string;
  seed?: number;
  searchPaths: string[];
  wasmDir?: string;
}

/** `stop` is read between training steps: the trainer yields to the event loop once per step. */
export type HostToWorker = StartRequest | { type: 'stop' } | LintRequest | LintDatasetRequest | SampleRequest
  /** Asks for a `probeResult` (the soak, scripts/soak.ts, samples it to show tensor counts stay flat). */
  | { type: 'probe'; id: number };

// ─── host → webview ───────────────────────────────────────────────────────────────────────────────────

export type HostToWebview =
  /** Sent in answer to `ready`: everything a fresh or restored view needs. `history` is decimated. */
  | { type: 'init'; run: RunSummary; history: TrainEvent[]; problems: Problem[] }
  /** A live training event of run `runId` (samples events have their grid moved to a `grid` message). */
  | { type: 'event'; runId: string; event: TrainEvent }
  /** The runs in the workspace (side view), newest first. */
  | { type: 'runs'; runs: RunSummary[] }
  /** A sample grid of run `runId` at `step`, live or answering `requestGrid`. */
  | { type: 'grid'; runId: string; step: number; image: GridPayload }
  /** A run's status changed (started, ended, was removed). */
  | { type: 'runUpdated'; run: RunSummary }
  /** The outcome of an `applyFix` request, so that the remedy button can show it. */
  | { type: 'fixApplied'; code: ProblemCode; title: string; ok: boolean; message?: string }
  /** Answer to `requestRealBatch`: the run's `samples/real.png`, or a note saying why there is none. */
  | { type: 'realBatch'; runId: string; image?: GridPayload; note?: string }
  /** The Compare Runs page: everything it draws, sent in answer to its `ready` (and when the set of runs changes). */
  | { type: 'comparison'; comparison: ComparisonView }
  /** What a run still training appended to its metrics.jsonl since the last message (Compare Runs page). */
  | { type: 'compareLive'; update: CompareLiveUpdate }
  /** The outcome of `saveGif` (side view): the file written and its frame count, or why not. */
  | { type: 'gifSaved'; runId: string; ok: boolean; file?: string; frames?: number; message?: string };

// ─── webview → host ───────────────────────────────────────────────────────────────────────────────────

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'stop'; runId: string }
  /**
   * A remedy button: apply fix number `fixIndex` of the problem `code` the host sent for run `runId`. The page names
   * which fix, never what to write where: the host looks the fix up among the problems it sent and writes only to
   * the run's own config (src/extension/remedies.ts, issue 12 finding 1). The earlier shape, which carried the fix
   * and the file, is refused.
   */
  | { type: 'applyFix'; runId: string; code: ProblemCode; fixIndex: number }
  /** Ask for one grid of a run; the host answers with a `grid` message. */
  | { type: 'requestGrid'; runId: string; step: number }
  /** Open (or reveal) the dashboard of a run, e.g. from the side view. */
  | { type: 'openDashboard'; runId: string }
  /** A real batch to show beside a fake one (side view). */
  | { type: 'requestRealBatch'; runId: string }
  /** Compare these runs of the side view's list (2–6, by run id); the host opens the Compare Runs page. */
  | { type: 'compareRuns'; runIds: string[] }
  /** Save this run's sample grids as an animated GIF; the host asks the user where (a save dialog). */
  | { type: 'saveGif'; runId: string; fps?: number };

// ─── type guards, used where a message arrives ────────────────────────────────────────────────────────

type Obj = Record<string, unknown>;

function isObj(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
const isStr = (x: unknown): x is string => typeof x === 'string';
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isOptStr = (x: unknown): boolean => x === undefined || isStr(x);

export function isProblem(x: unknown): x is Problem {
  return isProblemShape(x);
}

function isRunSummary(x: unknown): x is RunSummary {
  return isObj(x) && isStr(x.runId) && isStr(x.runDir) && isRunStatus(x.status) && typeof x.live === 'boolean';
}

function isGridPayload(x: unknown): x is GridPayload {
  if (!isObj(x)) return false;
  if (x.kind === 'uri') return isStr(x.uri);
  return x.kind === 'pixels' && isNum(x.width) && isNum(x.height) && isNum(x.channels) && x.data instanceof Uint8Array;
}

export function isWorkerToHost(x: unknown): x is WorkerToHost {
  if (!isObj(x)) return false;
  switch (x.type) {
    case 'event': return isTrainEvent(x.event);
    case 'log': return (x.level === 'info' || x.level === 'warn' || x.level === 'error') && isStr(x.message);
    case 'fatal': return isStr(x.message) && isOptStr(x.stack);
    case 'lintResult': return isNum(x.id) && (x.result === undefined || (isObj(x.result) && Array.isArray(x.result.problems))) && isOptStr(x.error);
    case 'sampleResult': return isNum(x.id) && isOptStr(x.file) && isOptStr(x.error);
    case 'probeResult': return isNum(x.id) && isNum(x.tensors) && isNum(x.rssBytes);
    default: return false;
  }
}

export function isHostToWorker(x: unknown): x is HostToWorker {
  if (!isObj(x)) return false;
  switch (x.type) {
    case 'start':
      return isOptStr(x.configFile) && isOptStr(x.configText) && isOptStr(x.runDir) && isOptStr(x.wasmDir)
        && Array.isArray(x.searchPaths) && x.searchPaths.every(isStr) && (x.overrides === undefined || isObj(x.overrides))
        && (x.outputRoots === undefined || (Array.isArray(x.outputRoots) && x.outputRoots.every(isStr)));
    case 'stop': return true;
    case 'lint': return isNum(x.id) && isStr(x.configFile) && isStr(x.configText);
    case 'lintDataset': return isNum(x.id) && isStr(x.datasetPath);
    case 'sample': return isNum(x.id) && isStr(x.checkpoint) && isNum(x.count) && isStr(x.out) && isOptStr(x.outRoot) && Array.isArray(x.searchPaths) && x.searchPaths.every(isStr);
    case 'probe': return isNum(x.id);
    default: return false;
  }
}

export function isHostToWebview(x: unknown): x is HostToWebview {
  if (!isObj(x)) return false;
  switch (x.type) {
    case 'init': return isRunSummary(x.run) && Array.isArray(x.history) && x.history.every(isTrainEvent) && Array.isArray(x.problems) && x.problems.every(isProblem);
    case 'event': return isStr(x.runId) && isTrainEvent(x.event);
    case 'runs': return Array.isArray(x.runs) && x.runs.every(isRunSummary);
    case 'grid': return isStr(x.runId) && isNum(x.step) && isGridPayload(x.image);
    case 'runUpdated': return isRunSummary(x.run);
    case 'fixApplied': return isStr(x.code) && isStr(x.title) && typeof x.ok === 'boolean' && isOptStr(x.message);
    case 'realBatch': return isStr(x.runId) && (x.image === undefined || isGridPayload(x.image)) && isOptStr(x.note);
    case 'comparison': return isComparisonView(x.comparison);
    case 'compareLive': return isCompareLiveUpdate(x.update);
    case 'gifSaved': return isStr(x.runId) && typeof x.ok === 'boolean' && isOptStr(x.file) && (x.frames === undefined || isNum(x.frames)) && isOptStr(x.message);
    default: return false;
  }
}

export function isWebviewToHost(x: unknown): x is WebviewToHost {
  if (!isObj(x)) return false;
  switch (x.type) {
    case 'ready': return true;
    case 'stop': return isStr(x.runId);
    case 'applyFix': return isStr(x.runId) && isStr(x.code) && Number.isInteger(x.fixIndex) && (x.fixIndex as number) >= 0
      && x.configFile === undefined && x.fix === undefined;
    case 'requestGrid': return isStr(x.runId) && isNum(x.step);
    case 'openDashboard': return isStr(x.runId);
    case 'requestRealBatch': return isStr(x.runId);
    case 'compareRuns': return Array.isArray(x.runIds) && x.runIds.length <= MAX_COMPARED_RUNS && x.runIds.every(isStr);
    case 'saveGif': return isStr(x.runId) && (x.fps === undefined || (isNum(x.fps) && x.fps > 0 && x.fps <= 50));
    default: return false;
  }
}

// ─── run comparison (the Compare Runs page) ───────────────────────────────────────────────────────────
// What the page draws, built by the host from the runtime's comparison (src/runtime/runs). The page gets run
// ids, labels, numbers and webview URIs; it names a run by its id when it asks for anything.

/** The Compare Runs page takes 2 to this many runs: six distinguishable colours. */
export const MAX_COMPARED_RUNS = 6;

/** Step metrics as parallel arrays (smaller than objects for thousands of points). null: not finite. */
export interface CompareSeries {
  step: number[];
  lossD: (number | null)[];
  lossG: (number | null)[];
  dReal: (number | null)[];
  dFake: (number | null)[];
}

export interface CompareAlert {
  code: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  firstStep?: number;
  lastStep?: number;
  /** How many times the detector fired. */
  count: number;
}

/** The eval figures of a run's last evaluated checkpoint. */
export interface CompareEval {
  step: number;
  classifierScore?: number;
  classCoverage?: number;
  frechetDistance?: number;
  diversity?: number;
  count?: number;
}

export interface CompareRunView {
  /** Unique within one comparison (the host adds a suffix when two run folders share a name). */
  runId: string;
  /** What the page shows for the run: its id and config file name. */
  label: string;
  status: RunStatus;
  /** The run is still being written (by this window or another process): its curves keep growing. */
  live: boolean;
  step: number;
  steps?: number;
  series: CompareSeries;
  eval?: CompareEval;
  alerts: CompareAlert[];
  /** Sample grids, oldest first, as webview URIs. */
  grids: { step: number; uri: string }[];
}

/** One config key whose value differs between the runs: values formatted for display, in run order. */
export interface ConfigDiffRow {
  key: string;
  values: string[];
}

export interface ComparisonView {
  runs: CompareRunView[];
  configDiff: ConfigDiffRow[];
  /** Steps at which every run has a sample grid, ascending (the page's step slider). */
  gridSteps: number[];
}

export interface CompareLiveUpdate {
  runId: string;
  /** New step metrics, after the last step the page has. */
  series: CompareSeries;
  grids: { step: number; uri: string }[];
  alerts: CompareAlert[];
  eval?: CompareEval;
  status?: RunStatus;
  step?: number;
  /** The steps every run now has a grid at, when that changed. */
  gridSteps?: number[];
}

const isNumOrNull = (x: unknown): boolean => x === null || isNum(x);
const isNumArray = (x: unknown): x is number[] => Array.isArray(x) && x.every(isNum);

function isCompareSeries(x: unknown): x is CompareSeries {
  if (!isObj(x) || !isNumArray(x.step)) return false;
  const n = x.step.length;
  return (['lossD', 'lossG', 'dReal', 'dFake'] as const).every((k) => Array.isArray(x[k]) && (x[k] as unknown[]).length === n && (x[k] as unknown[]).every(isNumOrNull));
}

function isCompareAlert(x: unknown): x is CompareAlert {
  return isObj(x) && isStr(x.code) && (x.severity === 'error' || x.severity === 'warning' || x.severity === 'info') && isStr(x.message) && isNum(x.count);
}

function isCompareEval(x: unknown): x is CompareEval {
  return isObj(x) && isNum(x.step) && (['classifierScore', 'classCoverage', 'frechetDistance', 'diversity', 'count'] as const).every((k) => x[k] === undefined || isNum(x[k]));
}

function isGridList(x: unknown): x is { step: number; uri: string }[] {
  return Array.isArray(x) && x.every((g) => isObj(g) && isNum(g.step) && isStr(g.uri));
}

function isCompareRunView(x: unknown): x is CompareRunView {
  return isObj(x) && isStr(x.runId) && isStr(x.label) && isRunStatus(x.status) && typeof x.live === 'boolean' && isNum(x.step)
    && isCompareSeries(x.series) && (x.eval === undefined || isCompareEval(x.eval))
    && Array.isArray(x.alerts) && x.alerts.every(isCompareAlert) && isGridList(x.grids);
}

export function isComparisonView(x: unknown): x is ComparisonView {
  return isObj(x) && Array.isArray(x.runs) && x.runs.length <= MAX_COMPARED_RUNS && x.runs.every(isCompareRunView)
    && Array.isArray(x.configDiff) && x.configDiff.every((r) => isObj(r) && isStr(r.key) && Array.isArray(r.values) && r.values.every(isStr))
    && isNumArray(x.gridSteps);
}

function isCompareLiveUpdate(x: unknown): x is CompareLiveUpdate {
  return isObj(x) && isStr(x.runId) && isCompareSeries(x.series) && isGridList(x.grids) && Array.isArray(x.alerts) && x.alerts.every(isCompareAlert)
    && (x.eval === undefined || isCompareEval(x.eval)) && (x.status === undefined || isRunStatus(x.status)) && (x.step === undefined || isNum(x.step))
    && (x.gridSteps === undefined || isNumArray(x.gridSteps));
}
