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
