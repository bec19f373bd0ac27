// Real training on the webgpu backend (SwiftShader here and in CI, see webgpu-helpers.ts), beside a wasm run of
// the same seed: finite metrics, a flat tensor count, D(x) and D(G(z)) that track the wasm run, checkpoints that
// resume across the two backends both ways, and sampling and eval on webgpu.
//
// SwiftShader is a software rasteriser, about 70× slower than wasm here (docs/gpu.md), so the network is smaller
// than the default model and the run is 4 steps, not 50: a default-model step at batch 8 took 85–150 s on it.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { selectBackend, type BackendPreference } from '../../src/runtime/backend/select';
import type { EndEvent, StepEvent, TrainEvent } from '../../src/runtime/events';
import { train } from '../../src/runtime/train/trainer';
import { readCheckpoint, sampleFromCheckpoint } from '../../src/runtime/train/checkpoint';
import { evaluateCheckpoint } from '../../src/runtime/eval/evaluate';
import { tinyConfig } from './train-helpers';
import { webgpuSkipReason } from './webgpu-helpers';

/**
 * Same seed, same data order, same initial weights (tfjs' seeded randomNormal runs in JavaScript on every
 * backend): the two runs differ only by float rounding in the kernels. Measured on SwiftShader vs wasm over
 * the first 4 steps of this config: differences below 1e-3; the band leaves room for rounding to compound.
 */
const BAND = 0.02;
const STEPS = 4;

let skip: string | undefined;
before(async () => {
  skip = await webgpuSkipReason();
});

function config(dir: string, steps = STEPS) {
  return tinyConfig(dir, {
    data: { path: 'builtin:mnist', limit: 64 },
    model: { generatorFilters: 4, discriminatorFilters: 4 },
    training: { batchSize: 8, steps },
    output: { dir: path.join(dir, 'runs'), sampleEvery: STEPS, checkpointEvery: STEPS, sampleCount: 4 },
  });
}

async function run(which: BackendPreference, dir: string, steps = STEPS, resume = false) {
  const backend = await selectBackend(which);
  const events: TrainEvent[] = [];
  const tensorsAtStep: number[] = [];
  const end: EndEvent = await train({
    config: config(dir, steps), baseDir: dir, backend, resume,
    onEvent: (e) => {
      events.push(e);
      if (e.event === 'step') tensorsAtStep.push(backend.tf.memory().numTensors);
    },
  });
  backend.release?.();
  const steps_ = events.filter((e): e is StepEvent => e.event === 'step');
  return { end, events, steps: steps_, tensorsAtStep, backend };
}

const dirs = { wasm: '', webgpu: '' };

test('webgpu trains on builtin:mnist: finite metrics, flat tensor count, D(x) and D(G(z)) track wasm', async (t) => {
  if (skip) return t.skip(skip);
  dirs.wasm = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-wasm-'));
  dirs.webgpu = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-webgpu-'));
  const wasm = await run('wasm', dirs.wasm);
  assert.equal(wasm.end.reason, 'completed', wasm.end.message);
  const gpu = await run('webgpu', dirs.webgpu);
  assert.equal(gpu.end.reason, 'completed', gpu.end.message);

  const start = gpu.events.find((e) => e.event === 'start');
  assert.ok(start && start.event === 'start');
  assert.equal(start.backend.name, 'webgpu');
  assert.match(start.backend.adapter?.description ?? '', /\S/, 'the start event names the adapter');
  assert.equal(gpu.steps.length, STEPS);
  for (const [i, s] of gpu.steps.entries()) {
    for (const k of ['lossD', 'lossG', 'dReal', 'dFake', 'gradNormG', 'gradNormD'] as const) assert.ok(Number.isFinite(s[k]), `${k} at step ${s.step}`);
    const w = wasm.steps[i];
    assert.ok(Math.abs(s.dReal - w.dReal) < BAND, `step ${s.step}: D(x) ${s.dReal} on webgpu vs ${w.dReal} on wasm`);
    assert.ok(Math.abs(s.dFake - w.dFake) < BAND, `step ${s.step}: D(G(z)) ${s.dFake} on webgpu vs ${w.dFake} on wasm`);
  }
  console.log(`  D(x) webgpu/wasm: ${gpu.steps.map((s, i) => `${s.dReal.toFixed(4)}/${wasm.steps[i].dReal.toFixed(4)}`).join(' ')}`);
  // Adam makes its moment variables on its first update; from then on every step frees what it makes.
  assert.ok(gpu.tensorsAtStep.slice(1).every((n) => n === gpu.tensorsAtStep[1]), `tensor count grew across steps: ${gpu.tensorsAtStep.join(', ')}`);
  assert.equal(gpu.backend.tf.findBackend('webgpu'), null, 'release() removed the webgpu backend and destroyed its device');
});

test('a checkpoint written on webgpu resumes on wasm, and the reverse', async (t) => {
  if (skip) return t.skip(skip);
  assert.ok(dirs.wasm && dirs.webgpu, 'needs the runs of the test above');
  for (const [from, to] of [['webgpu', 'wasm'], ['wasm', 'webgpu']] as const) {
    const resumed = await run(to, dirs[from], STEPS + 1, true);
    assert.equal(resumed.end.reason, 'completed', `${from} → ${to}: ${resumed.end.message}`);
    const start = resumed.events.find((e) => e.event === 'start');
    assert.ok(start && start.event === 'start' && start.step === STEPS, `${from} → ${to} starts at step ${STEPS}`);
    assert.equal(start.backend.name, to);
    assert.deepEqual(resumed.steps.map((s) => s.step), [STEPS + 1]);
    assert.ok(Number.isFinite(resumed.steps[0].lossD) && Number.isFinite(resumed.steps[0].lossG));
    assert.equal(readCheckpoint(resumed.end.checkpoint!).manifest.step, STEPS + 1);
  }
});

test('sample and eval run on webgpu', async (t) => {
  if (skip) return t.skip(skip);
  const ckpt = path.join(dirs.webgpu, 'runs');
  const runDir = path.join(ckpt, fs.readdirSync(ckpt)[0]);
  const checkpoint = path.join(runDir, 'checkpoints', fs.readdirSync(path.join(runDir, 'checkpoints')).sort().at(-1)!);
  const backend = await selectBackend('webgpu');
  const before = backend.tf.memory().numTensors;
  const grid = await sampleFromCheckpoint(checkpoint, 4, backend, 7);
  assert.equal(grid.width, 2 * 28 + 3 * 2);
  assert.ok(grid.data.some((v) => v > 0), 'the grid is not blank');
  const result = await evaluateCheckpoint(checkpoint, backend, { count: 20 });
  assert.ok(Number.isFinite(result.diversity) && result.diversity > 0, `diversity ${result.diversity}`);
  assert.ok(result.classifierScore !== undefined && Number.isFinite(result.classifierScore), 'the digit classifier ran');
  assert.equal(backend.tf.memory().numTensors, before, 'sampling and eval leaked tensors');
  backend.release?.();
});
