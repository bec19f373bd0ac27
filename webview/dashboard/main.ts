/**
 * The training dashboard of one run. It asks the host for the run (`ready` → `init`), then folds live
 * events into a RunModel and renders at most once per animation frame, however fast steps arrive.
 */
import { exposeReadsForTests } from '../../src/testSeams';
import 'uplot/dist/uPlot.min.css';
import './dashboard.css';
import type { DashboardToWebview } from '../../src/protocol';
import type { EvalEvent } from '../../src/runtime/events';
import type { Problem } from '../../src/runtime/problem';
import { connectHost } from '../shared/vscode';
import { badge, button, divider, progressRing, registerToolkit, setDisabled } from '../shared/toolkit';
import { drawGrid } from '../shared/grid';
import { LiveChart } from '../shared/charts';
import { RunModel, type Alert } from './model';
import { backendHeadline } from '../../src/runtime/backend/adapter-label';
import { el } from '../shared/dom';

interface DashboardState {
  v: 1;
  runId?: string;
  runDir?: string;
  /** EMA smoothing of the charts, 0 (raw) to 0.99. */
  smoothing: number;
  /** The grid step the slider shows; null follows the latest grid. */
  gridStep: number | null;
}

function isDashboardState(x: unknown): x is DashboardState {
  const s = x as DashboardState;
  return typeof x === 'object' && x !== null && s.v === 1 && typeof s.smoothing === 'number' && (s.gridStep === null || typeof s.gridStep === 'number');
}

registerToolkit();
const host = connectHost('dashboard', isDashboardState);
let state: DashboardState = host.getState() ?? { v: 1, smoothing: 0.9, gridStep: null };
const model = new RunModel();

// ─── layout ───────────────────────────────────────────────────────────────────────────────────────────

const title = el('h1', { class: 'run-title' }, 'Waiting for the run…');
const statusBadge = badge('…');
statusBadge.dataset.testid = 'status-badge';
const ring = progressRing();
const statusText = el('span', { 'data-testid': 'status', class: 'status-text' });
const stopButton = button('Stop', { appearance: 'secondary', testId: 'stop-button', title: 'Stop after the current step and keep the last checkpoint' });
const backendBox = el('section', { 'data-testid': 'backend', class: 'card backend' });
const alertsBox = el('section', { 'data-testid': 'alerts', class: 'alerts' });

const smoothingInput = el('input', { type: 'range', min: '0', max: '0.99', step: '0.01', 'data-testid': 'smoothing', 'aria-label': 'Smoothing' });
const smoothingValue = el('span', { class: 'muted' });
const chartLosses = el('div', { 'data-testid': 'chart-losses', class: 'chart' });
const chartD = el('div', { 'data-testid': 'chart-d', class: 'chart' });
const chartMs = el('div', { 'data-testid': 'chart-ms', class: 'chart' });
const markerLegend = el('div', { class: 'marker-legend muted' });

const gridCanvas = el('canvas', { 'data-testid': 'sample-grid', class: 'grid-canvas', width: '1', height: '1' });
const gridSlider = el('input', { type: 'range', min: '0', max: '0', step: '1', value: '0', 'data-testid': 'grid-slider', 'aria-label': 'Sample grid step' });
const gridLabel = el('span', { class: 'muted', 'data-testid': 'grid-step' }, 'no samples yet');
const gridSource = el('p', { class: 'muted', 'data-testid': 'grid-source' });
const evalBox = el('section', { 'data-testid': 'eval', class: 'card eval' });

document.body.append(
  el('header', { class: 'top' },
    el('div', { class: 'title-row' }, title, statusBadge, ring),
    el('div', { class: 'controls' }, statusText, stopButton)),
  alertsBox,
  el('main', { class: 'layout' },
    el('section', { class: 'charts' },
      el('div', { class: 'chart-controls' }, el('label', {}, 'Smoothing ', smoothingInput), smoothingValue),
      chartLosses, chartD, chartMs, markerLegend),
    el('aside', { class: 'side' },
      el('section', { class: 'card samples' },
        el('h2', {}, 'Samples from fixed noise'),
        gridSource,
        el('div', { class: 'grid-frame' }, gridCanvas),
        el('div', { class: 'grid-controls' }, gridSlider, gridLabel)),
      backendBox,
      evalBox)),
);

const markers = () => model.markers;
const charts = {
  losses: new LiveChart(chartLosses, {
    testId: 'chart-losses', title: 'Loss_D and Loss_G',
    series: [{ label: 'Loss_D', colorVar: '--vscode-charts-blue', fallback: '#3794ff' }, { label: 'Loss_G', colorVar: '--vscode-charts-yellow', fallback: '#cca700' }],
  }, markers),
  d: new LiveChart(chartD, {
    testId: 'chart-d', title: 'D(x) and D(G(z))', yRange: [0, 1],
    series: [{ label: 'D(x)', colorVar: '--vscode-charts-green', fallback: '#89d185' }, { label: 'D(G(z))', colorVar: '--vscode-charts-red', fallback: '#f14c4c' }],
  }, markers),
  ms: new LiveChart(chartMs, {
    testId: 'chart-ms', title: 'Time per step', yLabel: 'ms',
    series: [{ label: 'ms/step', colorVar: '--vscode-charts-purple', fallback: '#b180d7' }],
  }, markers),
};

markerLegend.append(...(['skip-discriminator', 'raise-instance-noise', 'alert'] as const).map((k) => {
  const swatch = el('span', { class: `swatch swatch-${k}` });
  return el('span', { class: 'legend-item' }, swatch, k === 'alert' ? 'health alert' : `balance: ${k.replace(/-/g, ' ')}`);
}));

// ─── rendering ────────────────────────────────────────────────────────────────────────────────────────

let dirty = { charts: false, alerts: false, header: false, grid: false, evals: false, backend: false };
let frame = 0;

function invalidate(parts: Partial<typeof dirty>): void {
  dirty = { ...dirty, ...Object.fromEntries(Object.entries(parts).filter(([, v]) => v)) } as typeof dirty;
  if (!frame) frame = requestAnimationFrame(render);
}

function render(): void {
  frame = 0;
  const d = dirty;
  dirty = { charts: false, alerts: false, header: false, grid: false, evals: false, backend: false };
  if (d.header) renderHeader();
  if (d.charts) renderCharts();
  if (d.alerts) renderAlerts();
  if (d.grid) void renderGrid();
  if (d.evals) renderEvals();
  if (d.backend) renderBackend();
}

function renderHeader(): void {
  title.textContent = model.run ? `Run ${model.run.runId}` : 'Waiting for the run…';
  statusBadge.textContent = model.status;
  statusText.textContent = model.statusText();
  const running = model.status === 'running';
  ring.hidden = !running;
  setDisabled(stopButton, !running || !model.run);
}

function renderCharts(): void {
  charts.losses.update(model.losses.series(), state.smoothing);
  charts.d.update(model.probabilities.series(), state.smoothing);
  charts.ms.update(model.stepTime.series(), state.smoothing);
}

function renderBackend(): void {
  backendBox.replaceChildren(el('h2', {}, 'Backend'));
  const b = model.backend;
  if (!b) { backendBox.append(el('p', { class: 'muted' }, 'Not started yet.')); return; }
  const name = backendHeadline(b);
  backendBox.append(el('p', { class: 'backend-name' }, name), el('p', { class: 'muted reason' }, b.reason));
  if (b.package) backendBox.append(el('p', { class: 'muted' }, b.package));
  const ds = model.dataset;
  if (ds) {
    const range = ds.fedMin !== undefined && ds.fedMax !== undefined ? ` · fed as [${ds.fedMin.toFixed(2)}, ${ds.fedMax.toFixed(2)}]` : '';
    backendBox.append(divider(), el('p', { class: 'muted' }, `${ds.source}: ${ds.count.toLocaleString('en-US')} × ${ds.height}×${ds.width}×${ds.channels} ${ds.dtype}${range}`));
  }
}

function renderAlerts(): void {
  const alerts = [...model.alerts.values()].sort((a, b) => severityRank(a) - severityRank(b));
  alertsBox.replaceChildren();
  alertsBox.hidden = alerts.length === 0;
  for (const a of alerts) alertsBox.append(renderAlert(a));
}

function severityRank(a: Alert): number {
  return a.problem.severity === 'error' ? 0 : a.problem.severity === 'warning' ? 1 : 2;
}

function renderAlert(a: Alert): HTMLElement {
  const p = a.problem;
  const when = a.firstStep !== undefined ? ` · since step ${a.firstStep}${a.count > 1 ? ` (${a.count}×)` : ''}` : '';
  const box = el('div', { class: `alert alert-${p.severity}`, 'data-code': p.code },
    el('div', { class: 'alert-head' }, el('span', { class: 'alert-code' }, p.code), el('span', { class: 'muted' }, `${p.severity}${when}`)),
    el('p', { class: 'alert-message' }, p.message));
  if (p.causes?.length) {
    box.append(el('p', { class: 'muted causes-title' }, 'Likely causes, most likely first:'), el('ol', { class: 'causes' }, ...p.causes.map((c) => el('li', {}, c))));
  }
  if (p.fixes?.length) {
    const runId = model.run?.runId;
    const row = el('div', { class: 'fixes' });
    p.fixes.forEach((fix, fixIndex) => {
      const b = button(fix.title, { appearance: fix.isPreferred ? 'primary' : 'secondary', title: fix.edits.map((e) => `${e.path.join('.')} = ${JSON.stringify(e.value)}`).join('\n') });
      b.classList.add('fix-button');
      b.dataset.fix = fix.title;
      if (!runId) setDisabled(b, true);
      // The page names which fix; the host decides whether and where it is written (it answers with fixApplied).
      b.addEventListener('click', () => {
        if (!runId || b.hasAttribute('disabled')) return;
        host.post({ type: 'applyFix', runId, code: p.code, fixIndex });
      });
      row.append(b);
    });
    // A health alert's fixes as a short sweep, each alone, and the baseline: which one helps on this data?
    if (p.code.startsWith('health/')) row.append(tryRemediesButton(runId, p.code));
    box.append(row);
  }
  if (a.trial) box.append(el('p', { class: a.trial.ok ? 'applied ok' : 'applied failed', 'data-testid': 'remedies-started' }, a.trial.message));
  if (a.applied) {
    box.append(el('p', { class: a.applied.ok ? 'applied ok' : 'applied failed' },
      a.applied.ok ? `Applied "${a.applied.title}" to the config; it takes effect on the next run.` : `Could not apply "${a.applied.title}": ${a.applied.message ?? 'unknown error'}`));
  }
  return box;
}

/** The page names the alert; the host takes its fixes as sent, asks for steps and seeds, and runs the trial. */
function tryRemediesButton(runId: string | undefined, code: Problem['code']): HTMLElement {
  const b = button('Try these remedies', { appearance: 'secondary', testId: 'try-remedies', title: 'Train each remedy alone and the config as it is for a few hundred steps, and rank them by the Fréchet distance to this run\'s training data' });
  if (!runId) setDisabled(b, true);
  b.addEventListener('click', () => {
    if (!runId || b.hasAttribute('disabled')) return;
    host.post({ type: 'tryRemedies', runId, code });
  });
  return b;
}

function fmt(n: number | undefined, digits = 3): string {
  return n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits);
}

function renderEvals(): void {
  evalBox.replaceChildren(el('h2', {}, 'Sample quality'));
  const evals = model.evals;
  if (evals.length === 0) {
    const div = model.latestDiversity;
    evalBox.append(el('p', { class: 'muted' }, div === undefined ? 'No evaluation yet.' : `Diversity of the fixed-noise batch: ${fmt(div)}`));
    return;
  }
  const latest = evals[evals.length - 1];
  const figure = (label: string, value: string, hint: string) => el('div', { class: 'figure', title: hint }, el('span', { class: 'figure-value' }, value), el('span', { class: 'muted' }, label));
  evalBox.append(el('div', { class: 'figures' },
    figure('classifier score', fmt(latest.classifierScore, 2), 'Mean top-class confidence of the MNIST classifier on generated digits'),
    figure('classes covered', latest.classCoverage === undefined ? '–' : `${latest.classCoverage}/10`, 'Digit classes with at least 5% of the samples'),
    figure('Fréchet distance', fmt(latest.frechetDistance, 1), 'In the classifier\'s penultimate features, to held-out real digits; lower is better'),
    figure('diversity', fmt(latest.diversity), 'Mean pairwise distance of the samples, per pixel')));
  const rows = evals.slice(-8).reverse().map((e: EvalEvent) => el('tr', {}, ...[String(e.step), fmt(e.classifierScore, 2), e.classCoverage === undefined ? '–' : String(e.classCoverage), fmt(e.frechetDistance, 1), fmt(e.diversity)].map((c) => el('td', {}, c))));
  evalBox.append(el('table', { class: 'eval-table' },
    el('thead', {}, el('tr', {}, ...['step', 'score', 'classes', 'FD', 'diversity'].map((h) => el('th', {}, h)))),
    el('tbody', {}, ...rows)),
    el('p', { class: 'muted' }, `${latest.count.toLocaleString('en-US')} samples at step ${latest.step}`));
}

/** The grid drawn last, so a late PNG load never overwrites a newer grid. */
let gridRequest = 0;
const requested = new Set<number>();

async function renderGrid(): Promise<void> {
  gridSource.textContent = model.samplesFrom ? `From ${model.samplesFrom}.` : '';
  gridSource.hidden = !model.samplesFrom;
  const steps = model.gridSteps;
  gridSlider.max = String(Math.max(0, steps.length - 1));
  if (steps.length === 0) { gridLabel.textContent = 'no samples yet'; return; }
  let idx = state.gridStep === null ? steps.length - 1 : steps.indexOf(state.gridStep);
  if (idx < 0) idx = steps.length - 1;
  gridSlider.value = String(idx);
  const step = steps[idx];
  const following = state.gridStep === null;
  gridLabel.textContent = `step ${step}${following ? ' (latest)' : ''} · ${idx + 1} of ${steps.length}`;
  const image = model.gridAt(step);
  if (!image) {
    if (model.run && !requested.has(step)) {
      requested.add(step);
      host.post({ type: 'requestGrid', runId: model.run.runId, step });
    }
    return;
  }
  const mine = ++gridRequest;
  const width = Math.min(480, gridCanvas.parentElement?.clientWidth ?? 320);
  try {
    if (mine === gridRequest) await drawGrid(gridCanvas, image, width);
    gridCanvas.dataset.step = String(step);
  } catch (err) {
    gridLabel.textContent = `step ${step}: ${(err as Error).message}`;
  }
}

// ─── input ────────────────────────────────────────────────────────────────────────────────────────────

function saveState(patch: Partial<DashboardState>): void {
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
  const idx = Number(gridSlider.value);
  const steps = model.gridSteps;
  saveState({ gridStep: idx >= steps.length - 1 ? null : steps[idx] });
  invalidate({ grid: true });
});

stopButton.addEventListener('click', () => {
  if (!model.run || stopButton.hasAttribute('disabled')) return;
  host.post({ type: 'stop', runId: model.run.runId });
  setDisabled(stopButton, true);
  statusText.textContent = `${model.statusText()} · stopping after this step…`;
});

function onMessage(m: DashboardToWebview): void {
  switch (m.type) {
    case 'init': {
      if (state.runId !== m.run.runId) state = { ...state, gridStep: null };
      model.reset(m.run);
      for (const e of m.history) model.apply(e);
      for (const p of m.problems) model.addProblem(p);
      requested.clear();
      saveState({ runId: m.run.runId, runDir: m.run.runDir });
      invalidate({ charts: true, alerts: true, header: true, grid: true, evals: true, backend: true });
      return;
    }
    case 'event': {
      if (!model.run || m.runId !== model.run.runId) return;
      const e = m.event;
      model.apply(e);
      invalidate({
        header: true,
        charts: e.event === 'step' || e.event === 'balance',
        alerts: e.event === 'problem',
        grid: e.event === 'samples' || e.event === 'start',
        evals: e.event === 'eval' || e.event === 'samples',
        backend: e.event === 'start',
      });
      return;
    }
    case 'grid':
      if (!model.run || m.runId !== model.run.runId) return;
      model.addGridPixels(m.step, m.image);
      invalidate({ grid: state.gridStep === null || state.gridStep === m.step });
      return;
    case 'runUpdated':
      if (!model.run || m.run.runId !== model.run.runId) return;
      model.run = m.run;
      model.status = m.run.status;
      for (const g of m.run.grids ?? []) model.addGridStep(g.step, g.uri);
      invalidate({ header: true, grid: true });
      return;
    case 'fixApplied': {
      const a = model.alerts.get(m.code);
      if (a) a.applied = { title: m.title, ok: m.ok, message: m.message };
      invalidate({ alerts: true });
      return;
    }
    case 'remediesStarted': {
      const a = model.alerts.get(m.code);
      if (a) a.trial = { ok: m.ok, message: m.message };
      invalidate({ alerts: true });
      return;
    }
  }
}

host.onMessage(onMessage);

exposeReadsForTests('__dcgan', {
  chartPointCounts: () => ({ losses: charts.losses.pointCount(), d: charts.d.pointCount(), ms: charts.ms.pointCount() }),
  rawStepCount: () => model.losses.rawCount,
  gridSteps: () => model.gridSteps.slice(),
  shownGridStep: () => (gridCanvas.dataset.step === undefined ? undefined : Number(gridCanvas.dataset.step)),
  markerCount: () => model.markers.length,
  statusText: () => model.statusText(),
});

invalidate({ header: true, backend: true, evals: true, alerts: true });
host.post({ type: 'ready' });
