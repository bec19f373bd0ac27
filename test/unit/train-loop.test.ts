// A few real training steps on the wasm backend, on the built-in MNIST: finite losses, a flat tensor count,
// grids, checkpoints, resume, stop, and the NaN rollback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { selectBackend } from '../../src/runtime/backend/select';
import type { EndEvent, StepEvent, TrainEvent } from '../../src/runtime/events';
import { train } from '../../src/runtime/train/trainer';
import { readCheckpoint, sampleFromCheckpoint } from '../../src/runtime/train/checkpoint';
import { decodePng } from '../../src/runtime/train/grid';
import { writeNpy } from './cli-helpers';
import { tinyConfig as tiny } from './train-helpers';

async function run(dir: string, config = tiny(dir), more: Partial<Parameters<typeof train>[0]> = {}) {
  const backend = await selectBackend('wasm');
  const events: TrainEvent[] = [];
  const tensorsAtStep: number[] = [];
  const end = await train({
    config, baseDir: dir, backend,
    onEvent: (e) => {
      events.push(e);
      if (e.event === 'step') tensorsAtStep.push(backend.tf.memory().numTensors);
    },
    ...more,
  });
  return { end, events, tensorsAtStep, backend };
}

test('trains on builtin:mnist: finite metrics, flat tensor count, grids and checkpoints', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-train-'));
  const { end, events, tensorsAtStep } = await run(dir);
  assert.equal(end.reason, 'completed', end.message);
  const steps = events.filter((e): e is StepEvent => e.event === 'step');
  assert.equal(steps.length, 6);
  for (const s of steps) {
    for (const k of ['lossD', 'lossG', 'dReal', 'dFake', 'ms', 'gradNormG'] as const) assert.ok(Number.isFinite(s[k]), `${k} at step ${s.step}`);
    assert.ok(s.dReal > 0 && s.dReal < 1 && s.dFake > 0 && s.dFake < 1);
  }
  // Adam creates its moment variables on its first update; from then on every step must free what it makes.
  assert.ok(tensorsAtStep.slice(1).every((n) => n === tensorsAtStep[1]), `tensor count grew across steps: ${tensorsAtStep.join(', ')}`);

  const start = events.find((e) => e.event === 'start');
  assert.ok(start && start.event === 'start');
  assert.equal(start.backend.name, 'wasm');
  assert.match(start.backend.reason, /wasm/);
  assert.equal(start.dataset.scale, 1 / 127.5);
  assert.equal(start.dataset.fedMin, -1);
  assert.equal(start.dataset.fedMax, 1);

  const samples = events.filter((e) => e.event === 'samples');
  assert.deepEqual(samples.map((e) => e.step), [1, 2, 4, 6]);
  for (const s of samples) {
    assert.ok(s.event === 'samples');
    const png = decodePng(s.file);
    assert.equal(png.width, 4 * 28 + 5 * 2);
  }
  const runDir = start.outputDir;
  assert.ok(fs.existsSync(path.join(runDir, 'samples', 'real.png')));
  const lines = fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.filter((l) => l.event === 'step').length, 6);
  assert.equal(lines.at(-1).event, 'end');
  assert.equal(JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8')).status, 'completed');

  const ckpt = readCheckpoint(end.checkpoint!);
  assert.equal(ckpt.manifest.step, 6);
  const grid = await sampleFromCheckpoint(end.checkpoint!, 9, await selectBackend('wasm'));
  assert.equal(grid.width, 3 * 28 + 4 * 2);
});

test('--resume continues from the newest checkpoint with the same run id', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-resume-'));
  const first = await run(dir);
  assert.equal(first.end.reason, 'completed');
  const config = tiny(dir);
  config.training.steps = 9;
  const second = await run(dir, config, { resume: true });
  assert.equal(second.end.reason, 'completed', second.end.message);
  const start = second.events.find((e) => e.event === 'start');
  assert.ok(start && start.event === 'start');
  assert.equal(start.step, 6);
  const steps = second.events.filter((e) => e.event === 'step').map((e) => (e as StepEvent).step);
  assert.deepEqual(steps, [7, 8, 9]);
  assert.equal(readCheckpoint(second.end.checkpoint!).manifest.step, 9);
});

test('aborting stops after the current step and saves a checkpoint', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-stop-'));
  const ac = new AbortController();
  const config = tiny(dir);
  config.training.steps = 1000;
  const backend = await selectBackend('wasm');
  const end: EndEvent = await train({ config, baseDir: dir, backend, signal: ac.signal, onEvent: (e) => { if (e.event === 'step' && e.step === 2) ac.abort(); } });
  assert.equal(end.reason, 'stopped');
  assert.equal(end.step, 2);
  assert.equal(readCheckpoint(end.checkpoint!).manifest.step, 2);
});

test('NaN in the data: refused by default; with force, training stops at the first non-finite step', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-nan-'));
  const data = new Float32Array(64 * 28 * 28).map((_, i) => (i % 97 === 0 ? NaN : Math.sin(i) * 0.9));
  writeNpy(path.join(dir, 'nan.npy'), data, [64, 28, 28]);
  const config = tiny(dir, { data: { path: 'nan.npy', scale: 'none' } });
  const refused = await run(dir, config);
  assert.equal(refused.end.reason, 'error');
  assert.ok(refused.events.some((e) => e.event === 'problem' && e.code === 'data/non-finite'));
  const forced = await run(dir, config, { force: true });
  assert.equal(forced.end.reason, 'non-finite');
  assert.equal(forced.end.step, 1);
  assert.ok(forced.events.some((e) => e.event === 'problem' && e.code === 'health/non-finite'));
});
