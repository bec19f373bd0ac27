// The exported graph for every generator shape (the DCGAN-paper 16×16 and 32×32 RGB/sigmoid networks, the 28×28
// one with 4×4 kernels) against the runtime's own generator, on checkpoints written by saveCheckpoint from freshly
// initialised networks (no training needed to compare the two computations), and exports refused for damaged ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as tfc from '@tensorflow/tfjs-core';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { selectBackend } from '../../src/runtime/backend/select';
import { defaultConfig } from '../../src/runtime/config/load';
import { buildDiscriminator } from '../../src/runtime/model/discriminator';
import { buildGenerator } from '../../src/runtime/model/generator';
import type { ModelSpec } from '../../src/runtime/model/spec';
import { loadGenerator, readCheckpoint, saveCheckpoint } from '../../src/runtime/train/checkpoint';
import { Rng } from '../../src/runtime/train/rng';
import { exportGenerator } from '../../src/runtime/runs';

const base: ModelSpec = { imageSize: 16, channels: 1, latentDim: 12, generatorFilters: 4, discriminatorFilters: 4, leakyReluAlpha: 0.2, discriminatorDropout: 0, outputActivation: 'tanh' };

async function writeCheckpoint(root: string, spec: ModelSpec): Promise<string> {
  const { tf } = await selectBackend('wasm');
  const G = buildGenerator(tf, spec, new Rng(1), `g${spec.imageSize}${spec.channels}`);
  const D = buildDiscriminator(tf, spec, new Rng(2));
  const optG = tf.train.adam(1e-3);
  const optD = tf.train.adam(1e-3);
  const fixedNoise = tf.randomNormal([9, spec.latentDim], 0, 1, 'float32', 5);
  const dir = await saveCheckpoint(root, { step: 1, runId: 't', spec, config: defaultConfig(), rngState: 0, scaling: { scale: 1, offset: 0 }, generator: G.variables, discriminator: D.variables, optimizerG: optG, optimizerD: optD, fixedNoise });
  tf.dispose([...G.variables, ...D.variables, fixedNoise]);
  optG.dispose();
  optD.dispose();
  return dir;
}

for (const spec of [base, { ...base, imageSize: 32, channels: 3, outputActivation: 'sigmoid' as const }, { ...base, imageSize: 28, generatorKernelSize: 4 as const }]) {
  test(`export matches the runtime generator at ${spec.imageSize}×${spec.imageSize}×${spec.channels} (${spec.outputActivation}${spec.generatorKernelSize ? `, ${spec.generatorKernelSize}×${spec.generatorKernelSize}` : ''})`, async () => {
    const { tf } = await selectBackend('wasm');
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-export-spec-'));
    const ckptDir = await writeCheckpoint(root, spec);
    const out = path.join(root, 'model');
    const result = await exportGenerator(ckptDir, out);
    assert.match(result.note ?? '', /no generator average/, 'a checkpoint without an average exports the trained generator and says so');
    assert.equal(result.metadata.generator, 'trained');
    assert.deepEqual(result.metadata.outputRange, spec.outputActivation === 'tanh' ? [-1, 1] : [0, 1]);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8'));
    const model = await loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: new Uint8Array(fs.readFileSync(result.weightFiles[0])).buffer, signature: json.signature, userDefinedMetadata: json.userDefinedMetadata }));
    const ckpt = readCheckpoint(ckptDir);
    const g = loadGenerator(tf, ckpt);
    const z = tf.randomNormal([7, spec.latentDim], 0, 1, 'float32', 11) as tfc.Tensor2D;
    const want = (await tf.tidy(() => g.apply(z)).data()) as Float32Array;
    const got = model.predict(z) as tfc.Tensor;
    assert.deepEqual(got.shape, [7, spec.imageSize, spec.imageSize, spec.channels]);
    const data = (await got.data()) as Float32Array;
    let diff = 0;
    for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(want[i] - data[i]));
    assert.ok(diff < 1e-4, `max diff ${diff}`);
    tf.dispose([z, got, ...g.variables]);
    model.dispose();
  });
}

test('export refuses damaged checkpoints with messages that name the file', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-export-bad-'));
  const ckptDir = await writeCheckpoint(root, base);
  const manifestFile = path.join(ckptDir, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  await assert.rejects(exportGenerator(path.join(root, 'nope'), path.join(root, 'o')), /is not a folder/);
  // A spec that does not match the weights (as a hand-edited manifest would have).
  fs.writeFileSync(manifestFile, JSON.stringify({ ...manifest, spec: { ...manifest.spec, generatorFilters: 8 } }));
  await assert.rejects(exportGenerator(ckptDir, path.join(root, 'o')), (err: Error) => err.message.includes(manifestFile) && /shape|parameters/.test(err.message));
  // A negative offset.
  fs.writeFileSync(manifestFile, JSON.stringify({ ...manifest, generator: manifest.generator.map((e: { offset: number }, i: number) => (i === 0 ? { ...e, offset: -4 } : e)) }));
  await assert.rejects(exportGenerator(ckptDir, path.join(root, 'o')), /non-negative offset|offset": whole number/);
  // weights.bin linked out of the checkpoint.
  fs.writeFileSync(manifestFile, JSON.stringify(manifest));
  const outside = path.join(root, 'outside.bin');
  fs.renameSync(path.join(ckptDir, 'weights.bin'), outside);
  fs.symlinkSync(outside, path.join(ckptDir, 'weights.bin'));
  await assert.rejects(exportGenerator(ckptDir, path.join(root, 'o')), /outside/);
  assert.ok(!fs.existsSync(path.join(root, 'o', 'model.json')), 'nothing written for a refused checkpoint');
});
