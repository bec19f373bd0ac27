// The generator's weight average (training.generatorAverage): the update rule and its warm-up, what the
// checkpoint stores, and which weights sampling uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { selectBackend } from '../../src/runtime/backend/select';
import { buildGenerator } from '../../src/runtime/model/generator';
import type { ModelSpec } from '../../src/runtime/model/spec';
import { GeneratorAverage } from '../../src/runtime/train/average';
import { loadGenerator, readCheckpoint, tensorData } from '../../src/runtime/train/checkpoint';
import { Rng } from '../../src/runtime/train/rng';
import { train } from '../../src/runtime/train/trainer';
import { tinyConfig } from './train-helpers';

const spec: ModelSpec = { imageSize: 28, channels: 1, latentDim: 8, generatorFilters: 2, discriminatorFilters: 2, leakyReluAlpha: 0.2, discriminatorDropout: 0, outputActivation: 'tanh' };

test('the average follows avg ← d·avg + (1−d)·w, with the decay ramping up over the first steps', async () => {
  const { tf } = await selectBackend('wasm');
  const G = buildGenerator(tf, spec, new Rng(3));
  const avg = new GeneratorAverage(tf, spec, G, 0.999);
  try {
    assert.equal(avg.decayAt(0), 0.1);
    assert.ok(Math.abs(avg.decayAt(90) - 0.91) < 1e-12);
    assert.equal(avg.decayAt(100_000), 0.999);
    const start = G.variables.map((v) => v.dataSync().slice());
    assert.deepEqual(avg.variables.map((v) => Array.from(v.dataSync())), start.map((a) => Array.from(a)), 'starts as a copy');

    // Move the generator's weights, then average twice: a closed form to compare against.
    G.variables.forEach((v) => v.assign(tf.tidy(() => tf.add(v, 1))));
    const before = tf.memory().numTensors;
    avg.update(1);
    avg.update(2);
    assert.equal(tf.memory().numTensors, before, 'update leaves no tensors behind');
    const d1 = avg.decayAt(1);
    const d2 = avg.decayAt(2);
    avg.variables.forEach((v, i) => {
      const got = v.dataSync();
      for (let k = 0; k < got.length; k += Math.max(1, Math.floor(got.length / 50))) {
        const a1 = d1 * start[i][k] + (1 - d1) * (start[i][k] + 1);
        const want = d2 * a1 + (1 - d2) * (start[i][k] + 1);
        assert.ok(Math.abs(got[k] - want) < 1e-5, `${v.name}[${k}]: ${got[k]} vs ${want}`);
      }
    });
    assert.match(avg.variables[0].name, /^generatorAverage\//);
  } finally {
    avg.dispose();
    G.variables.forEach((v) => v.dispose());
  }
});

/** The shared tiny config, 4 steps with a checkpoint at the end, and the given average decay. */
function averagedConfig(dir: string, generatorAverage: number) {
  const config = tinyConfig(dir);
  config.training.steps = 4;
  config.training.generatorAverage = generatorAverage;
  return config;
}

test('checkpoints store the average beside the trained weights; sampling loads the average', async () => {
  const backend = await selectBackend('wasm');
  const tf = backend.tf;
  for (const decay of [0.999, 0]) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-average-'));
    const end = await train({ config: averagedConfig(dir, decay), baseDir: dir, backend, onEvent: () => undefined });
    assert.equal(end.reason, 'completed', end.message);
    const ckpt = readCheckpoint(end.checkpoint!);
    const m = ckpt.manifest;
    if (decay === 0) {
      assert.equal(m.generatorAverage, undefined, 'generatorAverage 0: no average saved');
      continue;
    }
    assert.ok(m.generatorAverage, 'the average is saved');
    assert.deepEqual(m.generatorAverage.map((e) => e.shape), m.generator.map((e) => e.shape));
    const trained = tensorData(ckpt, m.generator[0]);
    const averaged = tensorData(ckpt, m.generatorAverage[0]);
    assert.notDeepEqual(Array.from(averaged), Array.from(trained), 'after 4 steps the average differs from the trained weights');
    // One at a time: tfjs refuses two live variables of one name.
    for (const [which, want] of [['sampling', averaged], ['trained', trained]] as const) {
      const g = loadGenerator(tf, ckpt, which);
      try {
        assert.deepEqual(Array.from(g.variables[0].dataSync()), Array.from(want), which);
      } finally {
        g.variables.forEach((v) => v.dispose());
      }
    }
  }
});

test('--resume restores the average instead of restarting it from the trained weights', async () => {
  const backend = await selectBackend('wasm');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-average-resume-'));
  const first = await train({ config: averagedConfig(dir, 0.999), baseDir: dir, backend, onEvent: () => undefined });
  assert.equal(first.reason, 'completed', first.message);
  const config = averagedConfig(dir, 0.999);
  config.training.steps = 5;
  const second = await train({ config, baseDir: dir, backend, resume: true, onEvent: () => undefined });
  assert.equal(second.reason, 'completed', second.message);
  const at4 = readCheckpoint(first.checkpoint!);
  const at5 = readCheckpoint(second.checkpoint!);
  assert.equal(at5.manifest.step, 5);
  // One update after the resume: avg5 = d·avg4 + (1 − d)·w5 with d = decayAt(5) = 6/15.
  const d = 6 / 15;
  at5.manifest.generatorAverage!.forEach((e, i) => {
    const avg4 = tensorData(at4, at4.manifest.generatorAverage![i]);
    const w5 = tensorData(at5, at5.manifest.generator[i]);
    const avg5 = tensorData(at5, e);
    for (let k = 0; k < avg5.length; k += Math.max(1, Math.floor(avg5.length / 50))) {
      assert.ok(Math.abs(avg5[k] - (d * avg4[k] + (1 - d) * w5[k])) < 1e-5, `${e.name}[${k}]`);
    }
  });
});
