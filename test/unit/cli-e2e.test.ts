/**
 * The CLI end to end, as a user runs it: `node dist/cli.js` on real files in a temp folder, checking exit
 * codes, the --json contract and the files a run leaves behind. One tiny training run (and its resume)
 * keeps the file to seconds.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureBuilt, parseJsonLines, runCli, syntheticImages, tempDir, writeNpy } from './cli-helpers';

const N = 64;
const SIZE = 28;
let dir: string;
let uint8Npy: string;
let floatNpy: string;

before(() => {
  ensureBuilt();
  dir = tempDir('e2e');
  const unit = syntheticImages(N, SIZE);
  const bytes = new Uint8Array(unit.length);
  for (let i = 0; i < unit.length; i++) bytes[i] = Math.round(unit[i] * 255);
  uint8Npy = path.join(dir, 'uint8-0-255.npy');
  writeNpy(uint8Npy, bytes, [N, SIZE, SIZE]);
  const tanh = new Float32Array(unit.length);
  for (let i = 0; i < unit.length; i++) tanh[i] = unit[i] * 2 - 1;
  floatNpy = path.join(dir, 'float32-tanh.npy');
  writeNpy(floatNpy, tanh, [N, SIZE, SIZE]);
});

function writeConfig(name: string, config: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return file;
}

describe('lint', () => {
  test('[0,255] uint8 fed as-is to tanh: error data/out-of-range, exit 1, JSON shape', async () => {
    const r = await runCli(['lint', uint8Npy, '--json']);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1, 'exactly one JSON object');
    const report = JSON.parse(lines[0]);
    assert.equal(report.dataset.min, 0);
    assert.equal(report.dataset.max, 255);
    assert.equal(report.dataset.count, N);
    assert.equal(report.dataset.dtype, 'uint8');
    assert.deepEqual(report.dataset.shape, [N, SIZE, SIZE, 1]);
    for (const k of ['mean', 'std']) assert.equal(typeof report.dataset[k], 'number', k);
    const outOfRange = report.problems.find((p: { code: string }) => p.code === 'data/out-of-range');
    assert.ok(outOfRange, JSON.stringify(report.problems));
    assert.equal(outOfRange.severity, 'error');
    assert.match(outOfRange.message, /255/);
  });

  test('float32 in [-1,1]: no errors, exit 0', async () => {
    const r = await runCli(['lint', floatNpy, '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.dataset.dtype, 'float32');
    assert.ok(report.dataset.min >= -1 && report.dataset.max <= 1);
    assert.deepEqual(report.problems.filter((p: { severity: string }) => p.severity === 'error'), []);
  });

  test('a config is checked as configured: scale "auto" fixes the uint8 data', async () => {
    const cfg = writeConfig('lint-auto.dcgan.json', { data: { path: path.basename(uint8Npy), scale: 'auto' } });
    const r = await runCli(['lint', cfg]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /min 0 {2}max 255/);
    const none = writeConfig('lint-none.dcgan.json', { data: { path: path.basename(uint8Npy), scale: 'none' } });
    const bad = await runCli(['lint', none]);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /error data\/out-of-range/);
  });

  test('a config it cannot use: exit 2, naming the file, the key and the line', async () => {
    const cfg = writeConfig('bad.dcgan.json', '{\n  "data": { "path": "x.npy" },\n  "training": { "batchSize": "big" }\n}\n');
    const r = await runCli(['lint', cfg]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.dcgan\.json:3/);
    assert.match(r.stderr, /training\.batchSize/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace without --debug');
  });

  test('a missing path and unknown flags: exit 2 with a hint', async () => {
    const missing = await runCli(['lint', path.join(dir, 'nope.npy')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.npy: no such file/);
    const flag = await runCli(['lint', floatNpy, '--jsn']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /unknown option --jsn.*Did you mean --json\?/);
  });
});

describe('train, resume, sample', () => {
  const tiny = () => ({
    data: { path: path.basename(floatNpy), scale: 'none', limit: N },
    // 4×4 generator kernels: no model/checkerboard warning before the start event these tests expect first.
    model: { generatorFilters: 4, discriminatorFilters: 4, latentDim: 8, generatorKernelSize: 4 },
    training: { batchSize: 8, steps: 3, seed: 7 },
    output: { dir: 'runs', sampleEvery: 2, checkpointEvery: 100, sampleCount: 4 },
    runtime: { backend: 'wasm' },
  });

  test('refuses data errors unless --force, with an end event in --json', async () => {
    const cfg = writeConfig('refuse.dcgan.json', { ...tiny(), data: { path: path.basename(uint8Npy), scale: 'none' } });
    const r = await runCli(['train', cfg, '--json']);
    assert.equal(r.code, 2, r.stderr);
    const events = parseJsonLines(r.stdout);
    assert.ok(events.some((e) => e.event === 'problem' && e.code === 'data/out-of-range' && e.severity === 'error'));
    assert.deepEqual(events.at(-1)?.event, 'end');
    assert.match(String(events.at(-1)?.message), /--force/);
    assert.ok(!fs.existsSync(path.join(dir, 'runs')) || fs.readdirSync(path.join(dir, 'runs')).length === 0, 'no run folder written');
  });

  let runDir: string;
  test('--json: one event per line, start with backend, finite steps, samples on disk, end', async () => {
    const cfg = writeConfig('tiny.dcgan.json', tiny());
    const r = await runCli(['train', cfg, '--json'], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    const events = parseJsonLines(r.stdout);
    const start = events[0];
    assert.equal(start.event, 'start', JSON.stringify(events[0]));
    assert.equal((start.backend as { name: string }).name, 'wasm');
    assert.equal(typeof (start.backend as { reason: string }).reason, 'string');
    const steps = events.filter((e) => e.event === 'step');
    assert.deepEqual(steps.map((e) => e.step), [1, 2, 3]);
    for (const s of steps) for (const k of ['lossD', 'lossG', 'dReal', 'dFake', 'ms']) assert.ok(Number.isFinite(s[k]), `${k} at step ${s.step} is ${s[k]}`);
    const samples = events.filter((e) => e.event === 'samples');
    assert.ok(samples.length >= 1);
    for (const s of samples) {
      assert.equal(s.grid, undefined, 'no pixel data in --json');
      assert.ok(fs.existsSync(String(s.file)), `${s.file} exists`);
    }
    const end = events.at(-1)!;
    assert.equal(end.event, 'end');
    assert.equal(end.reason, 'completed');
    assert.equal(end.step, 3);
    assert.ok(end.checkpoint && fs.existsSync(path.join(String(end.checkpoint), 'manifest.json')));
    runDir = path.dirname(path.dirname(String(end.checkpoint)));
    assert.ok(fs.existsSync(path.join(runDir, 'metrics.jsonl')));
  });

  test('--resume continues from the checkpoint step', async () => {
    assert.ok(runDir, 'the training test ran');
    const r = await runCli(['train', path.join(dir, 'tiny.dcgan.json'), '--resume', '--steps', '5', '--json'], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    const events = parseJsonLines(r.stdout);
    assert.equal(events[0].event, 'start');
    assert.equal(events[0].step, 3);
    assert.deepEqual(events.filter((e) => e.event === 'step').map((e) => e.step), [4, 5]);
    assert.equal(events.at(-1)?.step, 5);
  });

  test('human output: backend and why, dataset, step lines, where the samples are, the last checkpoint', async () => {
    const out = path.join(dir, 'human-runs');
    const r = await runCli(['train', path.join(dir, 'tiny.dcgan.json'), '--out', out, '--steps', '2'], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Backend: wasm.*: runtime\.backend is "wasm"/);
    assert.match(r.stdout, /\[2\/2\] Loss_D: [\d.]+ Loss_G: [\d.]+ D\(x\): [\d.]+ D\(G\(z\)\): [\d.]+ ms: \d+/);
    assert.match(r.stdout, new RegExp(`Samples: ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*step-000002\\.png`));
    assert.match(r.stdout, /Completed at step 2/);
    assert.match(r.stdout, /Last checkpoint: .*step-000002/);
  });

  test('sample writes a PNG of the requested size from a run folder', async () => {
    assert.ok(runDir, 'the training test ran');
    const png = path.join(dir, 'grid.png');
    const r = await runCli(['sample', '--checkpoint', runDir, '--count', '4', '--out', png, '--seed', '3', '--backend', 'wasm']);
    assert.equal(r.code, 0, r.stderr);
    const bytes = fs.readFileSync(png);
    assert.deepEqual([...bytes.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
    const width = bytes.readUInt32BE(16);
    const height = bytes.readUInt32BE(20);
    assert.ok(width >= 2 * SIZE && height >= 2 * SIZE, `${width}×${height} holds a 2×2 grid of 28×28`);
    assert.match(r.stdout, /Wrote 4 samples .* from step 5/);
  });

  test('eval prints one JSON object with the quality figures', async () => {
    assert.ok(runDir, 'the training test ran');
    const r = await runCli(['eval', '--checkpoint', runDir, '--count', '64', '--json', '--backend', 'wasm']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    const e = JSON.parse(lines[0]);
    assert.equal(e.event, 'eval');
    assert.equal(e.step, 5);
    assert.equal(e.count, 64);
    assert.ok(Number.isFinite(e.diversity));
    // 28×28 grayscale counts as digit-like, so the MNIST judge scores it.
    assert.ok(e.classifierScore > 0 && e.classifierScore <= 1, String(e.classifierScore));
  });

  test('--force trains on data with errors, reporting them first', async () => {
    const cfg = writeConfig('forced.dcgan.json', { ...tiny(), data: { path: path.basename(uint8Npy), scale: 'none' } });
    const r = await runCli(['train', cfg, '--force', '--steps', '2', '--json', '--out', path.join(dir, 'forced-runs')], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    const events = parseJsonLines(r.stdout);
    const firstProblem = events.findIndex((e) => e.event === 'problem' && e.code === 'data/out-of-range');
    const start = events.findIndex((e) => e.event === 'start');
    assert.ok(firstProblem >= 0 && start > firstProblem, 'the data error comes before training starts');
    assert.equal(events.at(-1)?.reason, 'completed');
  });

  test('Ctrl-C stops after the current step with a checkpoint, exit 0', async () => {
    const { spawn } = await import('node:child_process');
    const { CLI } = await import('./cli-helpers');
    const child = spawn(process.execPath, [CLI, 'train', path.join(dir, 'tiny.dcgan.json'), '--steps', '100000', '--out', path.join(dir, 'sigint-runs'), '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        // Interrupt once training is under way.
        if (!child.killed && stdout.includes('"event":"step","step":2,')) child.kill('SIGINT');
      });
      child.on('close', resolve);
    });
    const events = parseJsonLines(stdout);
    const end = events.at(-1)!;
    assert.equal(code, 0);
    assert.equal(end.event, 'end');
    assert.equal(end.reason, 'stopped');
    assert.ok(Number(end.step) < 100, `stopped early, at step ${end.step}`);
    assert.ok(fs.existsSync(path.join(String(end.checkpoint), 'manifest.json')), 'checkpoint written on stop');
  });

  test('bad arguments: exit 2, no stack trace', async () => {
    const r = await runCli(['train', path.join(dir, 'tiny.dcgan.json'), '--steps', 'many']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--steps must be a whole number/);
    const nf = await runCli(['train', path.join(dir, 'missing.json')]);
    assert.equal(nf.code, 2);
    assert.match(nf.stderr, /missing\.json/);
    const noCk = await runCli(['sample', '--checkpoint', dir]);
    assert.equal(noCk.code, 2);
    assert.match(noCk.stderr, /holds no checkpoint/);
  });
});
