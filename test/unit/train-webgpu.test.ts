// Real training on the webgpu backend (a software adapter here and in CI: lavapipe, else SwiftShader, see
// webgpu-helpers.ts), beside a wasm run of the same seed: the default model (the schema's 16/16 filters, batch
// 32) for 50 steps on builtin:mnist, with finite metrics, a flat tensor count, and D(x) and D(G(z)) in the band
// the wasm run shows; checkpoints that resume across the two backends both ways; sampling and eval on webgpu.
//
// Time: on lavapipe about 20 s for the first step (every shader compiles; Mesa caches them on disk after that)
// and 1.5 s a step after that on 2 cores
// (docs/gpu.md); on SwiftShader 20 s a step, so without lavapipe this file takes over 15 minutes.
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
import { defaultConfig } from '../../src/runtime/config/load';
import { tinyConfig } from './train-helpers';
import { webgpuSkipReason } from './webgpu-helpers';

const STEPS = 50;
/**
 * Same seed, same data order, same initial weights (tfjs' seeded randomNormal runs in JavaScript on every
 * backend): the two runs differ only by float rounding in the kernels. Measured on lavapipe against wasm: within
 * 1e-4 through step 11, 0.005 through step 22, 0.014 at step 25; then a GAN at the default learning rate (2e-3)
 * amplifies the rounding and the runs part step by step while their statistics agree (docs/wasm-performance.md
 * saw the same between two wasm builds). So: the first EARLY steps step by step within EARLY_BAND, and over the
 * last WINDOW steps webgpu's mean D(x) and D(G(z)) within MEAN_BAND of wasm's (measured 0.005 and 0.006).
 */
const EARLY = 20;
const EARLY_BAND = 0.02;
const WINDOW = 25;
const MEAN_BAND = 0.15;

let skip: string | undefined;
before(async () => {
  skip = await webgpuSkipReason();
});

function config(dir: string, steps = STEPS) {
  const model = defaultConfig().model;
  assert.deepEqual([model.generatorFilters, model.discriminatorFilters], [16, 16], 'the default model is what this test trains');
  return tinyConfig(dir, {
    data: { path: 'builtin:mnist', limit: 2048 },
    model: {},
    training: { batchSize: defaultConfig().training.batchSize, steps },
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
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('webgpu trains the default model 50 steps on builtin:mnist: finite metrics, flat tensor count, D(x) and D(G(z)) in the wasm band', async (t) => {
  if (skip) return t.skip(skip);
  dirs.wasm = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-wasm-'));
  dirs.webgpu = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-webgpu-'));
  const wasm = await run('wasm', dirs.wasm);
  assert.equal(wasm.end.reason, 'completed', wasm.end.message);
  const t0 = Date.now();
  const gpu = await run('webgpu', dirs.webgpu);
  assert.equal(gpu.end.reason, 'completed', gpu.end.message);

  const start = gpu.events.find((e) => e.event === 'start');
  assert.ok(start && start.event === 'start');
  assert.equal(start.backend.name, 'webgpu');
  assert.match(start.backend.adapter?.description ?? '', /\S/, 'the start event names the adapter');
  assert.equal(gpu.steps.length, STEPS);
  for (const s of gpu.steps) {
    for (const k of ['lossD', 'lossG', 'dReal', 'dFake', 'gradNormG', 'gradNormD'] as const) assert.ok(Number.isFinite(s[k]), `${k} at step ${s.step}`);
  }
  for (const [i, s] of gpu.steps.slice(0, EARLY).entries()) {
    const w = wasm.steps[i];
    assert.ok(Math.abs(s.dReal - w.dReal) < EARLY_BAND, `step ${s.step}: D(x) ${s.dReal} on webgpu vs ${w.dReal} on wasm`);
    assert.ok(Math.abs(s.dFake - w.dFake) < EARLY_BAND, `step ${s.step}: D(G(z)) ${s.dFake} on webgpu vs ${w.dFake} on wasm`);
  }
  for (const k of ['dReal', 'dFake'] as const) {
    const w = mean(wasm.steps.slice(-WINDOW).map((s) => s[k]));
    const g = mean(gpu.steps.slice(-WINDOW).map((s) => s[k]));
    console.log(`  ${k} mean over steps ${STEPS - WINDOW + 1}–${STEPS}: webgpu ${g.toFixed(3)}, wasm ${w.toFixed(3)}`);
    assert.ok(Math.abs(g - w) < MEAN_BAND, `${k}: webgpu's mean ${g.toFixed(3)} over the last ${WINDOW} steps is more than ${MEAN_BAND} from wasm's ${w.toFixed(3)}`);
  }
  const ms = gpu.steps.map((s) => s.ms);
  console.log(`  webgpu (${start.backend.adapter?.description}): first step ${ms[0].toFixed(0)} ms, then median ${[...ms.slice(1)].sort((a, b) => a - b)[Math.floor((ms.length - 1) / 2)].toFixed(0)} ms; ${((Date.now() - t0) / 1000).toFixed(0)} s in all`);
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
