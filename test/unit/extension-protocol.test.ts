// Messages arrive as `unknown` from workers and webviews; the guards decide what is handled.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { isHostToWebview, isHostToWorker, isWebviewToHost, isWorkerToHost } from '../../src/protocol';

test('worker → host: events, logs, fatal, results accepted; malformed rejected', () => {
  assert.ok(isWorkerToHost({ type: 'event', event: { event: 'step', step: 1, lossD: 1, lossG: 1, dReal: 0.5, dFake: 0.5, ms: 3 } }));
  assert.ok(isWorkerToHost({ type: 'log', level: 'warn', message: 'x' }));
  assert.ok(isWorkerToHost({ type: 'fatal', message: 'boom', stack: 'at x' }));
  assert.ok(isWorkerToHost({ type: 'lintResult', id: 1, result: { problems: [] } }));
  assert.ok(!isWorkerToHost({ type: 'event', event: { event: 'nonsense' } }));
  assert.ok(!isWorkerToHost({ type: 'log', level: 'debug', message: 'x' }));
  assert.ok(!isWorkerToHost({ command: 'event' }));
  assert.ok(!isWorkerToHost(null));
});

test('host → worker: start needs searchPaths; stop, lint, sample', () => {
  assert.ok(isHostToWorker({ type: 'start', configFile: '/a/dcgan.json', searchPaths: [] }));
  assert.ok(!isHostToWorker({ type: 'start', configFile: '/a/dcgan.json' }));
  assert.ok(!isHostToWorker({ type: 'start', searchPaths: [3] }));
  assert.ok(isHostToWorker({ type: 'stop' }));
  assert.ok(isHostToWorker({ type: 'lint', id: 2, configFile: '/a/dcgan.json', configText: '{}' }));
  assert.ok(isHostToWorker({ type: 'sample', id: 3, checkpoint: '/c', count: 16, out: '/o.png', searchPaths: [] }));
  assert.ok(!isHostToWorker({ type: 'sample', id: 3, checkpoint: '/c', out: '/o.png', searchPaths: [] }));
});

test('webview ↔ host: a remedy is named by index; problems sent must carry key paths; grids must carry bytes', () => {
  assert.ok(isWebviewToHost({ type: 'applyFix', runId: 'r', code: 'data/out-of-range', fixIndex: 1 }));
  assert.ok(!isWebviewToHost({ type: 'applyFix', runId: 'r', code: 'data/out-of-range', fixIndex: '1' }));
  const problem = (fix: unknown) => ({ type: 'init', run: { runId: 'r', runDir: '/r', status: 'completed', live: false }, history: [], problems: [{ code: 'data/out-of-range', severity: 'error', message: 'm', fixes: [fix] }] });
  assert.ok(isHostToWebview(problem({ title: 'Rescale', edits: [{ path: ['data', 'scale'], value: 'auto' }] })));
  assert.ok(!isHostToWebview(problem({ title: 'x', edits: [{ path: 'data.scale' }] })));
  assert.ok(isWebviewToHost({ type: 'ready' }));
  assert.ok(!isWebviewToHost({ type: 'stop' }));
  assert.ok(isHostToWebview({ type: 'grid', runId: 'r', step: 5, image: { kind: 'pixels', width: 2, height: 1, channels: 1, data: new Uint8Array(2) } }));
  assert.ok(!isHostToWebview({ type: 'grid', runId: 'r', step: 5, image: { kind: 'pixels', width: 2, height: 1, channels: 1, data: [0, 0] } }));
  assert.ok(isHostToWebview({ type: 'runs', runs: [{ runId: 'r', runDir: '/r', status: 'completed', live: false }] }));
});

test('sweeps: the page names an alert or a sweep, never fixes, edits or files; ranking and sweep nodes are checked', () => {
  assert.ok(isWebviewToHost({ type: 'tryRemedies', runId: 'r', code: 'health/discriminator-overpowering' }));
  assert.ok(!isWebviewToHost({ type: 'tryRemedies', runId: 'r', code: 'health/discriminator-overpowering', fixes: [{ title: 'x', edits: [] }] }));
  assert.ok(!isWebviewToHost({ type: 'tryRemedies', runId: 'r', code: 'health/x', configFile: '/etc/passwd' }));
  assert.ok(isWebviewToHost({ type: 'applyWinner', sweepId: 's' }));
  assert.ok(!isWebviewToHost({ type: 'applyWinner', sweepId: 's', edits: [{ path: ['output', 'dir'], value: '/' }] }));
  assert.ok(isWebviewToHost({ type: 'compareSweep', sweepId: 's' }));
  const ranking = {
    sweepId: 's', measure: 'm', verdict: 'clear', summary: 'x', knobs: ['data.scale'],
    rows: [{ rank: 1, label: 'data.scale=auto', mean: 25.3, spread: 2.3, min: 23.6, max: 26.9, scored: 2, runs: 2, runId: 'cell-02-seed-42' }, { label: 'baseline', scored: 0, runs: 2 }],
    apply: { enabled: true, label: 'data.scale=auto', edits: 'data.scale = auto' },
  };
  const comparison = (sweep: unknown) => ({ type: 'comparison', comparison: { runs: [], configDiff: [], gridSteps: [], sweep } });
  assert.ok(isHostToWebview(comparison(ranking)));
  assert.ok(isHostToWebview(comparison({ ...ranking, verdict: 'no-clear-winner', apply: { enabled: false, reason: 'No clear winner.' } })));
  assert.ok(!isHostToWebview(comparison({ ...ranking, verdict: 'best' })));
  assert.ok(!isHostToWebview(comparison({ ...ranking, apply: { enabled: true } })));
  assert.ok(!isHostToWebview(comparison({ ...ranking, rows: [{ label: 'x', mean: 'low', scored: 1, runs: 1 }] })));
  const node = { sweepId: 's', runner: 'local', title: 't', done: 1, total: 2, states: '1 scored, 1 running', live: true, runs: [{ runId: 'a', label: 'x', state: 'scored', step: 10, steps: 10, frechetDistance: 3 }] };
  assert.ok(isHostToWebview({ type: 'runs', runs: [], sweeps: [node] }));
  assert.ok(!isHostToWebview({ type: 'runs', runs: [], sweeps: [{ ...node, runner: 'ssh' }] }));
  assert.ok(!isHostToWebview({ type: 'runs', runs: [], sweeps: [{ ...node, runs: [{ runId: 'a' }] }] }));
  assert.ok(isHostToWebview({ type: 'remediesStarted', code: 'health/x', ok: true, message: 'started' }));
  assert.ok(isHostToWebview({ type: 'winnerApplied', sweepId: 's', ok: false, message: 'no clear winner' }));
});

test('each page has its own unions: a message meant for another page is refused by its guard, both ways', async () => {
  const { isToHostOf, isToWebviewOf } = await import('../../src/protocol');
  const runs = { type: 'runs', runs: [{ runId: 'r', runDir: '/r', status: 'completed', live: false }] };
  const grid = { type: 'grid', runId: 'r', step: 5, image: { kind: 'uri', uri: 'x' } };
  assert.ok(isToWebviewOf('samples')(runs));
  assert.ok(!isToWebviewOf('dashboard')(runs), 'the side view\'s list is not the dashboard\'s');
  assert.ok(isToWebviewOf('dashboard')(grid));
  assert.ok(!isToWebviewOf('compare')(grid));
  assert.ok(isToWebviewOf('compare')({ type: 'winnerApplied', sweepId: 's', ok: true, message: 'm' }));
  assert.ok(!isToWebviewOf('samples')({ type: 'winnerApplied', sweepId: 's', ok: true, message: 'm' }));
  for (const page of ['dashboard', 'samples', 'compare'] as const) assert.ok(isToHostOf(page)({ type: 'ready' }), `${page}: ready`);
  assert.ok(isToHostOf('dashboard')({ type: 'stop', runId: 'r' }));
  assert.ok(!isToHostOf('compare')({ type: 'stop', runId: 'r' }), 'Compare cannot stop a run');
  assert.ok(!isToHostOf('samples')({ type: 'applyFix', runId: 'r', code: 'data/out-of-range', fixIndex: 0 }), 'the side view has no remedy buttons');
  assert.ok(isToHostOf('compare')({ type: 'applyWinner', sweepId: 's' }));
  assert.ok(!isToHostOf('dashboard')({ type: 'applyWinner', sweepId: 's' }));
  assert.ok(!isToHostOf('samples')({ type: 'stop' }), 'malformed is refused whatever the page');
});
