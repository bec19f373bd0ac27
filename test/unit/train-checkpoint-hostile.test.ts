/**
 * Hostile checkpoints (finding 5 of issue 12): a checkpoint folder comes from wherever the run folder came
 * from, and its manifest.json declares the model to build. A spec the schema rejects, or one the schema allows
 * but weights.bin cannot back (1024 filters at 128×128 is gigabytes of weights), must be refused before a
 * tensor is allocated. `dcgan-studio sample` runs in a child process: clean exit, message naming the file and
 * key, peak RSS under 200 MB.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultConfig } from '../../src/runtime/config/load';
import { CLI, ensureBuilt, tempDir } from './cli-helpers';

const REPORTER = path.join(__dirname, 'report-max-rss.cjs');
let dir: string;

before(() => {
  ensureBuilt();
  dir = tempDir('ckpt-hostile');
});

function checkpoint(name: string, spec: Record<string, unknown>, entries: Record<string, unknown> = {}): string {
  const ckpt = path.join(dir, name, 'checkpoints', 'step-000001');
  fs.mkdirSync(ckpt, { recursive: true });
  const manifest = {
    format: 'dcgan-studio-checkpoint', version: 1, step: 1, runId: name, savedAt: new Date(0).toISOString(),
    spec, config: defaultConfig(), rngState: 1, scaling: { scale: 1, offset: 0 },
    generator: [], discriminator: [], optimizerG: [], optimizerD: [], fixedNoise: { name: 'fixedNoise', shape: [1, 1], offset: 0 },
    ...entries,
  };
  fs.writeFileSync(path.join(ckpt, 'manifest.json'), JSON.stringify(manifest));
  fs.writeFileSync(path.join(ckpt, 'weights.bin'), Buffer.alloc(16));
  return ckpt;
}

function sample(ckpt: string): Promise<{ code: number | null; signal: string | null; stderr: string; rssMb: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', REPORTER, CLI, 'sample', '--checkpoint', ckpt, '--backend', 'wasm', '--out', path.join(dir, 'out.png')], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stdout.on('data', () => {});
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`sample ${ckpt} hung\n${stderr}`)); }, 90_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const rss = /MAX_RSS_KB=(\d+)/.exec(stderr);
      resolve({ code, signal, stderr, rssMb: rss ? Number(rss[1]) / 1024 : Infinity });
    });
  });
}

const base = { imageSize: 128, channels: 3, latentDim: 4096, generatorFilters: 1024, discriminatorFilters: 1024, leakyReluAlpha: 0.2, discriminatorDropout: 0, outputActivation: 'tanh' };

test('a spec within the schema that weights.bin cannot back (about 3 billion parameters) is refused before building', async () => {
  const ckpt = checkpoint('huge', base);
  const r = await sample(ckpt);
  assert.ok(r.rssMb < 200, `peak RSS ${r.rssMb.toFixed(0)} MB`);
  assert.equal(r.signal, null, r.stderr);
  assert.notEqual(r.code, 0, r.stderr);
  assert.ok(r.stderr.includes(path.join(ckpt, 'manifest.json')), r.stderr);
  assert.match(r.stderr, /parameters|weights\.bin/);
});

test('a spec outside the schema (generatorFilters 100000) is refused, naming the key', async () => {
  const ckpt = checkpoint('invalid', { ...base, imageSize: 64, latentDim: 100, generatorFilters: 100_000 });
  const r = await sample(ckpt);
  assert.ok(r.rssMb < 200, `peak RSS ${r.rssMb.toFixed(0)} MB`);
  assert.equal(r.signal, null, r.stderr);
  assert.notEqual(r.code, 0, r.stderr);
  assert.ok(r.stderr.includes(path.join(ckpt, 'manifest.json')), r.stderr);
  assert.match(r.stderr, /generatorFilters/);
});

test('tensor entries that point past the end of weights.bin are refused', async () => {
  const small = { ...base, imageSize: 16, channels: 1, latentDim: 2, generatorFilters: 1, discriminatorFilters: 1 };
  const ckpt = checkpoint('past-end', small, { generator: [{ name: 'g', shape: [100_000, 100_000], offset: 0 }] });
  const r = await sample(ckpt);
  assert.ok(r.rssMb < 200, `peak RSS ${r.rssMb.toFixed(0)} MB`);
  assert.equal(r.signal, null, r.stderr);
  assert.notEqual(r.code, 0, r.stderr);
  assert.ok(r.stderr.includes(path.join(ckpt, 'manifest.json')) || r.stderr.includes(path.join(ckpt, 'weights.bin')), r.stderr);
});

test('the shapes a spec is checked against are the ones the builders allocate, at every size', async () => {
  const { selectBackend } = await import('../../src/runtime/backend/select');
  const { parameterShapes } = await import('../../src/runtime/train/checkpointCheck');
  const { buildGenerator } = await import('../../src/runtime/model/generator');
  const { buildDiscriminator } = await import('../../src/runtime/model/discriminator');
  const { SUPPORTED_IMAGE_SIZES } = await import('../../src/runtime/model/spec');
  const { Rng } = await import('../../src/runtime/train/rng');
  const { tf } = await selectBackend('wasm', { threads: 1 });
  for (const imageSize of SUPPORTED_IMAGE_SIZES) {
    const spec = { ...base, imageSize, channels: 3, latentDim: 8, generatorFilters: 2, discriminatorFilters: 2 } as Parameters<typeof parameterShapes>[0];
    const G = buildGenerator(tf, spec, new Rng(1));
    const D = buildDiscriminator(tf, spec, new Rng(2));
    assert.deepEqual(parameterShapes(spec), { generator: G.variables.map((v) => v.shape), discriminator: D.variables.map((v) => v.shape) }, `${imageSize}×${imageSize}`);
    tf.dispose([...G.variables, ...D.variables]);
  }
});
