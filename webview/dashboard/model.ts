/**
 * What the dashboard knows about one run, built from protocol messages. Pure (no DOM), so the same code
 * folds a restored run's history and a live event stream.
 */
import type { BackendInfo, DatasetSummary, EndEvent, EvalEvent, StepEvent, TrainEvent } from '../../src/runtime/events';
import type { Problem, ProblemCode } from '../../src/runtime/problem';
import type { GridPayload, RunStatus, RunSummary } from '../../src/protocol';
import { etaSeconds, formatDuration, formatRate } from '../../src/runtime/progress';
import { AlignedDecimator } from '../../src/runtime/decimate';
import type { Marker } from '../shared/charts';

/** Points per chart series; 2,000 is about one per horizontal pixel on a wide screen. */
export const MAX_CHART_POINTS = 2000;
/** Beyond this the oldest interventions are dropped; a chart cannot show more marks than it has pixels anyway. */
const MAX_MARKERS = 4000;
const MAX_EVALS = 200;
/** Past grids kept as pixels; older ones are asked for again (as a PNG URI) when the slider reaches them. */
const PIXEL_CACHE = 6;

export interface Alert {
  problem: Problem;
  firstStep?: number;
  lastStep?: number;
  count: number;
  /** The host's answer to the last remedy applied from this alert. */
  applied?: { title: string; ok: boolean; message?: string };
  /** The host's answer to "Try these remedies" on this alert. */
  trial?: { ok: boolean; message: string };
}

/** The charts' marker type lives with the charts (webview/shared/charts.ts). */
export type { Marker } from '../shared/charts';

export function isDashboardAlert(code: ProblemCode | string): boolean {
  return code.startsWith('health/') || code.startsWith('data/');
}

export class RunModel {
  run?: RunSummary;
  backend?: BackendInfo;
  dataset?: DatasetSummary;
  configFile?: string;
  /** Which weights the sample grids come from, from the run's config (training.generatorAverage). */
  samplesFrom?: string;
  step = 0;
  steps = 0;
  status: RunStatus = 'unknown';
  end?: EndEvent;
  readonly losses = new AlignedDecimator(2, MAX_CHART_POINTS);
  readonly probabilities = new AlignedDecimator(2, MAX_CHART_POINTS);
  readonly stepTime = new AlignedDecimator(1, MAX_CHART_POINTS);
  readonly markers: Marker[] = [];
  readonly alerts = new Map<string, Alert>();
  readonly evals: EvalEvent[] = [];
  /** Steps that have a sample grid, ascending. */
  readonly gridSteps: number[] = [];
  readonly gridUris = new Map<number, string>();
  readonly gridPixels = new Map<number, GridPayload>();
  latestDiversity?: number;
  /** The trainer's own speed measure from the newest step event (runtime/progress.ts). */
  private itPerSecond: number | undefined;

  constructor(readonly maxPoints = MAX_CHART_POINTS) {}

  reset(run: RunSummary): void {
    this.run = run;
    this.backend = run.backend;
    this.configFile = run.configFile;
    this.status = run.status;
    this.samplesFrom = undefined;
    this.step = run.step ?? 0;
    this.steps = run.steps ?? 0;
    this.end = undefined;
    this.losses.clear();
    this.probabilities.clear();
    this.stepTime.clear();
    this.markers.length = 0;
    this.alerts.clear();
    this.evals.length = 0;
    this.gridSteps.length = 0;
    this.gridUris.clear();
    this.gridPixels.clear();
    this.itPerSecond = undefined;
    for (const g of run.grids ?? []) this.addGridStep(g.step, g.uri);
  }

  apply(e: TrainEvent): void {
    switch (e.event) {
      case 'start':
        this.backend = e.backend;
        this.dataset = e.dataset;
        this.steps = e.steps;
        this.step = e.step;
        this.configFile = e.configFile ?? this.configFile;
        this.samplesFrom = samplesFrom(e.config);
        this.status = 'running';
        return;
      case 'step':
        this.addStep(e);
        return;
      case 'samples':
        this.addGridStep(e.step);
        if (e.diversity !== undefined) this.latestDiversity = e.diversity;
        if (e.grid) this.addGridPixels(e.step, { kind: 'pixels', width: e.grid.width, height: e.grid.height, channels: e.grid.channels, data: e.grid.data });
        return;
      case 'checkpoint':
        return;
      case 'problem':
        this.addProblem(e, e.step);
        return;
      case 'balance':
        this.addMarker({ step: e.step, kind: e.action, message: e.message });
        return;
      case 'eval':
        this.evals.push(e);
        if (this.evals.length > MAX_EVALS) this.evals.splice(0, this.evals.length - MAX_EVALS);
        return;
      case 'end':
        this.end = e;
        this.step = Math.max(this.step, e.step);
        this.status = e.reason;
        return;
    }
  }

  addProblem(p: Problem, step?: number): void {
    if (!isDashboardAlert(p.code)) return;
    const at = step ?? p.step;
    const prev = this.alerts.get(p.code);
    // One entry per code: a detector that keeps firing updates its alert rather than flooding the list.
    this.alerts.set(p.code, {
      problem: p,
      firstStep: prev?.firstStep ?? at,
      lastStep: at ?? prev?.lastStep,
      count: (prev?.count ?? 0) + 1,
      applied: prev?.applied,
    });
    if (at !== undefined && p.code.startsWith('health/') && prev === undefined) {
      this.addMarker({ step: at, kind: 'alert', message: `${p.code}: ${p.message}` });
    }
  }

  addGridStep(step: number, uri?: string): void {
    if (uri) this.gridUris.set(step, uri);
    const s = this.gridSteps;
    if (s.length === 0 || step > s[s.length - 1]) { s.push(step); return; }
    let lo = 0;
    let hi = s.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (s[mid] < step) lo = mid + 1; else hi = mid; }
    if (s[lo] !== step) s.splice(lo, 0, step);
  }

  addGridPixels(step: number, image: GridPayload): void {
    this.addGridStep(step, image.kind === 'uri' ? image.uri : undefined);
    if (image.kind !== 'pixels') return;
    this.gridPixels.delete(step);
    this.gridPixels.set(step, image);
    while (this.gridPixels.size > PIXEL_CACHE) this.gridPixels.delete(this.gridPixels.keys().next().value as number);
  }

  gridAt(step: number): GridPayload | undefined {
    const px = this.gridPixels.get(step);
    if (px) return px;
    const uri = this.gridUris.get(step);
    return uri ? { kind: 'uri', uri } : undefined;
  }

  statusText(): string {
    const steps = this.steps ? ` / ${this.steps.toLocaleString('en-US')}` : '';
    const head = `step ${this.step.toLocaleString('en-US')}${steps}`;
    if (this.end) {
      const why = this.end.message ? `: ${this.end.message}` : '';
      return `${head} · ${this.end.reason}${why}`;
    }
    const rate = this.itPerSecond;
    if (rate === undefined || this.status !== 'running') return `${head} · ${this.status}`;
    return `${head} · ${formatRate(rate)} · ETA ${formatDuration(etaSeconds(this.step, this.steps, rate))}`;
  }

  private addStep(e: StepEvent): void {
    this.step = Math.max(this.step, e.step);
    if (this.status === 'unknown') this.status = 'running';
    this.losses.push(e.step, [e.lossD, e.lossG]);
    this.probabilities.push(e.step, [e.dReal, e.dFake]);
    this.stepTime.push(e.step, [e.ms]);
    if (e.step >= this.step) this.itPerSecond = e.itPerSecond;
  }

  private addMarker(m: Marker): void {
    const last = this.markers[this.markers.length - 1];
    if (last && last.step === m.step && last.kind === m.kind) { last.message = m.message; return; }
    this.markers.push(m);
    if (this.markers.length > MAX_MARKERS) this.markers.splice(0, this.markers.length - MAX_MARKERS);
  }
}

/** "the generator's weight average (decay 0.999)" or "the trained generator", from a start event's config. */
export function samplesFrom(config: unknown): string | undefined {
  const decay = (config as { training?: { generatorAverage?: unknown } } | undefined)?.training?.generatorAverage;
  if (typeof decay !== 'number') return undefined;
  return decay > 0 ? `the generator's weight average (decay ${decay})` : 'the trained generator';
}
