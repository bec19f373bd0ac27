/**
 * What differs between runs, and what they reached: the answer to "did that knob help?". Pure functions of
 * RunRecords (read.ts), so the CLI table, its --json and the Compare Runs panel show the same comparison.
 */
import type { Problem } from '../problem';
import type { RunEval, RunGrid, RunPoint, RunRecord } from './read';
import { clip } from '../text';

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

/**
 * Bounds on what a config is flattened into. A config.json comes with the run folder, from anyone: 200 levels of
 * 2,000-character keys over 1,000 leaves took minutes and gigabytes to diff. DCGAN Studio's own configs are 3 levels
 * deep, with short keys and a few dozen settings.
 */
const MAX_DEPTH = 6;
const MAX_KEY_CHARS = 100;
const MAX_KEYS = 2000;
/** A value longer than this (as JSON) is shown as a note, not compared or printed in full. */
const MAX_VALUE_CHARS = 1000;

/**
 * Flattens nested objects to dotted keys; arrays and primitives are leaves. Keys longer than 100 characters and
 * levels below the 6th are left out, at most 2,000 keys are kept, and each value is bounded (boundedValue).
 */
export function flattenConfig(value: unknown, prefix = '', out: Map<string, unknown> = new Map(), depth = 0): Map<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && depth < MAX_DEPTH) {
    const keys = Object.keys(value as Record<string, unknown>);
    if (keys.length === 0 && prefix) out.set(prefix, value);
    for (const k of keys) {
      if (out.size >= MAX_KEYS) break;
      if (k.length > MAX_KEY_CHARS) continue;
      flattenConfig((value as Record<string, unknown>)[k], prefix ? `${prefix}.${k}` : k, out, depth + 1);
    }
  } else if (prefix && out.size < MAX_KEYS) {
    out.set(prefix, boundedValue(value));
  }
  return out;
}

/** The value itself when its JSON is short; otherwise a note saying it was too long (a string is cut instead). */
function boundedValue(v: unknown): unknown {
  if (typeof v === 'string') return v.length > MAX_VALUE_CHARS ? `${clip(v, MAX_VALUE_CHARS)}… (${v.length.toLocaleString('en-US')} characters)` : v;
  if (typeof v !== 'object' || v === null) return v;
  return stableJson(v) === undefined ? `(a value of more than ${MAX_VALUE_CHARS.toLocaleString('en-US')} characters as JSON, or nested more than ${MAX_DEPTH} deep)` : v;
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
    const first = sameness(values[0]);
    if (values.some((v) => sameness(v) !== first)) out.push({ key, values });
  }
  return out;
}

/** Equal for equal values: primitives by type and value, objects (bounded by flattenConfig) by their stable JSON. */
function sameness(v: unknown): string {
  return typeof v === 'object' && v !== null ? `json:${stableJson(v)}` : `${typeof v}:${String(v)}`;
}

/** JSON with sorted keys, or undefined past MAX_VALUE_CHARS characters or MAX_DEPTH levels (values are bounded first). */
function stableJson(v: unknown, depth = 0, budget = { left: MAX_VALUE_CHARS }): string | undefined {
  let text: string | undefined;
  if (v === undefined) text = 'undefined';
  else if (typeof v !== 'object' || v === null) text = JSON.stringify(v);
  else if (depth >= MAX_DEPTH) return undefined;
  else {
    const parts: string[] = [];
    const entries: [string, unknown][] = Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]);
    for (const [k, x] of entries) {
      budget.left -= k.length + 3;
      if (budget.left < 0) return undefined;
      const inner = stableJson(x, depth + 1, budget);
      if (inner === undefined) return undefined;
      parts.push(Array.isArray(v) ? inner : `${JSON.stringify(k)}:${inner}`);
    }
    text = Array.isArray(v) ? `[${parts.join(',')}]` : `{${parts.join(',')}}`;
    return text;
  }
  budget.left -= text.length;
  return budget.left < 0 ? undefined : text;
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
