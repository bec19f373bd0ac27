// Issue 12, finding 7: what arrives from a webview, a worker, a run folder or a restored webview's state is checked
// before the host acts on it.
import { afterEach, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isHostToWebview, isWebviewToHost, isWorkerToHost } from '../../src/protocol';
import { isTrainEvent } from '../../src/runtime/events';
import { isInsideFolders, revivedRunDir } from '../../src/extension/workspacePaths';

const ROOT = path.resolve(__dirname, '../..');
const made: string[] = [];
afterEach(() => { for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true }); });
function tmp(): string {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-ws-')));
  made.push(d);
  return d;
}

test('the unused openFile message is gone: a webview cannot ask the host to open a path', () => {
  assert.equal(isWebviewToHost({ type: 'openFile', path: '/etc/passwd' }), false);
});

test('isTrainEvent checks the fields the host and the dashboard read, per event', () => {
  const backend = { name: 'wasm', gpu: false, reason: 'r' };
  const dataset = { source: 's', format: 'npy', dtype: 'uint8', count: 1, height: 2, width: 2, channels: 1, scale: 1, offset: 0 };
  const start = { event: 'start', backend, runId: 'r', step: 0, steps: 3, batchSize: 8, imageSize: 28, channels: 1, seed: 1, outputDir: '/o', dataset, config: {} };
  assert.ok(isTrainEvent(start));
  assert.equal(isTrainEvent({ event: 'start' }), false, 'a start event without its fields');
  assert.equal(isTrainEvent({ ...start, runId: 5 }), false);
  assert.equal(isTrainEvent({ ...start, backend: { name: 'wasm' } }), false);
  // Every backend the runtime can choose passes, webgpu with its adapter (a guard that missed it dropped the
  // start event of every webgpu run in the extension host); a malformed adapter does not.
  const adapter = { vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0', software: true };
  assert.ok(isTrainEvent({ ...start, backend: { name: 'webgpu', gpu: false, reason: 'runtime.backend is "webgpu"', adapter } }));
  assert.equal(isTrainEvent({ ...start, backend: { name: 'webgpu', gpu: false, reason: 'x', adapter: { vendor: 1 } } }), false);
  assert.equal(isTrainEvent({ ...start, dataset: null }), false);
  assert.equal(isTrainEvent({ ...start, configFile: 3 }), false);
  const step = { event: 'step', step: 1, lossD: 1, lossG: 1, dReal: 0.5, dFake: 0.5, ms: 3 };
  assert.ok(isTrainEvent(step));
  // NaN losses are written to metrics.jsonl as null: still a step (the dashboard shows the gap).
  assert.ok(isTrainEvent({ ...step, lossD: null }));
  assert.equal(isTrainEvent({ ...step, step: '1' }), false);
  assert.equal(isTrainEvent({ ...step, lossG: 'big' }), false);
  assert.equal(isTrainEvent({ event: 'samples', step: 1 }), false, 'samples without a file');
  assert.ok(isTrainEvent({ event: 'samples', step: 1, file: '/s.png' }));
  assert.equal(isTrainEvent({ event: 'samples', step: 1, file: '/s.png', grid: { width: 2, height: 2, channels: 1, data: [1, 2] } }), false, 'grid pixels must be bytes');
  assert.equal(isTrainEvent({ event: 'checkpoint', step: 1 }), false);
  assert.equal(isTrainEvent({ event: 'problem', code: 'health/non-finite', severity: 'fatal', message: 'm' }), false);
  assert.equal(isTrainEvent({ event: 'problem', code: 'health/non-finite', severity: 'error', message: 'm', fixes: [{ title: 't', edits: 'x' }] }), false);
  assert.ok(isTrainEvent({ event: 'problem', code: 'health/non-finite', severity: 'error', message: 'm', step: 4 }));
  assert.equal(isTrainEvent({ event: 'end', reason: 'exploded', step: 1 }), false);
  assert.ok(isTrainEvent({ event: 'end', reason: 'error', step: 1, message: 'm' }));
  assert.equal(isTrainEvent({ event: 'balance', step: 1, action: 'skip-discriminator', value: 1 }), false);
  assert.equal(isTrainEvent({ event: 'eval', step: 1, count: 3 }), false);
  assert.equal(isWorkerToHost({ type: 'event', event: { event: 'start', runId: 'r' } }), false);
  assert.equal(isHostToWebview({ type: 'event', runId: 'r', event: { event: 'step', step: 1 } }), false);
});

test('every event of the recorded run (the trainer\'s metrics.jsonl and the CLI\'s --json lines) still passes', () => {
  // test/fixtures/traces/ hold stripped step metrics for the health tests, not whole events: not checked here.
  const files = ['test/fixtures/recorded-run/metrics.jsonl', 'test/fixtures/recorded-run/cli-events.jsonl'];
  let n = 0;
  for (const f of files) {
    for (const line of fs.readFileSync(path.join(ROOT, f), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const e = JSON.parse(line) as { event?: string };
      if (typeof e.event !== 'string') continue;
      assert.ok(isTrainEvent(e), `${f}: ${line.slice(0, 160)}`);
      n++;
    }
  }
  assert.ok(n > 200, `${n} events checked`);
});

test('a revived dashboard\'s runDir must lie inside a workspace folder (resolving symlinks)', () => {
  const ws = tmp();
  const outside = tmp();
  const run = path.join(ws, 'runs', 'r1');
  fs.mkdirSync(run, { recursive: true });
  fs.symlinkSync(outside, path.join(ws, 'runs', 'link'));
  assert.equal(revivedRunDir({ runDir: run }, [ws]), run);
  assert.equal(revivedRunDir({ runDir: '/' }, [ws]), undefined, 'the file system root');
  assert.equal(revivedRunDir({ runDir: outside }, [ws]), undefined);
  assert.equal(revivedRunDir({ runDir: path.join(ws, 'runs', 'link') }, [ws]), undefined, 'a symlink out of the workspace');
  assert.equal(revivedRunDir({ runDir: `${ws}-evil/r1` }, [ws]), undefined, 'a sibling whose name starts with the folder\'s');
  assert.equal(revivedRunDir({ runDir: path.join(ws, 'runs', 'missing') }, [ws]), undefined);
  assert.equal(revivedRunDir({ runDir: run }, []), undefined, 'no workspace folder');
  assert.equal(revivedRunDir({ runDir: 7 }, [ws]), undefined);
  assert.equal(revivedRunDir(undefined, [ws]), undefined);
  assert.equal(isInsideFolders(ws, [ws]), true);
});

test('dcgan.gpuRuntime.path is machine-scoped: a workspace\'s settings cannot point it at the repository', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  assert.equal(pkg.contributes.configuration.properties['dcgan.gpuRuntime.path'].scope, 'machine');
});
