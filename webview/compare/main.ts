/**
 * The Compare Runs page: 2–6 runs side by side. Loss_D, Loss_G, D(x) and D(G(z)) overlaid by step (one colour
 * per run, the dashboard's charts and smoothing), the config keys that differ, each run's last eval, the
 * health alerts each raised, and their sample grids at the same step. It asks the host for the comparison
 * (`ready` → `comparison`) and folds `compareLive` updates from runs still training.
 */
import { exposeReadsForTests } from '../../src/testSeams';
import 'uplot/dist/uPlot.min.css';
import './compare.css';
import type { CompareToWebview } from '../../src/protocol';
import { connectHost } from '../shared/vscode';
import { badge, button, registerToolkit, setDisabled } from '../shared/toolkit';
import { LiveChart } from '../shared/charts';
import { CompareModel, METRICS, RUN_COLORS, fmt, type RunState } from './model';
import { el } from '../shared/dom';

interface CompareState {
  v: 1;
  smoothing: number;
  /** The grid step the slider shows; null follows the latest common step. */
  gridStep: number | null;
}

function isCompareState(x: unknown): x is CompareState {
  const s = x as CompareState;
  return typeof x === 'object' && x !== null && s.v === 1 && typeof s.smoothing === 'number' && (s.gridStep === null || typeof s.gridStep === 'number');
}

registerToolkit();
const host = connectHost('compare', isCompareState);
let state: CompareState = host.getState() ?? { v: 1, smoothing: 0.9, gridStep: null };
const model = new CompareModel();

// ─── layout ───────────────────────────────────────────────────────────────────────────────────────────

const title = el('h1', { 'data-testid': 'compare-title' }, 'Waiting for the runs…');
const rankingBox = el('section', { class: 'card ranking', 'data-testid': 'sweep-ranking', hidden: '' });
let applied: { ok: boolean; message: string } | undefined;
const legend = el('div', { class: 'run-legend', 'data-testid': 'run-legend' });
const smoothingInput = el('input', { type: 'range', min: '0', max: '0.99', step: '0.01', 'data-testid': 'smoothing', 'aria-label': 'Smoothing' });
const smoothingValue = el('span', { class: 'muted' });
const chartBoxes = METRICS.map((m) => el('div', { class: 'chart', 'data-testid': `chart-${m.key}` }));
const diffBox = el('section', { class: 'card', 'data-testid': 'config-diff' });
const gridsBox = el('section', { class: 'card', 'data-testid': 'grids' });
const gridSlider = el('input', { type: 'range', min: '0', max: '0', step: '1', value: '0', 'data-testid': 'grid-slider', 'aria-label': 'Sample grid step' });
const gridLabel = el('span', { class: 'muted', 'data-testid': 'grid-step' });
const gridRow = el('div', { class: 'grid-row' });
const evalBox = el('section', { class: 'card', 'data-testid': 'eval' });
const alertsBox = el('section', { class: 'card', 'data-testid': 'alerts' });

gridsBox.append(el('h2', {}, 'Samples at the same step'), el('div', { class: 'grid-controls' }, gridSlider, gridLabel), gridRow);
document.body.append(
  el('header', { class: 'top' }, title, el('div', { class: 'chart-controls' }, el('label', {}, 'Smoothing ', smoothingInput), smoothingValue)),
  rankingBox,
  legend,
  el('section', { class: 'charts' }, ...chartBoxes),
  diffBox,
  gridsBox,
  el('div', { class: 'two-col' }, evalBox, alertsBox),
);

let charts: LiveChart[] = [];

function buildCharts(): void {
  for (const c of charts) c.dispose();
  charts = METRICS.map((m, i) => new LiveChart(chartBoxes[i], {
    testId: `chart-${m.key}`,
    title: m.title,
    yRange: m.yRange,
    spanGaps: true,
    legend: false,
    height: 220,
    series: model.runs.map((r, k) => ({ label: r.label, ...RUN_COLORS[k % RUN_COLORS.length] })),
  }));
}

// ─── rendering ────────────────────────────────────────────────────────────────────────────────────────

let dirty = { charts: false, legend: false, diff: false, grids: false, evals: false, alerts: false };
let frame = 0;

function invalidate(parts: Partial<typeof dirty>): void {
  for (const [k, v] of Object.entries(parts)) if (v) dirty[k as keyof typeof dirty] = true;
  if (!frame) frame = requestAnimationFrame(render);
}

function render(): void {
  frame = 0;
  const d = dirty;
  dirty = { charts: false, legend: false, diff: false, grids: false, evals: false, alerts: false };
  if (d.legend) renderLegend();
  if (d.charts) renderCharts();
  if (d.diff) renderDiff();
  if (d.grids) renderGrids();
  if (d.evals) renderEvals();
  if (d.alerts) renderAlerts();
}

function swatch(k: number): HTMLElement {
  const s = el('span', { class: `swatch run-color-${k % RUN_COLORS.length}` });
  return s;
}

/** A sweep's ranking: cells best first, mean ± spread over seeds, the verdict, and "Apply the winner" when there is one. */
function renderRanking(): void {
  const sw = model.sweep;
  rankingBox.hidden = !sw;
  if (!sw) return;
  const colour = new Map(model.runs.map((r, k) => [r.runId, k]));
  const num = (x: number | undefined) => (x === undefined ? '–' : x >= 100 ? x.toFixed(0) : x.toFixed(2));
  const rows = sw.rows.map((r) => el('tr', { 'data-testid': 'rank-row', 'data-rank': String(r.rank ?? '') },
    el('td', {}, r.rank === undefined ? '–' : String(r.rank)),
    el('td', {}, ...(r.runId !== undefined && colour.has(r.runId) ? [swatch(colour.get(r.runId)!), ' '] : []), r.label),
    el('td', {}, r.mean === undefined ? 'no score' : `${num(r.mean)}${r.spread === undefined ? '' : ` ± ${num(r.spread)}`}`),
    el('td', { class: 'muted' }, r.min === undefined ? '' : `${num(r.min)}–${num(r.max)}`),
    el('td', { class: 'muted' }, `${r.scored}/${r.runs}`)));
  const apply = button(sw.apply.enabled ? `Apply the winner: ${sw.apply.label}` : 'Apply the winner', { appearance: 'primary', testId: 'apply-winner', title: sw.apply.enabled ? sw.apply.edits : sw.apply.reason });
  if (!sw.apply.enabled) setDisabled(apply, true);
  apply.addEventListener('click', () => {
    if (apply.hasAttribute('disabled')) return;
    // The page names the sweep; the host decides what the winner is and where it is written.
    host.post({ type: 'applyWinner', sweepId: sw.sweepId });
  });
  rankingBox.replaceChildren(
    el('h2', {}, 'Ranking'),
    el('p', { class: 'muted' }, `By ${sw.measure}, to each run's own training data; lower is better. Mean ± spread over seeds.${sw.knobs.length ? ` Knobs: ${sw.knobs.join(', ')}.` : ''}`),
    el('table', { class: 'table' }, el('thead', {}, el('tr', {}, ...['#', 'cell', 'Fréchet distance', 'min–max', 'seeds'].map((h) => el('th', {}, h)))), el('tbody', {}, ...rows)),
    el('p', { class: `verdict verdict-${sw.verdict}`, 'data-testid': 'verdict', 'data-verdict': sw.verdict }, sw.summary),
    ...(sw.pending ? [el('p', { class: 'muted' }, `Not scored yet: ${sw.pending}.`)] : []),
    el('div', { class: 'apply-row' }, apply, el('span', { class: 'muted' }, sw.apply.enabled ? sw.apply.edits : sw.apply.reason)),
    ...(applied ? [el('p', { class: applied.ok ? 'applied ok' : 'applied failed', 'data-testid': 'winner-applied' }, applied.message)] : []),
  );
}

function renderLegend(): void {
  title.textContent = model.sweep ? `Sweep: ${model.runs.length} of its runs, one per cell, best first` : model.runs.length ? `Compare ${model.runs.length} runs` : 'No runs to compare';
  renderRanking();
  legend.replaceChildren(...model.runs.map((r, k) => {
    const steps = r.steps ? ` / ${r.steps.toLocaleString('en-US')}` : '';
    const open = button('Dashboard', { appearance: 'secondary', title: `Open the dashboard of ${r.runId}` });
    open.addEventListener('click', () => host.post({ type: 'openDashboard', runId: r.runId }));
    return el('div', { class: 'legend-run', 'data-testid': 'legend-run', 'data-run': r.runId },
      swatch(k), el('span', { class: 'run-label' }, r.label), badge(r.live ? 'live' : r.status),
      el('span', { class: 'muted' }, `step ${r.step.toLocaleString('en-US')}${steps}`), open);
  }));
}

function renderCharts(): void {
  charts.forEach((c, i) => c.update(model.chartData(i), state.smoothing));
}

function renderDiff(): void {
  diffBox.replaceChildren(el('h2', {}, 'Config differences'));
  if (model.configDiff.length === 0) {
    diffBox.append(el('p', { class: 'muted', 'data-testid': 'no-diff' }, 'The runs\' configs are the same: the curves differ by chance (seed, backend) or by where each run resumed.'));
    return;
  }
  const head = el('tr', {}, el('th', {}, 'key'), ...model.runs.map((r, k) => el('th', {}, swatch(k), ` ${r.label}`)));
  const rows = model.configDiff.map((row) => el('tr', { 'data-key': row.key },
    el('td', { class: 'key' }, row.key), ...row.values.map((v) => el('td', {}, v))));
  diffBox.append(el('table', { class: 'table' }, el('thead', {}, head), el('tbody', {}, ...rows)),
    el('p', { class: 'muted', 'data-testid': 'diff-summary' }, model.configDiff.map((row) => `${row.key} ${row.values.join(' vs ')}`).join(' · ')));
}

function renderGrids(): void {
  const steps = model.sliderSteps();
  gridSlider.max = String(Math.max(0, steps.length - 1));
  gridRow.replaceChildren();
  if (steps.length === 0) { gridLabel.textContent = 'No sample grids yet.'; return; }
  let idx = state.gridStep === null ? steps.length - 1 : steps.indexOf(state.gridStep);
  if (idx < 0) idx = steps.length - 1;
  gridSlider.value = String(idx);
  const step = steps[idx];
  const common = model.commonGridSteps.length > 0;
  gridLabel.textContent = `step ${step.toLocaleString('en-US')}${state.gridStep === null ? ' (latest)' : ''} · ${idx + 1} of ${steps.length}${common ? '' : ' · the runs sample at different steps: each shows its latest grid up to this step'}`;
  gridRow.append(...model.runs.map((r, k) => {
    const g = model.gridAt(r, step);
    const caption = el('figcaption', {}, swatch(k), ` ${r.label}${g && g.step !== step ? ` (step ${g.step})` : ''}`);
    if (!g) return el('figure', { class: 'run-grid' }, caption, el('p', { class: 'muted' }, 'No grid yet.'));
    const img = el('img', { class: 'pixelated grid-img', alt: `${r.label} at step ${g.step}`, src: g.uri, 'data-testid': 'compare-grid', 'data-run': r.runId, 'data-step': String(g.step) });
    return el('figure', { class: 'run-grid' }, caption, img);
  }));
}

function evalRow(label: string, value: (r: RunState) => string, hint: string): HTMLElement {
  return el('tr', { title: hint }, el('td', { class: 'key' }, label), ...model.runs.map((r) => el('td', {}, value(r))));
}

function renderEvals(): void {
  evalBox.replaceChildren(el('h2', {}, 'Sample quality (last evaluated checkpoint)'));
  if (!model.runs.some((r) => r.eval)) {
    evalBox.append(el('p', { class: 'muted', 'data-testid': 'no-eval' }, 'No checkpoint of these runs has been evaluated yet: `dcgan-studio eval --checkpoint <run>/checkpoints/step-…` measures one.'));
    return;
  }
  const head = el('tr', {}, el('th', {}, ''), ...model.runs.map((r, k) => el('th', {}, swatch(k), ` ${r.label}`)));
  evalBox.append(el('table', { class: 'table' }, el('thead', {}, head), el('tbody', {},
    evalRow('step', (r) => (r.eval ? String(r.eval.step) : 'no eval'), 'The checkpoint the figures are from'),
    evalRow('classifier score', (r) => fmt(r.eval?.classifierScore, 3), 'Mean top-class confidence of the MNIST classifier on generated digits (higher is better)'),
    evalRow('classes covered', (r) => (r.eval?.classCoverage === undefined ? '–' : `${r.eval.classCoverage}/10`), 'Digit classes with at least 5% of the samples'),
    evalRow('Fréchet distance', (r) => fmt(r.eval?.frechetDistance, 1), 'In the classifier\'s features, to held-out real digits (lower is better)'),
    evalRow('diversity', (r) => fmt(r.eval?.diversity, 3), 'Mean pairwise distance of the samples, per pixel'))));
}

function renderAlerts(): void {
  alertsBox.replaceChildren(el('h2', {}, 'Health alerts'));
  const cols = model.runs.map((r, k) => {
    const alerts = [...r.alerts.values()];
    const list = alerts.length === 0
      ? el('p', { class: 'muted' }, 'None raised.')
      : el('ul', { class: 'alert-list' }, ...alerts.map((a) => el('li', { class: `alert-${a.severity}`, 'data-code': a.code, title: a.message },
        el('span', { class: 'alert-code' }, a.code),
        el('span', { class: 'muted' }, ` ${a.severity}${a.firstStep !== undefined ? ` · from step ${a.firstStep}` : ''}${a.count > 1 ? ` (${a.count}×)` : ''}`))));
    return el('div', { class: 'alert-col', 'data-testid': 'run-alerts', 'data-run': r.runId }, el('p', { class: 'run-label' }, swatch(k), ` ${r.label}`), list);
  });
  alertsBox.append(el('div', { class: 'alert-cols' }, ...cols));
}

// ─── input ────────────────────────────────────────────────────────────────────────────────────────────

function saveState(patch: Partial<CompareState>): void {
  state = { ...state, ...patch };
  host.setState(state);
}

smoothingInput.value = String(state.smoothing);
smoothingValue.textContent = state.smoothing.toFixed(2);
smoothingInput.addEventListener('input', () => {
  const v = Number(smoothingInput.value);
  smoothingValue.textContent = v.toFixed(2);
  saveState({ smoothing: v });
  invalidate({ charts: true });
});

gridSlider.addEventListener('input', () => {
  const steps = model.sliderSteps();
  const idx = Number(gridSlider.value);
  saveState({ gridStep: idx >= steps.length - 1 ? null : steps[idx] });
  invalidate({ grids: true });
});

function onMessage(m: CompareToWebview): void {
  switch (m.type) {
    case 'winnerApplied':
      if (m.sweepId !== model.sweep?.sweepId) return;
      applied = { ok: m.ok, message: m.message };
      renderRanking();
      return;
    case 'comparison':
      applied = undefined;
      model.reset(m.comparison);
      buildCharts();
      invalidate({ charts: true, legend: true, diff: true, grids: true, evals: true, alerts: true });
      return;
    case 'compareLive': {
      if (!model.apply(m.update)) return;
      const u = m.update;
      invalidate({
        charts: u.series.step.length > 0,
        legend: true,
        grids: u.grids.length > 0 || u.gridSteps !== undefined,
        evals: u.eval !== undefined,
        alerts: u.alerts.length > 0,
      });
      return;
    }
  }
}

host.onMessage(onMessage);

exposeReadsForTests('__dcganCompare', {
  runIds: () => model.runs.map((r) => r.runId),
  chartPointCounts: () => charts.map((c) => c.pointCount()),
  chartSeriesCount: () => charts.map((c) => c.plot.series.length),
  lastSteps: () => model.runs.map((r) => r.lastStep),
  diffKeys: () => model.configDiff.map((r) => r.key),
  sliderSteps: () => model.sliderSteps(),
});

invalidate({ legend: true, diff: true, grids: true, evals: true, alerts: true });
host.post({ type: 'ready' });
