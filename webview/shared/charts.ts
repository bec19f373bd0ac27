/**
 * Live uPlot charts, shared by the dashboard (one run) and the Compare Runs page (one series per run).
 * Each chart draws every series twice: the decimated raw envelope, faint, and its smoothed line on top.
 * Balance interventions and the first firing of each health alert are vertical marks on every chart, so a user
 * can see what the balancer did and what it did to the losses.
 */
import uPlot from 'uplot';
import type { BalanceEvent } from '../../src/runtime/events';
import type { AlignedSeries } from '../../src/runtime/decimate';
import { smoothEma } from '../../src/runtime/decimate';

/** A vertical mark on the charts: a balance intervention or the first firing of a health alert. */
export interface Marker {
  step: number;
  kind: BalanceEvent['action'] | 'alert';
  message: string;
}

export interface SeriesSpec {
  label: string;
  /** A --vscode-charts-* variable, so the chart follows the user's theme. */
  colorVar: string;
  fallback: string;
}

export interface ChartSpec {
  testId: string;
  title: string;
  series: SeriesSpec[];
  /** Fixed y range, e.g. [0, 1] for probabilities; otherwise auto. */
  yRange?: [number, number];
  yLabel?: string;
  /**
   * Draw a line across null values. The dashboard keeps gaps (a NaN step shows as a break); the Compare page
   * joins runs on one step axis, where a run has no value at another run's steps, so its lines must span them.
   */
  spanGaps?: boolean;
  /** uPlot's own legend (default shown); the Compare page draws one run legend for all charts instead. */
  legend?: boolean;
  /** Chart height in CSS pixels (default 200). */
  height?: number;
}

const HEIGHT = 200;
const STEP_INCREMENTS = Array.from({ length: 10 }, (_, k) => [1, 2, 5].map((m) => m * 10 ** k)).flat();

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m) return color;
  const n = parseInt(m[1], 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

const MARKER_COLORS: Record<Marker['kind'], [string, string]> = {
  'skip-discriminator': ['--vscode-charts-orange', '#d18616'],
  'raise-instance-noise': ['--vscode-charts-purple', '#b180d7'],
  'resume-discriminator': ['--vscode-charts-green', '#89d185'],
  'lower-instance-noise': ['--vscode-charts-green', '#89d185'],
  alert: ['--vscode-charts-red', '#f14c4c'],
};

export class LiveChart {
  readonly plot: uPlot;
  private readonly resize: ResizeObserver;

  private readonly height: number;

  constructor(readonly container: HTMLElement, readonly spec: ChartSpec, private readonly markers: () => readonly Marker[] = () => []) {
    this.height = spec.height ?? HEIGHT;
    const spanGaps = spec.spanGaps ?? false;
    const fg = cssVar('--vscode-foreground', '#cccccc');
    const gridColor = withAlpha(cssVar('--vscode-editorWidget-border', '#454545'), 0.6);
    const colors = spec.series.map((s) => cssVar(s.colorVar, s.fallback));
    const axis: uPlot.Axis = { stroke: fg, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1 } };
    const opts: uPlot.Options = {
      title: spec.title,
      width: Math.max(200, container.clientWidth),
      height: this.height,
      scales: { x: { time: false }, y: spec.yRange ? { range: spec.yRange } : { auto: true } },
      // Steps are whole numbers: no 1.5 ticks on a short run's x axis.
      axes: [{ ...axis, incrs: STEP_INCREMENTS }, { ...axis, label: spec.yLabel, size: 56 }],
      cursor: { drag: { x: true, y: false } },
      legend: { show: spec.legend ?? true, live: true },
      series: [
        { label: 'step' },
        ...spec.series.map((s, i) => ({ label: `${s.label} raw`, stroke: withAlpha(colors[i], 0.3), width: 1, spanGaps, points: { show: false } })),
        ...spec.series.map((s, i) => ({ label: s.label, stroke: colors[i], width: 2, spanGaps, points: { show: false } })),
      ],
      hooks: { draw: [(u) => this.drawMarkers(u)] },
    };
    this.plot = new uPlot(opts, [[], ...spec.series.flatMap(() => [[], []])] as uPlot.AlignedData, container);
    this.resize = new ResizeObserver(() => {
      const width = Math.max(200, this.container.clientWidth);
      if (width !== this.plot.width) this.plot.setSize({ width, height: this.height });
    });
    this.resize.observe(container);
  }

  update(data: AlignedSeries, smoothing: number): void {
    const smooth = data.ys.map((y) => smoothEma(data.x, y, smoothing));
    this.plot.setData([data.x, ...data.ys, ...smooth] as uPlot.AlignedData);
  }

  /** Marks re-drawn without new data (a marker arrived between two steps). */
  redraw(): void {
    this.plot.redraw(false, false);
  }

  pointCount(): number {
    return this.plot.data[0].length;
  }

  dispose(): void {
    this.resize.disconnect();
    this.plot.destroy();
  }

  private drawMarkers(u: uPlot): void {
    const marks = this.markers();
    if (marks.length === 0 || u.data[0].length === 0) return;
    const { ctx } = u;
    const { left, top, width, height } = u.bbox;
    ctx.save();
    ctx.lineWidth = Math.max(1, Math.round(window.devicePixelRatio || 1));
    const colors = new Map<string, string>();
    let lastPx = -1;
    let lastKind = '';
    for (const m of marks) {
      const px = Math.round(u.valToPos(m.step, 'x', true));
      if (px < left || px > left + width) continue;
      if (px === lastPx && m.kind === lastKind) continue; // many interventions in one pixel column: draw once
      lastPx = px;
      lastKind = m.kind;
      let color = colors.get(m.kind);
      if (!color) {
        const [v, fb] = MARKER_COLORS[m.kind];
        color = withAlpha(cssVar(v, fb), m.kind === 'alert' ? 0.9 : 0.55);
        colors.set(m.kind, color);
      }
      ctx.strokeStyle = color;
      ctx.setLineDash(m.kind === 'alert' ? [] : [4, 3]);
      ctx.beginPath();
      ctx.moveTo(px + 0.5, top);
      ctx.lineTo(px + 0.5, top + height);
      ctx.stroke();
    }
    ctx.restore();
  }
}
