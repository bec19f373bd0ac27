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
 *   host    → webview  DashboardToWebview | SamplesToWebview | CompareToWebview   (one union per page)
 *   webview → host     DashboardToHost | SamplesToHost | CompareToHost
 *
 * This folder is the one protocol: this file holds the messages and their guards; compare.ts and sweep.ts the
 * shapes the Compare page and the side view draw; check.ts the small checks the guards share.
 *
 * Add members and optional fields freely; never rename a `type` or a field (webviews restored by a
 * serializer may have been built against the previous shape).
 *
 * This file imports no `vscode` and no Node modules: the webview bundles import it too.
 */
import type { BackendInfo, GridImage, TrainEvent } from '../runtime/events';
import type { RunSummary } from '../runtime/runs/summary';
import { isProblemShape, isRunStatus, isTrainEvent } from '../runtime/events';
import type { Problem, ProblemCode } from '../runtime/problem';
import { isSweepNode, type SweepNode } from './sweep';
import { MAX_COMPARED_RUNS, isCompareLiveUpdate, isComparisonView, type CompareLiveUpdate, type ComparisonView } from './compare';
import { isNum, isObj, isOptStr, isStr } from './check';

export type { SweepNode, SweepRankRow, SweepRankingView, SweepRunNode } from './sweep';
export { MAX_COMPARED_RUNS, isComparisonView } from './compare';
export type { CompareAlert, CompareEval, CompareLiveUpdate, CompareRunView, CompareSeries, ComparisonView, ConfigDiffRow } from './compare';

// ─── shared shapes ────────────────────────────────────────────────────────────────────────────────────

/** Config keys that `start` may override, in the same dotted form as the CLI's flags ("training.steps"). */
export type ConfigOverrides = Record<string, unknown>;

export type { RunStatus } from '../runtime/events';

/** One run as the views list it, and a grid PNG of it: defined with the reader of run folders (runtime/runs). */
export type { GridRef, RunSummary } from '../runtime/runs/summary';

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

// ─── host ↔ webview, per page ─────────────────────────────────────────────────────────────────────────
// Each page (webview/dashboard, webview/samples, webview/compare) has its own two unions: what its host may send
// it, and what it may send its host. The host's page base (src/extension/views/webviewPage.ts) and the page's
// connectHost (webview/shared/vscode.ts) check arriving messages with that page's guard, so a message meant for
// another page is dropped and logged, not half-handled.

/** What the dashboard of one run is sent. */
export type DashboardToWebview =
  /** Sent in answer to `ready`: everything a fresh or restored view needs. `history` is decimated. */
  | { type: 'init'; run: RunSummary; history: TrainEvent[]; problems: Problem[] }
  /** A live training event of run `runId` (samples events have their grid moved to a `grid` message). */
  | { type: 'event'; runId: string; event: TrainEvent }
  /** A sample grid of run `runId` at `step`, live or answering `requestGrid`. */
  | { type: 'grid'; runId: string; step: number; image: GridPayload }
  /** The run's status changed (it ended). */
  | { type: 'runUpdated'; run: RunSummary }
  /** The outcome of an `applyFix` request, so that the remedy button can show it. */
  | { type: 'fixApplied'; code: ProblemCode; title: string; ok: boolean; message?: string }
  /** The outcome of `tryRemedies`: the trial started (and where), or why not. */
  | { type: 'remediesStarted'; code: ProblemCode; ok: boolean; message: string };

/** What the side view ("Samples") is sent. */
export type SamplesToWebview =
  /** The runs in the workspace, newest first; `sweeps` groups the runs of each sweep folder under one node. */
  | { type: 'runs'; runs: RunSummary[]; sweeps?: SweepNode[] }
  /** Answer to `requestRealBatch`: the run's `samples/real.png`, or a note saying why there is none. */
  | { type: 'realBatch'; runId: string; image?: GridPayload; note?: string }
  /** The outcome of `saveGif`: the file written and its frame count, or why not. */
  | { type: 'gifSaved'; runId: string; ok: boolean; file?: string; frames?: number; message?: string };

/** What the Compare Runs page is sent. */
export type CompareToWebview =
  /** Everything it draws, sent in answer to its `ready` (and when the set of runs changes). */
  | { type: 'comparison'; comparison: ComparisonView }
  /** What a run still training appended to its metrics.jsonl since the last message. */
  | { type: 'compareLive'; update: CompareLiveUpdate }
  /** The outcome of `applyWinner` (a sweep's page). */
  | { type: 'winnerApplied'; sweepId: string; ok: boolean; message: string };

export type HostToWebview = DashboardToWebview | SamplesToWebview | CompareToWebview;

/** What the dashboard may ask of its host. */
export type DashboardToHost =
  | { type: 'ready' }
  | { type: 'stop'; runId: string }
  /**
   * A remedy button: apply fix number `fixIndex` of the problem `code` the host sent for run `runId`. The page names
   * which fix, never what to write where: the host looks the fix up among the problems it sent and writes only to
   * the run's own config (src/extension/remedies.ts). The earlier shape, which carried the fix and the file, is
   * refused.
   */
  | { type: 'applyFix'; runId: string; code: ProblemCode; fixIndex: number }
  /** Ask for one grid of a run; the host answers with a `grid` message. */
  | { type: 'requestGrid'; runId: string; step: number }
  /**
   * "Try these remedies" on an alert of run `runId`: a short sweep of the fixes the host sent for `code`, each alone,
   * plus the baseline. Like applyFix, the page names the alert; the host looks up its fixes and the config.
   */
  | { type: 'tryRemedies'; runId: string; code: ProblemCode };

/** What the side view may ask of its host. */
export type SamplesToHost =
  | { type: 'ready' }
  /** Open (or reveal) the dashboard of a run of the list. */
  | { type: 'openDashboard'; runId: string }
  /** A real batch to show beside a fake one. */
  | { type: 'requestRealBatch'; runId: string }
  /** Compare these runs of the list (2–6, by run id); the host opens the Compare Runs page. */
  | { type: 'compareRuns'; runIds: string[] }
  /** Save this run's sample grids as an animated GIF; the host asks the user where (a save dialog). */
  | { type: 'saveGif'; runId: string; fps?: number }
  /** Open the Compare page on a sweep of the list (by id). */
  | { type: 'compareSweep'; sweepId: string };

/** What the Compare Runs page may ask of its host. */
export type CompareToHost =
  | { type: 'ready' }
  /** Open (or reveal) the dashboard of a compared run. */
  | { type: 'openDashboard'; runId: string }
  /** A sweep's page: apply its winning cell to the sweep's config, through the remedy path. */
  | { type: 'applyWinner'; sweepId: string };

export type WebviewToHost = DashboardToHost | SamplesToHost | CompareToHost;

/** The pages, and which messages each side of each may send: the guards below check membership too. */
export type WebviewPageName = 'dashboard' | 'samples' | 'compare';
export interface PageMessages {
  dashboard: { toWebview: DashboardToWebview; toHost: DashboardToHost };
  samples: { toWebview: SamplesToWebview; toHost: SamplesToHost };
  compare: { toWebview: CompareToWebview; toHost: CompareToHost };
}
const PAGE_TYPES: { [P in WebviewPageName]: { toWebview: ReadonlySet<string>; toHost: ReadonlySet<string> } } = {
  dashboard: { toWebview: new Set(['init', 'event', 'grid', 'runUpdated', 'fixApplied', 'remediesStarted']), toHost: new Set(['ready', 'stop', 'applyFix', 'requestGrid', 'tryRemedies']) },
  samples: { toWebview: new Set(['runs', 'realBatch', 'gifSaved']), toHost: new Set(['ready', 'openDashboard', 'requestRealBatch', 'compareRuns', 'saveGif', 'compareSweep']) },
  compare: { toWebview: new Set(['comparison', 'compareLive', 'winnerApplied']), toHost: new Set(['ready', 'openDashboard', 'applyWinner']) },
};

// ─── type guards, used where a message arrives ────────────────────────────────────────────────────────



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
    case 'runs': return Array.isArray(x.runs) && x.runs.every(isRunSummary) && (x.sweeps === undefined || (Array.isArray(x.sweeps) && x.sweeps.every(isSweepNode)));
    case 'grid': return isStr(x.runId) && isNum(x.step) && isGridPayload(x.image);
    case 'runUpdated': return isRunSummary(x.run);
    case 'fixApplied': return isStr(x.code) && isStr(x.title) && typeof x.ok === 'boolean' && isOptStr(x.message);
    case 'realBatch': return isStr(x.runId) && (x.image === undefined || isGridPayload(x.image)) && isOptStr(x.note);
    case 'comparison': return isComparisonView(x.comparison);
    case 'compareLive': return isCompareLiveUpdate(x.update);
    case 'gifSaved': return isStr(x.runId) && typeof x.ok === 'boolean' && isOptStr(x.file) && (x.frames === undefined || isNum(x.frames)) && isOptStr(x.message);
    case 'remediesStarted': return isStr(x.code) && typeof x.ok === 'boolean' && isStr(x.message);
    case 'winnerApplied': return isStr(x.sweepId) && typeof x.ok === 'boolean' && isStr(x.message);
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
    case 'tryRemedies': return isStr(x.runId) && isStr(x.code) && x.fixes === undefined && x.configFile === undefined;
    case 'applyWinner': return isStr(x.sweepId) && x.edits === undefined && x.configFile === undefined;
    case 'compareSweep': return isStr(x.sweepId);
    default: return false;
  }
}

/** A message page `page` may be sent: well-formed, and one of that page's types. */
export function isToWebviewOf<P extends WebviewPageName>(page: P): (x: unknown) => x is PageMessages[P]['toWebview'] {
  return (x: unknown): x is PageMessages[P]['toWebview'] => isHostToWebview(x) && PAGE_TYPES[page].toWebview.has(x.type);
}

/** A message page `page` may send its host: well-formed, and one of that page's types. */
export function isToHostOf<P extends WebviewPageName>(page: P): (x: unknown) => x is PageMessages[P]['toHost'] {
  return (x: unknown): x is PageMessages[P]['toHost'] => isWebviewToHost(x) && PAGE_TYPES[page].toHost.has(x.type);
}
