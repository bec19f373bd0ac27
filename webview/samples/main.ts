/**
 * The "Samples" side view: the workspace's runs and their grids over time. Play the grids as an animation (and
 * save it as a GIF), click a grid to enlarge it, compare two steps side by side, put a real batch beside a fake
 * one, or pick 2–6 runs to compare.
 */
import './samples.css';
import { MAX_COMPARED_RUNS, type GridRef, type RunSummary, type SamplesToWebview, type SweepNode } from '../../src/protocol';
import { connectHost } from '../shared/vscode';
import { badge, button, checkbox, dropdown, dropdownValue, isChecked, panels, registerToolkit, setDisabled } from '../shared/toolkit';
import { TimelinePlayer } from './player';
import { el } from '../shared/dom';

interface SamplesState {
  v: 1;
  runId?: string;
  compareA?: number;
  compareB?: number;
  /** Runs ticked in the "Runs" tab, by id, for Compare Runs. */
  selected?: string[];
}

function isSamplesState(x: unknown): x is SamplesState {
  return typeof x === 'object' && x !== null && (x as SamplesState).v === 1;
}

/** Thumbnails per run: evenly spread over the run, first and last always in. */
const MAX_THUMBS = 24;

registerToolkit();
const host = connectHost('samples', isSamplesState);
let state: SamplesState = host.getState() ?? { v: 1 };
let runs: RunSummary[] = [];
let sweeps: SweepNode[] = [];
const realBatches = new Map<string, { uri?: string; note?: string }>();

function save(patch: Partial<SamplesState>): void {
  state = { ...state, ...patch };
  host.setState(state);
}

const header = el('div', { class: 'run-header' });
const tabs = panels([{ id: 'time', label: 'Over time' }, { id: 'compare', label: 'Compare' }, { id: 'real', label: 'Real vs fake' }, { id: 'runs', label: 'Runs' }]);
const [timeView, compareView, realView, runsView] = tabs.views;
const player = new TimelinePlayer((runId) => host.post({ type: 'saveGif', runId }));
const empty = el('p', { class: 'muted', 'data-testid': 'no-runs' }, 'No runs in this workspace yet. Run "DCGAN: Train" and its sample grids appear here.');
const overlay = el('div', { class: 'overlay', 'data-testid': 'enlarged', hidden: '' });
document.body.append(header, tabs.root, empty, overlay);

function currentRun(): RunSummary | undefined {
  return runs.find((r) => r.runId === state.runId) ?? runs[0];
}

function gridImg(g: GridRef, testId: string): HTMLElement {
  const img = el('img', { class: 'pixelated grid-img', alt: `samples at step ${g.step}`, 'data-testid': testId, 'data-step': String(g.step) });
  if (g.uri) img.src = g.uri;
  return img;
}

function spread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return items.slice();
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(items[Math.round((i * (items.length - 1)) / (n - 1))]);
  return out;
}

function enlarge(g: GridRef, label: string): void {
  overlay.replaceChildren(el('div', { class: 'overlay-inner' }, gridImg(g, 'enlarged-img'), el('p', {}, label), el('p', { class: 'muted' }, 'Click or press Escape to close.')));
  overlay.hidden = false;
}
overlay.addEventListener('click', () => { overlay.hidden = true; });
window.addEventListener('keydown', (e) => { if (e.key === 'Escape') overlay.hidden = true; });

function render(): void {
  const run = currentRun();
  empty.hidden = runs.length > 0;
  tabs.root.hidden = !run;
  header.replaceChildren();
  if (!run) return;
  const select = dropdown(runs.map((r) => ({ value: r.runId, label: `${r.runId} · ${r.status}` })), run.runId, 'run-select');
  select.addEventListener('change', () => { save({ runId: dropdownValue(select), compareA: undefined, compareB: undefined }); render(); });
  const open = button('Dashboard', { appearance: 'secondary', testId: 'open-dashboard', title: 'Open this run\'s dashboard' });
  open.addEventListener('click', () => host.post({ type: 'openDashboard', runId: run.runId }));
  const steps = run.step !== undefined ? `step ${run.step}${run.steps ? ` / ${run.steps}` : ''}` : '';
  header.append(el('div', { class: 'run-row' }, select, open),
    el('div', { class: 'run-meta muted' }, badge(run.live ? 'live' : run.status), ` ${steps}${run.backend ? ` · ${run.backend.name}` : ''}`));
  renderTime(run);
  renderCompare(run);
  renderReal(run);
  renderRuns();
}

function renderTime(run: RunSummary): void {
  const grids = run.grids ?? [];
  timeView.replaceChildren();
  player.show(run.runId, grids);
  if (grids.length === 0) { timeView.append(el('p', { class: 'muted' }, 'No sample grids yet.')); return; }
  timeView.append(player.root);
  const strip = el('div', { class: 'thumbs' });
  for (const g of spread(grids, MAX_THUMBS).reverse()) {
    const cell = el('figure', { class: 'thumb', 'data-testid': 'thumb', title: 'Click to enlarge' }, gridImg(g, 'thumb-img'), el('figcaption', {}, `step ${g.step}`));
    cell.addEventListener('click', () => enlarge(g, `${run.runId} · step ${g.step}`));
    strip.append(cell);
  }
  timeView.append(strip);
}

function stepPicker(grids: readonly GridRef[], selected: number, testId: string, onPick: (step: number) => void): HTMLElement {
  const d = dropdown(grids.map((g) => ({ value: String(g.step), label: `step ${g.step}` })), String(selected), testId);
  d.addEventListener('change', () => onPick(Number(dropdownValue(d))));
  return d;
}

function renderCompare(run: RunSummary): void {
  const grids = run.grids ?? [];
  compareView.replaceChildren();
  if (grids.length < 2) { compareView.append(el('p', { class: 'muted' }, 'Two sample grids are needed to compare.')); return; }
  const a = grids.find((g) => g.step === state.compareA) ?? grids[0];
  const b = grids.find((g) => g.step === state.compareB) ?? grids[grids.length - 1];
  const col = (g: GridRef, which: 'a' | 'b') => {
    const img = gridImg(g, `compare-${which}`);
    img.addEventListener('click', () => enlarge(g, `${run.runId} · step ${g.step}`));
    return el('div', { class: 'compare-col' },
      stepPicker(grids, g.step, `compare-${which}-step`, (step) => { save(which === 'a' ? { compareA: step } : { compareB: step }); renderCompare(run); }), img);
  };
  compareView.append(el('div', { class: 'side-by-side' }, col(a, 'a'), col(b, 'b')));
}

function renderReal(run: RunSummary): void {
  realView.replaceChildren();
  const grids = run.grids ?? [];
  const fake = grids[grids.length - 1];
  const real = realBatches.get(run.runId);
  if (!real) host.post({ type: 'requestRealBatch', runId: run.runId });
  const realCol = real?.uri
    ? el('div', { class: 'compare-col' }, el('p', {}, 'Real batch'), gridImg({ step: -1, file: '', uri: real.uri }, 'real-batch'))
    : el('div', { class: 'compare-col' }, el('p', {}, 'Real batch'), el('p', { class: 'muted', 'data-testid': 'real-note' }, real?.note ?? 'Loading…'));
  const fakeCol = fake
    ? el('div', { class: 'compare-col' }, el('p', {}, `Generated, step ${fake.step}`), gridImg(fake, 'fake-batch'))
    : el('div', { class: 'compare-col' }, el('p', { class: 'muted' }, 'No sample grids yet.'));
  realView.append(el('div', { class: 'side-by-side' }, realCol, fakeCol));
}

function renderRuns(): void {
  const selected = new Set((state.selected ?? []).filter((id) => runs.some((r) => r.runId === id)));
  const compare = button('Compare selected runs', { appearance: 'primary', testId: 'compare-selected', title: `Overlay the curves, config differences, evals, alerts and grids of 2–${MAX_COMPARED_RUNS} runs` });
  const hint = el('p', { class: 'muted', 'data-testid': 'compare-hint' });
  const update = () => {
    const n = selected.size;
    setDisabled(compare, n < 2 || n > MAX_COMPARED_RUNS);
    hint.textContent = n < 2 ? `Tick 2 to ${MAX_COMPARED_RUNS} runs to compare.` : n > MAX_COMPARED_RUNS ? `At most ${MAX_COMPARED_RUNS} runs at a time (${n} ticked).` : `${n} runs ticked.`;
  };
  const list = el('div', { class: 'run-list' }, ...runs.map((r) => {
    const steps = r.step !== undefined ? ` · step ${r.step}` : '';
    const box = checkbox(`${r.runId}`, selected.has(r.runId), { testId: 'run-check', value: r.runId });
    box.addEventListener('change', () => {
      if (isChecked(box)) selected.add(r.runId); else selected.delete(r.runId);
      save({ selected: [...selected] });
      update();
    });
    const config = r.configFile ? r.configFile.split(/[\\/]/).pop() : undefined;
    return el('div', { class: 'run-item' }, box, el('span', { class: 'muted' }, `${r.live ? 'live' : r.status}${steps}${config ? ` · ${config}` : ''}`));
  }));
  compare.addEventListener('click', () => {
    if (compare.hasAttribute('disabled')) return;
    host.post({ type: 'compareRuns', runIds: [...selected] });
  });
  update();
  runsView.replaceChildren(...sweeps.map(sweepElement), list, el('div', { class: 'run-actions' }, compare), hint);
}

/** A sweep as one node: its progress, then its runs (cell, seed, state, step, score); "Compare" opens its ranking. */
function sweepElement(sw: SweepNode): HTMLElement {
  const bar = el('progress', { max: String(sw.total), value: String(sw.done), 'aria-label': `${sw.done} of ${sw.total} runs done` });
  const open = button('Compare', { appearance: 'secondary', testId: 'sweep-compare', title: 'Open the ranking and one run per cell in the Compare panel' });
  open.addEventListener('click', () => host.post({ type: 'compareSweep', sweepId: sw.sweepId }));
  const items = sw.runs.map((r) => el('li', { 'data-testid': 'sweep-run', 'data-state': r.state },
    el('span', {}, r.label), el('span', { class: 'muted' }, ` · ${r.state} · step ${r.step}/${r.steps}${r.frechetDistance !== undefined ? ` · Fréchet ${r.frechetDistance.toFixed(1)}` : ''}`)));
  return el('details', { class: 'sweep-node', 'data-testid': 'sweep-node', 'data-sweep': sw.sweepId, ...(sw.live ? { open: '' } : {}) },
    el('summary', {}, el('span', { class: 'run-label' }, sw.title), ' ', badge(sw.live ? 'live' : sw.runner), el('span', { class: 'muted' }, ` ${sw.done}/${sw.total} runs · ${sw.states}`)),
    el('div', { class: 'sweep-progress' }, bar, open),
    ...(sw.winner ? [el('p', { 'data-testid': 'sweep-winner' }, `Winner: ${sw.winner}`)] : []),
    el('ul', { class: 'sweep-runs' }, ...items));
}

function onMessage(m: SamplesToWebview): void {
  switch (m.type) {
    case 'runs':
      runs = m.runs;
      sweeps = m.sweeps ?? [];
      render();
      return;
    case 'realBatch':
      realBatches.set(m.runId, { uri: m.image?.kind === 'uri' ? m.image.uri : undefined, note: m.note });
      if (currentRun()?.runId === m.runId) renderReal(currentRun()!);
      return;
    case 'gifSaved':
      player.gifSaved(m);
      return;
    default:
      return;
  }
}

host.onMessage(onMessage);
render();
host.post({ type: 'ready' });
