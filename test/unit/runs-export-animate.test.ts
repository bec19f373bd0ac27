// On two real (tiny) runs, label smoothing 0 and 0.1 on builtin:mnist: the exported generator loaded with stock
// TensorFlow.js (tfjs-converter's loadGraphModel) against the trainer's own sampling, the GIF's frames against the
// grids, and the CLI's compare / export / animate as a user runs them.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as tfc from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { decompressFrames, parseGIF } from 'gifuct-js';
import { selectBackend, type BackendHandle } from '../../src/runtime/backend/select';
import { train } from '../../src/runtime/train/trainer';
import { loadGenerator, readCheckpoint, tensorData } from '../../src/runtime/train/checkpoint';
import { decodePng, tileGrid } from '../../src/runtime/train/grid';
import { animateRun, exportGenerator, readRun, selectFrames, type ExportMetadata } from '../../src/runtime/runs';
import { tinyConfig } from './train-helpers';
import { ensureBuilt, runCli } from './cli-helpers';

let dir: string;
let backend: BackendHandle;
const runs: string[] = [];

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-runs-real-'));
  backend = await selectBackend('wasm');
  for (const labelSmoothing of [0, 0.1]) {
    const config = tinyConfig(dir, { training: { batchSize: 16, steps: 6, labelSmoothing } });
    const end = await train({ config, baseDir: dir, backend, runDir: path.join(dir, 'runs', `smooth${labelSmoothing}`), onEvent: () => undefined });
    assert.equal(end.reason, 'completed', end.message);
    runs.push(path.join(dir, 'runs', `smooth${labelSmoothing}`));
  }
  ensureBuilt();
});

/** Loads an export the way a user's code would: model.json and its shards from disk, through stock tfjs. */
async function loadExport(outDir: string): Promise<{ model: GraphModel; metadata: ExportMetadata }> {
  const json = JSON.parse(fs.readFileSync(path.join(outDir, 'model.json'), 'utf8'));
  const group = json.weightsManifest[0];
  const weightData = Buffer.concat(group.paths.map((p: string) => fs.readFileSync(path.join(outDir, p))));
  const model = await loadGraphModel(backend.tf.io.fromMemory({
    modelTopology: json.modelTopology, weightSpecs: group.weights, weightData: new Uint8Array(weightData).buffer,
    format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy, signature: json.signature, userDefinedMetadata: json.userDefinedMetadata,
  }));
  return { model, metadata: (model.metadata as { dcganStudio: ExportMetadata }).dcganStudio };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('the exported generator (average, and --raw) reproduces the trainer\'s sampling for the fixed noise to 1e-4', async () => {
  const tf = backend.tf;
  const run = await readRun(runs[0]);
  const ckptDir = run.checkpoints.at(-1)!.dir;
  const ckpt = readCheckpoint(ckptDir);
  assert.ok(ckpt.manifest.generatorAverage, 'the tiny config keeps a generator average (schema default 0.999)');
  const noise = tf.tensor2d(tensorData(ckpt, ckpt.manifest.fixedNoise), ckpt.manifest.fixedNoise.shape as [number, number]);
  for (const raw of [false, true]) {
    const out = path.join(dir, raw ? 'export-raw' : 'export');
    const result = await exportGenerator(ckptDir, out, { raw });
    assert.deepEqual(fs.readdirSync(out).sort(), ['group1-shard1of1.bin', 'model.json']);
    const { model, metadata } = await loadExport(out);
    assert.equal(metadata.generator, raw ? 'trained' : 'average');
    assert.deepEqual([metadata.latentDim, metadata.imageShape, metadata.outputRange, metadata.step], [100, [28, 28, 1], [-1, 1], 6]);
    assert.match(metadata.pixelMapping, /\(y \+ 1\) \* 127\.5/);
    assert.deepEqual(result.metadata, metadata);

    const g = loadGenerator(tf, ckpt, raw ? 'trained' : 'sampling');
    const expected = tf.tidy(() => g.apply(noise));
    const got = model.predict(noise) as tfc.Tensor;
    assert.deepEqual(got.shape, [16, 28, 28, 1]);
    const [e, x] = [(await expected.data()) as Float32Array, (await got.data()) as Float32Array];
    const diff = maxAbsDiff(e, x);
    assert.ok(diff < 1e-4, `max |exported − trainer| = ${diff}`);
    assert.ok(x.every((v) => v >= -1 && v <= 1), 'in the tanh range');
    if (!raw) {
      // The grid the trainer wrote at this step was drawn from the same average and noise: same pixels.
      const png = decodePng(run.grids.find((r) => r.step === 6)!.file);
      const tiled = tileGrid(x, 16, 28, 1, [-1, 1]);
      let off = 0;
      for (let i = 0; i < tiled.data.length; i++) off = Math.max(off, Math.abs(tiled.data[i] - png.data[i * 3]));
      assert.ok(off <= 1, `exported samples differ from the trainer's step-6 grid by up to ${off}/255`);
    }
    tf.dispose([expected, got, ...g.variables]);
    model.dispose();
  }
  noise.dispose();
});

test('the GIF has one frame per selected grid, and its pixels are the grids\'', async () => {
  const run = await readRun(runs[0]);
  assert.deepEqual(run.grids.map((g) => g.step), [1, 2, 4, 6]);
  for (const every of [1, 2, 3]) {
    const anim = await animateRun(runs[0], { fps: 5, every });
    const expected = selectFrames(run.grids, every);
    assert.deepEqual(anim.frames.map((f) => f.step), expected.map((f) => f.step));
    const buf = anim.gif.buffer.slice(anim.gif.byteOffset, anim.gif.byteOffset + anim.gif.byteLength) as ArrayBuffer;
    const frames = decompressFrames(parseGIF(buf), true);
    assert.equal(frames.length, expected.length, `every ${every}`);
    assert.equal(frames[0].delay, 200);
    const first = decodePng(expected[0].file);
    assert.deepEqual([frames[0].dims.width, frames[0].dims.height], [first.width, first.height]);
    for (let i = 0; i < first.width * first.height; i += 97) assert.equal(frames[0].patch[i * 4], first.data[i * 3], `pixel ${i}`);
  }
});

test('CLI: compare shows labelSmoothing 0 vs 0.1 and exits 2 for a folder that is not a run; export and animate write their files', async () => {
  const json = await runCli(['compare', ...runs, '--json']);
  assert.equal(json.code, 0, json.stderr);
  const c = JSON.parse(json.stdout);
  assert.deepEqual(c.configDiff, [{ key: 'training.labelSmoothing', values: [0, 0.1] }]);
  assert.deepEqual(c.commonGridSteps, [1, 2, 4, 6]);
  assert.deepEqual(c.end.map((e: { last: { step: number } }) => e.last.step), [6, 6]);
  const table = await runCli(['compare', ...runs]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /training\.labelSmoothing\s+0\s+0\.1/);
  const bad = await runCli(['compare', runs[0], dir]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /is not a run folder .*holds run folders|not a DCGAN Studio run folder/);
  assert.match((await runCli(['compare', runs[0]])).stderr, /2 to 6 run folders/);

  const out = path.join(dir, 'cli-export');
  const exp = await runCli(['export', '--checkpoint', runs[1], '--out', out, '--json']);
  assert.equal(exp.code, 0, exp.stderr);
  assert.equal(JSON.parse(exp.stdout).metadata.generator, 'average');
  assert.ok(fs.existsSync(path.join(out, 'model.json')));
  const gif = path.join(dir, 'timeline.gif');
  const anim = await runCli(['animate', runs[1], '--out', gif, '--every', '2', '--json']);
  assert.equal(anim.code, 0, anim.stderr);
  assert.deepEqual(JSON.parse(anim.stdout).steps, [1, 4, 6]);
  assert.equal(fs.readFileSync(gif).subarray(0, 6).toString('latin1'), 'GIF89a');
  assert.equal((await runCli(['animate', dir, '--out', gif])).code, 2);
});
