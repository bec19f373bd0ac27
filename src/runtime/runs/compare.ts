/**
 * What differs between runs, and what they reached: the answer to "did that knob help?". Pure functions of
 * RunRecords (read.ts), so the CLI table, its --json and the Compare Runs panel show the same comparison.
 */
import type { Problem } from '../problem';
import type { RunEval, RunGrid, RunPoint, RunRecord } from './read';

/** A config key whose value is not the same in every run: `values[i]` is run i's (undefined: the key is absent). */
export interface ConfigDifference {
  /** Dotted key, e.g. "training.labelSmoothing". */
  key: string;
  values: unknown[];
}

/** Metrics at the end of a run: the last step, and means over its last `window` steps (single steps are noisy). */
export interface RunEnd {
  last?: RunPoint;
  /** Means of lossD, lossG, dx, dgz over the last `window` points of the series. */
  recent?: { lossD: number; lossG: number; dx: number; dgz: number; window: number };
}

/** A row of grids shown side by side: for the target step, each run's grid at that step or the nearest one. */
export interface GridRow {
  step: number;
  grids: (RunGrid | undefined)[];
  /** True when every run has a grid at exactly this step. */
  exact: boolean;
}

export interface RunAlertSummary {
  count: number;
  /** Alerts per code, e.g. {"health/discriminator-overpowering": 2}. */
  byCode: Record<string, number>;
  /** Step of the first alert, if any. */
  firstStep?: number;
  alerts: Problem[];
}

export interface Comparison {
  runs: { runId: string; dir: string; status: RunRecord['status']; lastStep: number; plannedSteps?: number }[];
  /** Config keys whose values differ, in the config's key order. output.dir is left out (where, not what). */
  configDiff: ConfigDifference[];
  end: RunEnd[];
  eval: (RunEval | undefined)[];
  alerts: RunAlertSummary[];
  /** Steps at which every run has a grid. */
  commonGridSteps: number[];
  /** The common steps; when there are none, the grid steps of the run with fewest grids, matched to the nearest. */
  gridRows: GridRow[];
}

/** Keys that say where a run wrote, not how it trained. */
const IGNORED_KEYS: ReadonlySet<string> = new Set(['output.dir']);
export const RECENT_WINDOW = 100;

export function compareRuns(records: readonly RunRecord[]): Comparison {
  const commonGridSteps = intersectSteps(records.map((r) => r.grids.map((g) => g.step)));
  return {
    runs: records.map((r) => ({ runId: r.runId, dir: r.dir, status: r.status, lastStep: r.lastStep, ...(r.plannedSteps !== undefined ? { plannedSteps: r.plannedSteps } : {}) })),
    configDiff: configDifferences(records.map((r) => r.config)),
    end: records.map((r) => runEnd(r.series)),
    eval: records.map((r) => r.eval),
    alerts: records.map((r) => alertSummary(r.alerts)),
    commonGridSteps,
    gridRows: alignGrids(records.map((r) => r.grids), commonGridSteps),
  };
}

/** Flattens nested objects to dotted keys; arrays and primitives are leaves. */
export function flattenConfig(value: unknown, prefix = '', out: Map<string, unknown> = new Map()): Map<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out.set(prefix, value);
    for (const [k, v] of entries) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out.set(prefix, value);
  }
  return out;
}

export function configDifferences(configs: readonly unknown[]): ConfigDifference[] {
  const flat = configs.map((c) => flattenConfig(c));
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const f of flat) for (const k of f.keys()) if (!seen.has(k)) (seen.add(k), keys.push(k));
  const out: ConfigDifference[] = [];
  for (const key of keys) {
    if (IGNORED_KEYS.has(key)) continue;
    const values = flat.map((f) => f.get(key));
    const first = stableJson(values[0]);
    if (values.some((v) => stableJson(v) !== first)) out.push({ key, values });
  }
  return out;
}

function stableJson(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v !== 'object' || v === null) return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
}

export function runEnd(series: readonly RunPoint[], window = RECENT_WINDOW): RunEnd {
  if (series.length === 0) return {};
  const tail = series.slice(-window);
  const mean = (k: 'lossD' | 'lossG' | 'dx' | 'dgz') => {
    const finite = tail.map((p) => p[k]).filter(Number.isFinite);
    return finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : NaN;
  };
  return { last: series[series.length - 1], recent: { lossD: mean('lossD'), lossG: mean('lossG'), dx: mean('dx'), dgz: mean('dgz'), window: tail.length } };
}

export function alertSummary(alerts: readonly Problem[]): RunAlertSummary {
  const byCode: Record<string, number> = {};
  for (const a of alerts) byCode[a.code] = (byCode[a.code] ?? 0) + 1;
  const steps = alerts.map((a) => a.step).filter((s): s is number => typeof s === 'number');
  return { count: alerts.length, byCode, ...(steps.length ? { firstStep: Math.min(...steps) } : {}), alerts: alerts.slice() };
}

export function intersectSteps(stepLists: readonly number[][]): number[] {
  if (stepLists.length === 0) return [];
  let common = new Set(stepLists[0]);
  for (const list of stepLists.slice(1)) {
    const s = new Set(list);
    common = new Set([...common].filter((x) => s.has(x)));
  }
  return [...common].sort((a, b) => a - b);
}

/** The grid nearest to `step` (ties: the earlier one), or undefined when the run has none. `grids` oldest first. */
export function nearestGrid(grids: readonly RunGrid[], step: number): RunGrid | undefined {
  if (grids.length === 0) return undefined;
  let lo = 0, hi = grids.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (grids[mid].step < step) lo = mid + 1;
    else hi = mid;
  }
  const after = grids[lo];
  const before = lo > 0 ? grids[lo - 1] : undefined;
  if (before && Math.abs(before.step - step) <= Math.abs(after.step - step)) return before;
  return after;
}

export function alignGrids(gridLists: readonly RunGrid[][], commonSteps: readonly number[] = intersectSteps(gridLists.map((g) => g.map((x) => x.step)))): GridRow[] {
  if (gridLists.length === 0) return [];
  let targets: number[] = commonSteps.slice();
  if (targets.length === 0) {
    const withGrids = gridLists.filter((g) => g.length > 0);
    if (withGrids.length === 0) return [];
    targets = withGrids.reduce((a, b) => (b.length < a.length ? b : a)).map((g) => g.step);
  }
  return targets.map((step) => {
    const grids = gridLists.map((g) => nearestGrid(g, step));
    return { step, grids, exact: grids.every((g) => g?.step === step) };
  });
}
