// readRun on hand-written run folders (what the trainer writes, and hostile variants: torn and malformed lines,
// symlinks out of the run, oversized files, special names), and compareRuns' pure parts. No training here:
// runs-export-animate.test.ts reads real runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { alignGrids, compareRuns, configDifferences, nearestGrid, NotARunError, readRun, selectFrames, type RunGrid } from '../../src/runtime/runs';
import { encodePng } from '../../src/runtime/train/grid';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-runs-'));
const PNG_BYTES = encodePng({ width: 2, height: 2, channels: 1, data: new Uint8Array([0, 64, 128, 255]) });

interface FakeRun {
  config?: Record<string, unknown>;
  steps?: number;
  lines?: string[];
  grids?: number[];
  checkpoints?: { step: number; eval?: Record<string, unknown> }[];
}

function writeRun(root: string, name: string, r: FakeRun = {}): string {
  const dir = path.join(root, name);
  fs.mkdirSync(path.join(dir, 'samples'), { recursive: true });
  const config = r.config ?? { training: { steps: r.steps ?? 4, labelSmoothing: 0 }, output: { dir: root } };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ runId: name, status: 'completed', startedAt: '2026-12-01T00:00:00Z' }));
  const lines = r.lines ?? [
    JSON.stringify({ event: 'start', runId: name, step: 0, steps: r.steps ?? 4, config, backend: { name: 'wasm', gpu: false, reason: 'test' } }),
    ...Array.from({ length: r.steps ?? 4 }, (_, i) => JSON.stringify({ event: 'step', step: i + 1, lossD: 1 + i, lossG: 2 + i, dReal: 0.5, dFake: 0.4, ms: 10 })),
    JSON.stringify({ event: 'end', reason: 'completed', step: r.steps ?? 4 }),
  ];
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), lines.join('\n') + '\n');
  for (const s of r.grids ?? [1, 2, 4]) fs.writeFileSync(path.join(dir, 'samples', `step-${String(s).padStart(6, '0')}.png`), PNG_BYTES);
  for (const c of r.checkpoints ?? []) {
    const ck = path.join(dir, 'checkpoints', `step-${String(c.step).padStart(6, '0')}`);
    fs.mkdirSync(ck, { recursive: true });
    fs.writeFileSync(path.join(ck, 'manifest.json'), '{}');
    if (c.eval) fs.writeFileSync(path.join(ck, 'eval.json'), JSON.stringify(c.eval));
  }
  return dir;
}

test('readRun gives the id, resolved config, series, alerts, eval and grids of a run folder', async () => {
  const root = tmp();
  const alert = { event: 'problem', step: 3, code: 'health/discriminator-overpowering', severity: 'warning', message: 'D wins', causes: ['lr'], fixes: [{ title: 'x', edits: [{ path: ['data', 'path'], value: '/etc' }] }] };
  const dir = writeRun(root, 'a', {
    lines: [
      JSON.stringify({ event: 'start', runId: 'a', step: 0, steps: 4, config: { training: { steps: 4, labelSmoothing: 0.1 } } }),
      JSON.stringify({ event: 'problem', code: 'data/partial-range', severity: 'info', message: 'uses part' }),
      JSON.stringify({ event: 'step', step: 1, lossD: 1.4, lossG: 0.7, dReal: 0.5, dFake: 0.5, ms: 12 }),
      JSON.stringify({ event: 'step', step: 2, lossD: null, lossG: 0.7, dReal: 0.5, dFake: 0.5, ms: 12 }),
      JSON.stringify(alert),
      JSON.stringify({ event: 'eval', step: 2, classifierScore: 0.5, diversity: 0.3, count: 100 }),
      JSON.stringify({ event: 'samples', step: 2, file: '/etc/passwd' }),
    ],
    checkpoints: [{ step: 2 }, { step: 4, eval: { step: 999, classifierScore: 0.8, classCoverage: 9, frechetDistance: 7.5, diversity: 0.4, count: 1000 } }],
  });
  const r = await readRun(dir);
  assert.equal(r.runId, 'a');
  assert.equal(r.dir, fs.realpathSync(dir));
  assert.equal(r.status, 'completed');
  assert.deepEqual(r.config, { training: { steps: 4, labelSmoothing: 0.1 } }, 'the start event\'s resolved config wins over config.json');
  assert.equal(r.plannedSteps, 4);
  assert.deepEqual(r.series.map((p) => [p.step, p.lossD, p.dx, p.dgz]), [[1, 1.4, 0.5, 0.5], [2, NaN, 0.5, 0.5]]);
  assert.equal(r.lastStep, 2);
  assert.deepEqual(r.alerts.map((a) => [a.code, a.step, a.causes]), [['health/discriminator-overpowering', 3, ['lr']]]);
  assert.equal(r.alerts[0].fixes, undefined, 'fixes are never taken from a run folder');
  assert.deepEqual(r.problems.map((p) => p.code), ['data/partial-range']);
  // The checkpoint's eval.json is for step 4 (its folder name), newer than the metrics' step-2 eval.
  assert.deepEqual(r.eval, { step: 4, source: 'checkpoint', classifierScore: 0.8, classCoverage: 9, frechetDistance: 7.5, diversity: 0.4, count: 1000 });
  assert.deepEqual(r.grids.map((g) => g.step), [1, 2, 4]);
  assert.ok(r.grids.every((g) => g.file.startsWith(r.dir + path.sep)), 'grid paths come from the folder, not from metrics lines');
  assert.deepEqual(r.checkpoints.map((c) => c.step), [2, 4]);
  assert.equal(r.skippedLines, 0);
});

test('malformed, torn and oversized lines are skipped and counted; a live run is read on from its offset', async () => {
  const root = tmp();
  const step = (n: number) => JSON.stringify({ event: 'step', step: n, lossD: 1, lossG: 1, dReal: 0.5, dFake: 0.5, ms: 1 });
  const dir = writeRun(root, 'b', { lines: [step(1), 'not json', '{"event":"step","step":"two"}', '[1,2]', JSON.stringify({ event: 'problem', code: 'Bad Code', severity: 'error', message: 'x' }), `{"event":"samples","pad":"${'x'.repeat(1.5 * 2 ** 20)}"}`, step(2)] });
  fs.appendFileSync(path.join(dir, 'metrics.jsonl'), step(3).slice(0, 20)); // a torn last line: the writer is mid-line
  const r = await readRun(dir);
  assert.deepEqual(r.series.map((p) => p.step), [1, 2]);
  assert.equal(r.skippedLines, 5);
  const size = fs.statSync(path.join(dir, 'metrics.jsonl')).size;
  assert.ok(r.metricsOffset < size, 'the torn line is not consumed');
  fs.appendFileSync(path.join(dir, 'metrics.jsonl'), step(3).slice(20) + '\n' + step(4) + '\n');
  const more = await readRun(dir, { since: r });
  assert.deepEqual(more.series.map((p) => p.step), [1, 2, 3, 4]);
  assert.equal(more.skippedLines, 5);
  assert.deepEqual(r.series.map((p) => p.step), [1, 2], 'the earlier record is not changed');
});

test('a long series is thinned evenly to maxPoints; maxMetricsBytes bounds what is read', async () => {
  const root = tmp();
  const dir = writeRun(root, 'c', { steps: 1000 });
  const r = await readRun(dir, { maxPoints: 100 });
  assert.ok(r.series.length <= 100 && r.series.length >= 50, `${r.series.length} points`);
  assert.ok(r.series.every((p) => p.step % r.seriesStride === 0));
  assert.equal(r.lastStep, 1000);
  const cut = await readRun(dir, { maxMetricsBytes: 2000 });
  assert.equal(cut.truncated, true);
  assert.ok(cut.series.length > 0 && cut.lastStep < 1000);
});

test('links out of the run folder and special files are not read', async () => {
  const root = tmp();
  const outside = path.join(root, 'secret');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'step-000009.png'), PNG_BYTES);
  fs.writeFileSync(path.join(outside, 'config.json'), JSON.stringify({ leaked: true }));
  const dir = writeRun(root, 'd', { lines: [JSON.stringify({ event: 'step', step: 1, lossD: 1, lossG: 1, dReal: 0.5, dFake: 0.5, ms: 1 })], grids: [1] });
  fs.rmSync(path.join(dir, 'config.json'));
  fs.symlinkSync(path.join(outside, 'config.json'), path.join(dir, 'config.json'));
  fs.symlinkSync(path.join(outside, 'step-000009.png'), path.join(dir, 'samples', 'step-000009.png'));
  fs.mkdirSync(path.join(dir, 'samples', 'step-000010.png')); // a folder with a grid's name
  const r = await readRun(dir);
  assert.deepEqual(r.config, {}, 'config.json links outside: not read');
  assert.deepEqual(r.grids.map((g) => g.step), [1]);
  // metrics.jsonl itself as a link out of the run: the folder is not a run.
  const e = writeRun(root, 'e');
  fs.rmSync(path.join(e, 'metrics.jsonl'));
  fs.symlinkSync(path.join(dir, 'metrics.jsonl'), path.join(e, 'metrics.jsonl'));
  await assert.rejects(readRun(e), (err: unknown) => err instanceof NotARunError && /outside/.test(err.message));
});

test('NotARunError names the folder and what is missing', async () => {
  const root = tmp();
  await assert.rejects(readRun(path.join(root, 'nope')), (err: unknown) => err instanceof NotARunError && /no such folder/.test(err.message) && err.message.includes(path.join(root, 'nope')));
  await assert.rejects(readRun(root), (err: unknown) => err instanceof NotARunError && /no metrics\.jsonl/.test(err.message));
  writeRun(root, 'r1');
  await assert.rejects(readRun(root), (err: unknown) => err instanceof NotARunError && /holds run folders: r1/.test(err.message), 'an output folder says which runs it holds');
  const ck = path.join(root, 'r1', 'checkpoints', 'step-000001');
  fs.mkdirSync(ck, { recursive: true });
  fs.writeFileSync(path.join(ck, 'manifest.json'), '{}');
  await assert.rejects(readRun(ck), (err: unknown) => err instanceof NotARunError && /is a checkpoint/.test(err.message));
});

test('compareRuns: config keys that differ, last metrics, alerts per run, grids at common steps', async () => {
  const root = tmp();
  const a = await readRun(writeRun(root, 'a', { config: { training: { steps: 4, labelSmoothing: 0, beta1: 0.5 }, output: { dir: '/x' } }, grids: [1, 2, 4] }));
  const b = await readRun(writeRun(root, 'b', { config: { training: { steps: 4, labelSmoothing: 0.1, beta1: 0.5 }, output: { dir: '/y' }, health: { k: 1 } }, grids: [1, 3, 4] }));
  const c = compareRuns([a, b]);
  assert.deepEqual(c.configDiff, [{ key: 'training.labelSmoothing', values: [0, 0.1] }, { key: 'health.k', values: [undefined, 1] }], 'output.dir differs but is where, not what');
  assert.deepEqual(c.end.map((e) => e.last?.step), [4, 4]);
  assert.equal(c.end[0].recent?.lossD, (1 + 2 + 3 + 4) / 4);
  assert.deepEqual(c.commonGridSteps, [1, 4]);
  assert.deepEqual(c.gridRows.map((r) => [r.step, r.exact]), [[1, true], [4, true]]);
  assert.deepEqual(c.alerts.map((x) => x.count), [0, 0]);
  assert.deepEqual(c.runs.map((r) => r.runId), ['a', 'b']);
  assert.ok(JSON.parse(JSON.stringify(c)).gridRows.length === 2, 'serializable as JSON');
});

test('grids: nearest when the runs share no step; configDifferences on nested values and arrays', () => {
  const g = (...steps: number[]): RunGrid[] => steps.map((step) => ({ step, file: `/g/${step}.png` }));
  assert.equal(nearestGrid(g(100, 200, 300), 149)?.step, 100);
  assert.equal(nearestGrid(g(100, 200, 300), 150)?.step, 100, 'ties go to the earlier grid');
  assert.equal(nearestGrid(g(100, 200, 300), 151)?.step, 200);
  assert.equal(nearestGrid(g(100, 200, 300), 5000)?.step, 300);
  assert.equal(nearestGrid([], 5), undefined);
  const rows = alignGrids([g(100, 200, 300, 400), g(150, 350)]);
  assert.deepEqual(rows.map((r) => [r.step, r.grids.map((x) => x?.step), r.exact]), [[150, [100, 150], false], [350, [300, 350], false]]);
  assert.deepEqual(alignGrids([g(), g()]), []);
  assert.deepEqual(configDifferences([{ a: { lr: [1, 2] }, b: 1 }, { a: { lr: [1, 2] }, b: 1 }]), []);
  assert.deepEqual(configDifferences([{ lr: { generator: 1, discriminator: 2 } }, { lr: 1 }]), [
    { key: 'lr.generator', values: [1, undefined] },
    { key: 'lr.discriminator', values: [2, undefined] },
    { key: 'lr', values: [undefined, 1] },
  ]);
});

test('selectFrames: every N-th grid plus the last, thinned to maxFrames', () => {
  const g = (n: number): RunGrid[] => Array.from({ length: n }, (_, i) => ({ step: (i + 1) * 10, file: `/g/${i}` }));
  assert.deepEqual(selectFrames(g(5)).map((x) => x.step), [10, 20, 30, 40, 50]);
  assert.deepEqual(selectFrames(g(5), 2).map((x) => x.step), [10, 30, 50]);
  assert.deepEqual(selectFrames(g(6), 2).map((x) => x.step), [10, 30, 50, 60]);
  assert.equal(selectFrames(g(5000), 1, 100).length, 100);
  assert.equal(selectFrames(g(5000), 1, 100).at(-1)?.step, 50000);
  assert.throws(() => selectFrames(g(3), 0), /every/);
});
