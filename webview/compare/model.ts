/**
 * What the Compare Runs page knows, folded from protocol messages: per run a bounded decimator of its four
 * step metrics, its alerts, its last eval and its grids. Pure (no DOM), so the webview test and a unit test can
 * drive it without a browser.
 */
import type { CompareAlert, CompareEval, CompareLiveUpdate, CompareRunView, CompareSeries, ComparisonView, ConfigDiffRow, RunStatus, SweepRankingView } from '../../src/protocol';
import { AlignedDecimator, type AlignedSeries } from '../../src/runtime/decimate';

/** Points per run and chart: the dashboard's budget, shared by up to six runs on one axis. */
export const MAX_POINTS_PER_RUN = 2000;

/** One colour per run, in order: VS Code's chart colours, so the page follows the theme. */
export const RUN_COLORS: readonly { colorVar: string; fallback: string }[] = [
  { colorVar: '--vscode-charts-blue', fallback: '#3794ff' },
  { colorVar: '--vscode-charts-orange', fallback: '#d18616' },
  { colorVar: '--vscode-charts-green', fallback: '#89d185' },
  { colorVar: '--vscode-charts-purple', fallback: '#b180d7' },
  { colorVar: '--vscode-charts-red', fallback: '#f14c4c' },
  { colorVar: '--vscode-charts-yellow', fallback: '#cca700' },
];

/** The four charts, in the order of CompareSeries' value arrays. */
export const METRICS = [
  { key: 'lossD', title: 'Loss_D', yRange: undefined },
  { key: 'lossG', title: 'Loss_G', yRange: undefined },
  { key: 'dReal', title: 'D(x)', yRange: [0, 1] as [number, number] },
  { key: 'dFake', title: 'D(G(z))', yRange: [0, 1] as [number, number] },
] as const;

export interface RunState {
  runId: string;
  label: string;
  status: RunStatus;
  live: boolean;
  step: number;
  steps?: number;
  readonly metrics: AlignedDecimator;
  /** The last step folded into `metrics`: live updates never add a step twice. */
  lastStep: number;
  eval?: CompareEval;
  readonly alerts: Map<string, CompareAlert>;
  readonly grids: Map<number, string>;
}

export class CompareModel {
  runs: RunState[] = [];
  configDiff: ConfigDiffRow[] = [];
  /** Steps where every run has a grid; when empty, the slider walks the union of the runs' grid steps. */
  commonGridSteps: number[] = [];
  /** The sweep's ranking, when the page compares a sweep. */
  sweep: SweepRankingView | undefined;

  reset(view: ComparisonView): void {
    this.sweep = view.sweep;
    this.configDiff = view.configDiff;
    this.commonGridSteps = view.gridSteps.slice();
    this.runs = view.runs.map((r) => this.runState(r));
  }

  private runState(r: CompareRunView): RunState {
    const state: RunState = {
      runId: r.runId, label: r.label, status: r.status, live: r.live, step: r.step, steps: r.steps,
      metrics: new AlignedDecimator(METRICS.length, MAX_POINTS_PER_RUN), lastStep: -Infinity,
      eval: r.eval, alerts: new Map(), grids: new Map(),
    };
    addSeries(state, r.series);
    for (const a of r.alerts) state.alerts.set(a.code, a);
    for (const g of r.grids) state.grids.set(g.step, g.uri);
    return state;
  }

  run(runId: string): RunState | undefined {
    return this.runs.find((r) => r.runId === runId);
  }

  /** Folds a live update; returns false when the run is not on this page (a stale message). */
  apply(u: CompareLiveUpdate): boolean {
    const run = this.run(u.runId);
    if (!run) return false;
    addSeries(run, u.series);
    for (const a of u.alerts) run.alerts.set(a.code, a);
    for (const g of u.grids) run.grids.set(g.step, g.uri);
    if (u.eval) run.eval = u.eval;
    if (u.status) run.status = u.status;
    if (u.step !== undefined) run.step = Math.max(run.step, u.step);
    if (u.status && u.status !== 'running' && u.status !== 'unknown') run.live = false;
    if (u.gridSteps) this.commonGridSteps = u.gridSteps.slice();
    return true;
  }

  /** One chart's data: every run's metric on one step axis, null where a run has no point at a step. */
  chartData(metric: number): AlignedSeries {
    return joinSeries(this.runs.map((r) => {
      const s = r.metrics.series();
      return { x: s.x, y: s.ys[metric] };
    }));
  }

  /** The steps the grid slider walks. */
  sliderSteps(): number[] {
    if (this.commonGridSteps.length > 0) return this.commonGridSteps;
    const all = new Set<number>();
    for (const r of this.runs) for (const s of r.grids.keys()) all.add(s);
    return [...all].sort((a, b) => a - b);
  }

  /** The grid of `run` at `step`, or its latest before it (runs sampled at other intervals). */
  gridAt(run: RunState, step: number): { step: number; uri: string } | undefined {
    const exact = run.grids.get(step);
    if (exact) return { step, uri: exact };
    let best: number | undefined;
    for (const s of run.grids.keys()) if (s <= step && (best === undefined || s > best)) best = s;
    return best === undefined ? undefined : { step: best, uri: run.grids.get(best)! };
  }
}

function addSeries(run: RunState, s: CompareSeries): void {
  for (let i = 0; i < s.step.length; i++) {
    const step = s.step[i];
    if (!(step > run.lastStep)) continue;
    run.lastStep = step;
    run.metrics.push(step, [s.lossD[i], s.lossG[i], s.dReal[i], s.dFake[i]].map((v) => (v === null ? NaN : v)));
  }
}

/**
 * Joins series with different x onto the sorted union of their x (what uPlot needs: one x array), with null
 * where a series has no value. Each input's x must be ascending.
 */
export function joinSeries(list: readonly { x: readonly number[]; y: readonly (number | null)[] }[]): AlignedSeries {
  const xs = new Set<number>();
  for (const s of list) for (const x of s.x) xs.add(x);
  const x = [...xs].sort((a, b) => a - b);
  const index = new Map<number, number>();
  x.forEach((v, i) => index.set(v, i));
  const ys = list.map((s) => {
    const y: (number | null)[] = new Array(x.length).fill(null);
    for (let i = 0; i < s.x.length; i++) y[index.get(s.x[i])!] = s.y[i] ?? null;
    return y;
  });
  return { x, ys };
}

export function fmt(n: number | undefined, digits = 3): string {
  return n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits);
}
