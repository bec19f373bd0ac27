// The one training entry (src/runtime/train/request.ts), which `dcgan-studio train` and the extension's training
// worker both call. Before it, the worker applied the host's overrides without validating them again (a
// training.steps of 0 "completed" a run of no steps, and wrote its folder), and the host named run folders
// yyyymmdd-hhmmss while the CLI named them <config>-<iso stamp>.
import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TrainingWorker } from '../../src/extension/trainingWorkerClient';
import { runTrainingRequest } from '../../src/runtime/train/request';
import { newRunDir } from '../../src/runtime/train/runName';
import type { TrainEvent } from '../../src/runtime/events';

const ROOT = path.resolve(__dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-request-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const CONFIG = {
  data: { path: 'builtin:mnist', limit: 16 },
  model: { latentDim: 4, generatorFilters: 1, discriminatorFilters: 1, generatorKernelSize: 4 },
  training: { batchSize: 8, steps: 1, seed: 7 },
  output: { dir: 'runs', sampleEvery: 100, checkpointEvery: 100, sampleCount: 4 },
  runtime: { backend: 'wasm', threads: 1 },
};

test('the worker validates the host\'s overrides with the config, naming the key, and writes nothing', { timeout: 120_000 }, async () => {
  const configFile = path.join(tmp, 'bad-override.dcgan.json');
  const runDir = path.join(tmp, 'runs', 'bad-override');
  const events: TrainEvent[] = [];
  const worker = new TrainingWorker({
    script: path.join(ROOT, 'dist/worker.js'),
    name: 'bad-override',
    start: { type: 'start', configFile, configText: JSON.stringify(CONFIG), overrides: { 'training.steps': 0 }, runDir, searchPaths: [], wasmDir: path.join(ROOT, 'dist'), emitGridPixels: false },
    onEvent: (e) => events.push(e),
    onLog: () => {},
  });
  const end = await worker.done;
  assert.equal(end.reason, 'error', JSON.stringify(end));
  assert.match(end.message ?? '', /training\.steps = 0/);
  assert.match(end.message ?? '', /training\.steps must be >= 1/);
  assert.ok(!events.some((e) => e.event === 'start' || e.event === 'step'), 'nothing trained');
  assert.ok(!fs.existsSync(runDir), 'no run folder written');
});

test('an override is labelled as the caller gave it, and a good one reaches the run', { timeout: 120_000 }, async () => {
  const configFile = path.join(tmp, 'labels.dcgan.json');
  fs.writeFileSync(configFile, JSON.stringify(CONFIG));
  const bad = await runTrainingRequest({ configFile, overrides: { 'training.steps': 0 }, overrideLabels: { 'training.steps': '--steps 0' }, onEvent: () => {} });
  assert.equal(bad.kind, 'invalid');
  assert.match(bad.kind === 'invalid' ? bad.problems[0].message : '', /^after --steps 0: training\.steps must be >= 1/);
  assert.equal(bad.kind === 'invalid' ? bad.file : '', configFile);

  const events: TrainEvent[] = [];
  const ok = await runTrainingRequest({ configFile, overrides: { 'training.steps': 2 }, onEvent: (e) => events.push(e) });
  assert.equal(ok.kind, 'ended');
  assert.equal(ok.kind === 'ended' && ok.started, true);
  assert.deepEqual(events.filter((e) => e.event === 'step').map((e) => e.step), [1, 2]);
  const start = events.find((e) => e.event === 'start');
  // Named by train/runName.ts: the config's name and a UTC stamp.
  assert.match(path.basename(start?.event === 'start' ? start.outputDir : ''), /^labels-\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d$/);
});

test('run folders of the same config in the same second get -2, -3', () => {
  const out = path.join(tmp, 'names');
  const now = new Date('2026-12-05T10:11:12.345Z');
  const first = newRunDir(out, '/x/faces.dcgan.json', now);
  assert.equal(path.basename(first), 'faces-2026-12-05-10-11-12');
  fs.mkdirSync(first, { recursive: true });
  assert.equal(path.basename(newRunDir(out, '/x/faces.dcgan.json', now)), 'faces-2026-12-05-10-11-12-2');
  assert.equal(path.basename(newRunDir(out, '/x/dcgan.json', now)), '2026-12-05-10-11-12', 'a plain dcgan.json: the stamp alone');
});
