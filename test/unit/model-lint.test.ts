// The checkerboard lint: model/checkerboard for the 28×28 generator's 5×5 stride-2 transposed convolutions, none
// for 4×4 (model.generatorKernelSize) or the 4×4 DCGAN-paper generators; its quick fix gives a valid config; the
// 4×4 generator builds and has the expected shapes; checkConfigData reports it for a config file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as tfc from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/runtime/backend/select';
import { parseConfig, setAtPath } from '../../src/runtime/config/load';
import { checkConfigData } from '../../src/runtime/data/lint';
import { buildGenerator } from '../../src/runtime/model/generator';
import { generatorTransposedConvs, modelProblems } from '../../src/runtime/model/lint';
import { weightShapeDifferences, type ModelSpec } from '../../src/runtime/model/spec';
import { Rng } from '../../src/runtime/train/rng';

test("5×5 stride 2 at 28×28 (the TF tutorial's) is model/checkerboard, naming both stride-2 layers", () => {
  const [p, ...more] = modelProblems({ generatorKernelSize: 5 }, 28, '/x/dcgan.json');
  assert.equal(more.length, 0);
  assert.equal(p.code, 'model/checkerboard');
  assert.equal(p.severity, 'warning');
  assert.match(p.message, /convT2 \(5×5, stride 2, 7→14\)/);
  assert.match(p.message, /convT3 \(5×5, stride 2, 14→28\)/);
  assert.doesNotMatch(p.message, /convT1/, 'the stride-1 layer has no uneven overlap');
  assert.deepEqual(p.location?.path, ['model', 'generatorKernelSize']);
  assert.equal(p.file, '/x/dcgan.json');
  assert.deepEqual(p.fixes?.[0].edits, [{ path: ['model', 'generatorKernelSize'], value: 4 }]);
  assert.equal(p.fixes?.[0].isPreferred, true);
  // A config without the key gets the schema default, 5: the warning applies to it too.
  assert.equal(modelProblems({}, 28).length, 1);
});

test('4×4 stride 2 at 28×28, and the 4×4 DCGAN-paper generators, have no checkerboard problem', () => {
  assert.deepEqual(modelProblems({ generatorKernelSize: 4 }, 28), []);
  for (const size of [16, 32, 64, 128]) assert.deepEqual(modelProblems({ generatorKernelSize: 5 }, size), [], `${size}×${size}`);
  assert.deepEqual(generatorTransposedConvs({ imageSize: 64 }).map((c) => `${c.layer} ${c.kernel}/${c.stride} ${c.from}→${c.to}`), ['convT1 4/2 4→8', 'convT2 4/2 8→16', 'convT3 4/2 16→32', 'convT4 4/2 32→64']);
});

test('the quick fix gives a config that validates and no longer has the problem', () => {
  const doc: Record<string, unknown> = { data: { path: 'builtin:mnist' }, model: { generatorFilters: 16, generatorKernelSize: 5 } };
  assert.equal(parseConfig('{}').config?.model.generatorKernelSize, 4, 'schema default: our own defaults raise no warning');
  const before = parseConfig(JSON.stringify(doc));
  const [p] = modelProblems(before.config!.model, 28);
  for (const e of p.fixes![0].edits) setAtPath(doc, e.path, e.value);
  const after = parseConfig(JSON.stringify(doc));
  assert.deepEqual(after.problems, []);
  assert.equal(after.config?.model.generatorKernelSize, 4);
  assert.deepEqual(modelProblems(after.config!.model, 28), []);
  assert.match(parseConfig(JSON.stringify({ model: { generatorKernelSize: 3 } })).problems[0].message, /generatorKernelSize must be one of 4, 5/);
});

test('the 4×4 generator builds: kernel shapes and a 28×28 output', async () => {
  const { tf } = await selectBackend('wasm');
  const spec: ModelSpec = { imageSize: 28, channels: 1, latentDim: 8, generatorFilters: 4, discriminatorFilters: 4, generatorKernelSize: 4, leakyReluAlpha: 0.2, discriminatorDropout: 0, outputActivation: 'tanh' };
  const G = buildGenerator(tf, spec, new Rng(1));
  const kernels = G.variables.filter((v) => v.name.includes('convT')).map((v) => v.shape.slice(0, 2).join('×'));
  assert.deepEqual(kernels, ['4×4', '4×4', '4×4']);
  const shape = tf.tidy(() => G.apply(tf.randomNormal([5, 8], 0, 1, 'float32', 3) as tfc.Tensor2D).shape);
  assert.deepEqual(shape, [5, 28, 28, 1]);
  tf.dispose(G.variables);
});

test('checkConfigData reports it on a config file (builtin:mnist) that sets 5, not for 4×4 or the default, not for a bare dataset check', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-model-lint-'));
  try {
    const file = path.join(dir, 'dcgan.json');
    const codes = async (model: Record<string, unknown>, withFile = true) => {
      const loaded = parseConfig(JSON.stringify({ data: { path: 'builtin:mnist', limit: 128 }, model }), file);
      return (await checkConfigData(loaded.config!, dir, withFile ? file : undefined)).problems.map((p) => p.code);
    };
    assert.deepEqual(await codes({ generatorKernelSize: 5 }), ['model/checkerboard']);
    assert.deepEqual(await codes({ generatorKernelSize: 4 }), []);
    assert.deepEqual(await codes({}), [], 'the default (4×4) is not warned about');
    assert.deepEqual(await codes({ generatorKernelSize: 5 }, false), [], 'no config file: nothing the user could edit');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a resume whose config builds other weights names the key and both values', () => {
  const saved: ModelSpec = { imageSize: 28, channels: 1, latentDim: 8, generatorFilters: 4, discriminatorFilters: 4, leakyReluAlpha: 0.2, discriminatorDropout: 0, outputActivation: 'tanh' };
  // Saved before generatorKernelSize existed: 5×5; today's default config builds 4×4.
  assert.deepEqual(weightShapeDifferences(saved, { ...saved, generatorKernelSize: 4 }), ['model.generatorKernelSize 5 (this config: 4)']);
  assert.deepEqual(weightShapeDifferences({ ...saved, generatorKernelSize: 5 }, { ...saved, generatorKernelSize: 5, leakyReluAlpha: 0.3, discriminatorDropout: 0.3 }), [], 'keys that shape no weight may change');
  assert.deepEqual(weightShapeDifferences({ ...saved, imageSize: 64, generatorKernelSize: 5 }, { ...saved, imageSize: 64, generatorKernelSize: 4 }), [], 'the 64×64 generator is 4×4 whatever the key says');
  assert.deepEqual(weightShapeDifferences(saved, { ...saved, generatorFilters: 8, generatorKernelSize: 5 }), ['model.generatorFilters 4 (this config: 8)']);
});
