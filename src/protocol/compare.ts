/**
 * The Compare Runs page's shapes in the one protocol (index.ts holds the messages and re-exports these): what the
 * page draws, built by the host from the runtime's comparison (src/runtime/runs). The page gets run ids, labels,
 * numbers and webview URIs; it names a run by its id when it asks for anything.
 *
 * No vscode and no Node modules: the webview bundles import it too.
 */
import { isRunStatus, type RunStatus } from '../runtime/events';
import { isNum, isNumArray, isNumOrNull, isObj, isStr } from './check';
import { isSweepRankingView, type SweepRankingView } from './sweep';

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
  /** A sweep folder's ranking, when the page compares a sweep (its runs are then one per cell, best first). */
  sweep?: SweepRankingView;
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
    && isNumArray(x.gridSteps) && (x.sweep === undefined || isSweepRankingView(x.sweep));
}

export function isCompareLiveUpdate(x: unknown): x is CompareLiveUpdate {
  return isObj(x) && isStr(x.runId) && isCompareSeries(x.series) && isGridList(x.grids) && Array.isArray(x.alerts) && x.alerts.every(isCompareAlert)
    && (x.eval === undefined || isCompareEval(x.eval)) && (x.status === undefined || isRunStatus(x.status)) && (x.step === undefined || isNum(x.step))
    && (x.gridSteps === undefined || isNumArray(x.gridSteps));
}
