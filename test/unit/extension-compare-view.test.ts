// The Compare Runs messages (src/extension/views/compareView.ts) and the page's model (webview/compare/model.ts),
// on RunRecords read by the runtime's readRun from run folders written here.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isHostToWebview } from '../../src/protocol';
import { readRun } from '../../src/runtime/runs';
import { comparisonView, foldAlerts, formatConfigValue, liveUpdate, seriesOf, uniqueRunIds } from '../../src/extension/views/compareView';
import { CompareModel, joinSeries } from '../../webview/compare/model';

function writeRun(dir: string, opts: { steps: number; smoothing: number; gridEvery: number; status?: string }): void {
  fs.mkdirSync(path.join(dir, 'samples'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ runId: path.basename(dir), configFile: path.join(dir, '..', 'dcgan.json'), status: opts.status ?? 'completed' }));
  const lines: object[] = [{ event: 'start', runId: path.basename(dir), step: 0, steps: opts.steps, config: { data: { path: 'builtin:mnist' }, training: { steps: opts.steps, labelSmoothing: opts.smoothing }, output: { dir: '/elsewhere' } } }];
  for (let s = 1; s <= opts.steps; s++) {
    lines.push({ event: 'step', step: s, lossD: s === 3 ? null : 1 + 1 / s, lossG: 2, dReal: 0.7, dFake: 0.3, ms: 5 });
    if (s % opts.gridEvery === 0) fs.writeFileSync(path.join(dir, 'samples', `step-${String(s).padStart(6, '0')}.png`), 'not read here');
  }
  lines.push({ event: 'problem', step: 4, code: 'health/mode-collapse', severity: 'warning', message: 'first' });
  lines.push({ event: 'problem', step: 6, code: 'health/mode-collapse', severity: 'warning', message: 'second' });
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
}

const toUri = (f: string) => `https://webview.test${f}`;

describe('Compare Runs messages', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-compare-'));

  it('builds a guarded comparison: one differing key, NaN as null, alerts folded per code, common grid steps', async () => {
    writeRun(path.join(tmp, 'a', 'run'), { steps: 10, smoothing: 0, gridEvery: 2 });
    writeRun(path.join(tmp, 'b', 'run'), { steps: 12, smoothing: 0.1, gridEvery: 3 });
    const records = await Promise.all([readRun(path.join(tmp, 'a', 'run')), readRun(path.join(tmp, 'b', 'run'))]);
    const view = comparisonView(records, toUri);
    assert.ok(isHostToWebview({ type: 'comparison', comparison: view }), 'the message passes the protocol guard');
    assert.deepEqual(uniqueRunIds(records), ['run', 'run (2)']);
    assert.deepEqual(view.configDiff, [{ key: 'training.steps', values: ['10', '12'] }, { key: 'training.labelSmoothing', values: ['0', '0.1'] }]);
    assert.equal(view.runs[0].series.step.length, 10);
    assert.equal(view.runs[0].series.lossD[2], null, 'a non-finite loss travels as null');
    assert.deepEqual(view.runs[0].alerts, [{ code: 'health/mode-collapse', severity: 'warning', message: 'second', firstStep: 4, lastStep: 6, count: 2 }]);
    assert.deepEqual(view.gridSteps, [6]);
    assert.match(view.runs[1].label, /^run \(2\) · b\/dcgan\.json$/);
  });

  it('sends a live run only what was appended', async () => {
    const dir = path.join(tmp, 'live', 'run');
    writeRun(dir, { steps: 5, smoothing: 0, gridEvery: 5, status: 'running' });
    const before = await readRun(dir);
    fs.appendFileSync(path.join(dir, 'metrics.jsonl'), [6, 7].map((s) => JSON.stringify({ event: 'step', step: s, lossD: 1, lossG: 1, dReal: 0.5, dFake: 0.5, ms: 1 })).join('\n') + '\n');
    const after = await readRun(dir, { since: before });
    const update = liveUpdate('run', before, after, toUri)!;
    assert.deepEqual(update.series.step, [6, 7]);
    assert.deepEqual(update.alerts, []);
    assert.ok(isHostToWebview({ type: 'compareLive', update }));
    assert.equal(liveUpdate('run', after, await readRun(dir, { since: after }), toUri), undefined, 'nothing appended, nothing sent');
  });

  it('keeps a long run bounded and its spikes', () => {
    const points = Array.from({ length: 50_000 }, (_, i) => ({ step: i + 1, lossD: i === 31_337 ? 99 : 1, lossG: 1, dx: 0.5, dgz: 0.5, ms: 1 }));
    const s = seriesOf(points);
    assert.ok(s.step.length <= 6000, `${s.step.length} points`);
    assert.ok(s.lossD.includes(99), 'the spike survives decimation');
  });

  it('formats config values for the table', () => {
    assert.deepEqual([0, 0.1, true, 'builtin:mnist', undefined, [1, 2], null].map(formatConfigValue), ['0', '0.1', 'true', 'builtin:mnist', '(not set)', '[1,2]', 'null']);
    assert.equal(foldAlerts([]).length, 0);
  });
});

describe('Compare page model', () => {
  it('joins runs on one step axis with nulls where a run has no point', () => {
    assert.deepEqual(joinSeries([{ x: [1, 3], y: [10, 30] }, { x: [2, 3], y: [20, 31] }]), { x: [1, 2, 3], ys: [[10, null, 30], [null, 20, 31]] });
  });

  it('folds a live update once, and picks each run\'s latest grid up to a step', () => {
    const m = new CompareModel();
    const run = (runId: string, grids: number[]) => ({ runId, label: runId, status: 'running' as const, live: true, step: 2, series: { step: [1, 2], lossD: [1, 1], lossG: [1, 1], dReal: [0.5, 0.5], dFake: [0.5, 0.5] }, alerts: [], grids: grids.map((step) => ({ step, uri: `u${runId}${step}` })) });
    m.reset({ runs: [run('a', [2, 4]), run('b', [3])], configDiff: [], gridSteps: [] });
    assert.deepEqual(m.sliderSteps(), [2, 3, 4]);
    assert.deepEqual(m.gridAt(m.runs[1], 4), { step: 3, uri: 'ub3' });
    assert.equal(m.gridAt(m.runs[1], 2), undefined);
    const update = { runId: 'b', series: { step: [2, 3], lossD: [1, 2], lossG: [1, 1], dReal: [0.5, 0.5], dFake: [0.5, 0.5] }, grids: [], alerts: [], status: 'completed' as const };
    assert.equal(m.apply(update), true);
    assert.equal(m.apply(update), true);
    assert.equal(m.runs[1].metrics.rawCount, 3, 'step 2 is not added twice, nor step 3 on a repeated message');
    assert.equal(m.runs[1].live, false);
    assert.equal(m.apply({ ...update, runId: 'gone' }), false);
  });
});
