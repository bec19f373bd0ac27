/**
 * Issue 15, findings 2, 3, 4, 5 and 8: run folders, checkpoints and configs that make a reader allocate or compute
 * without a bound. Each case runs in a child process (the built CLI, or the runtime's run-folder reader the
 * extension uses) under a peak-RSS and a time bound, and must end cleanly, naming the file when it refuses one.
 */
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureBuilt, ROOT, runMeasured, tempDir, type MeasuredResult } from './cli-helpers';
import { blackPng, gridRun, interlacedBomb, tinyRun } from './hostile-fixtures';

let dir: string;
let good: { run: string; config: string; checkpoint: string };

before(async () => {
  ensureBuilt();
  dir = tempDir('hostile-reads');
  good = await tinyRun(dir);
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function bounded(r: MeasuredResult, maxMb: number, maxSeconds: number, what: string): void {
  const figures = `${what}: peak RSS ${r.rssMb.toFixed(0)} MB, ${r.seconds.toFixed(1)} s, exit ${r.code ?? r.signal}`;
  console.log(`  ${figures}`);
  assert.ok(r.rssMb < maxMb, `${figures} (bound ${maxMb} MB)\n${r.stderr.slice(-2000)}`);
  assert.ok(r.seconds < maxSeconds, `${figures} (bound ${maxSeconds} s)`);
  assert.equal(r.signal, null, figures);
}

test('finding 2: animate decodes one frame at a time, refuses frames past the largest grid, and keeps to a pixel budget', { timeout: 240_000 }, async () => {
  // 12 black 4096×4096 frames of 16 KB each: 16.8 Mpx a frame, far above any grid the trainer writes.
  const huge = gridRun(path.join(dir, 'gif-huge'), Array(12).fill(blackPng(4096, 4096)));
  const r = await runMeasured(['animate', huge, '--out', path.join(dir, 'huge.gif')]);
  bounded(r, 200, 60, 'animate 12 frames of 4096×4096');
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /4096×4096/);
  // 30 frames of the largest grid the trainer writes (256 samples of 128×128: 2082×2082): animated, within a
  // bounded memory, thinned to the total pixel budget.
  const largest = gridRun(path.join(dir, 'gif-largest'), Array(30).fill(blackPng(2082, 2082)));
  const ok = await runMeasured(['animate', largest, '--out', path.join(dir, 'largest.gif'), '--json']);
  bounded(ok, 300, 120, 'animate 30 frames of 2082×2082');
  assert.equal(ok.code, 0, ok.stderr);
  const out = JSON.parse(ok.stdout);
  assert.ok(out.frames >= 10 && out.frames < 30, `${out.frames} frames: thinned to the pixel budget`);
  assert.equal(out.steps.at(-1), 30, 'the last grid is always a frame');
});

test('finding 3: an interlaced 1×1 grid PNG that inflates to 1 GiB is refused without inflating it', { timeout: 120_000 }, async () => {
  const run = gridRun(path.join(dir, 'zlib-bomb'), [await interlacedBomb(1024)]);
  const r = await runMeasured(['animate', run, '--out', path.join(dir, 'bomb.gif')]);
  bounded(r, 200, 30, 'animate a 1 MB interlaced zlib bomb');
  assert.equal(r.code, 2, r.stderr);
  assert.ok(r.stderr.includes(path.join(run, 'samples', 'step-000001.png')), r.stderr);
});

test('finding 4: compare diffs two configs of 200-deep, 2,000-character keys and 1,000 leaves in bounded time and memory', { timeout: 120_000 }, async () => {
  const runs = ['a', 'b'].map((name, r) => {
    const leaves: Record<string, number> = {};
    for (let i = 0; i < 1000; i++) leaves[`l${i}`] = r === 0 ? i : -i;
    let config: Record<string, unknown> = { ...leaves, training: { steps: 4, labelSmoothing: r / 10 } };
    for (let d = 0; d < 200; d++) config = { [String(d).padStart(4, '0') + 'k'.repeat(1996)]: config, training: { steps: 4, labelSmoothing: r / 10 } };
    const run = gridRun(path.join(dir, 'deep-config', name), []);
    fs.writeFileSync(path.join(run, 'config.json'), JSON.stringify(config));
    return run;
  });
  const r = await runMeasured(['compare', ...runs, '--json']);
  bounded(r, 250, 15, 'compare two 412 KB deep configs');
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout);
  assert.deepEqual(c.configDiff, [{ key: 'training.labelSmoothing', values: [0, 0.1] }], 'only the schema\'s keys are compared');
});

test('finding 5: export and train read manifest.json and dcgan.json with a bound (both links to /dev/zero)', { timeout: 120_000 }, async () => {
  const ckpt = path.join(dir, 'zero-manifest');
  fs.mkdirSync(ckpt);
  fs.symlinkSync('/dev/zero', path.join(ckpt, 'manifest.json'));
  fs.copyFileSync(path.join(good.checkpoint, 'weights.bin'), path.join(ckpt, 'weights.bin'));
  const exp = await runMeasured(['export', '--checkpoint', ckpt, '--out', path.join(dir, 'zero-out')], { timeoutMs: 30_000 });
  bounded(exp, 200, 20, 'export with manifest.json → /dev/zero');
  assert.equal(exp.code, 2, exp.stderr);
  assert.ok(exp.stderr.includes(path.join(ckpt, 'manifest.json')), exp.stderr);

  const cwd = path.join(dir, 'zero-config');
  fs.mkdirSync(cwd);
  fs.symlinkSync('/dev/zero', path.join(cwd, 'dcgan.json'));
  const train = await runMeasured(['train'], { cwd, timeoutMs: 30_000 });
  bounded(train, 200, 20, 'train with ./dcgan.json → /dev/zero');
  assert.equal(train.code, 2, train.stderr);
  assert.ok(train.stderr.includes(path.join(cwd, 'dcgan.json')), train.stderr);
});

/** The extension's reads of a run folder (the side view's summary, the dashboard's history), in a child. */
const VIEW_READER = `
const { summarizeRun, readRunHistory } = require(${JSON.stringify(path.join(ROOT, 'src/runtime/runs/index.ts'))});
const [what, dir] = process.argv.slice(-2);
(async () => {
  if (what === 'summary') { const s = summarizeRun(dir); console.log(JSON.stringify({ status: s.status, runId: s.runId })); }
  else { const h = await readRunHistory(dir); console.log(JSON.stringify({ events: h.history.length, step: h.summary.step, skipped: h.skippedLines })); }
})().catch((err) => { console.log(JSON.stringify({ error: err.message })); });
`;

test('finding 5: the side view and the dashboard read run.json and metrics.jsonl with a bound', { timeout: 240_000 }, async () => {
  const script = path.join(dir, 'view-reader.cjs');
  fs.writeFileSync(script, VIEW_READER);
  const read = (what: string, run: string) => runMeasured([what, run], { script, nodeArgs: ['--import', 'tsx'], timeoutMs: 60_000, cwd: ROOT });

  const zeroRunJson = gridRun(path.join(dir, 'zero-run-json'), []);
  fs.symlinkSync('/dev/zero', path.join(zeroRunJson, 'run.json'));
  const a = await read('summary', zeroRunJson);
  bounded(a, 200, 20, 'side view summary, run.json → /dev/zero');
  assert.equal(JSON.parse(a.stdout).status, 'unknown', a.stdout + a.stderr);

  const zeroMetrics = path.join(dir, 'zero-metrics');
  fs.mkdirSync(zeroMetrics);
  fs.symlinkSync('/dev/zero', path.join(zeroMetrics, 'metrics.jsonl'));
  const b = await read('history', zeroMetrics);
  bounded(b, 200, 20, 'dashboard history, metrics.jsonl → /dev/zero');
  assert.equal(b.code, 0, b.stderr);
  assert.match(JSON.parse(b.stdout).error ?? '', /metrics\.jsonl/);

  // A regular 160 MB metrics.jsonl (1.4 million steps): read to the end, at a bounded memory.
  const big = gridRun(path.join(dir, 'big-metrics'), []);
  const fd = fs.openSync(path.join(big, 'metrics.jsonl'), 'w');
  let chunk = '';
  const steps = 1_400_000;
  for (let i = 1; i <= steps; i++) {
    chunk += JSON.stringify({ event: 'step', step: i, lossD: 1.2345678, lossG: 0.87654321, dReal: 0.5123, dFake: 0.4987, ms: 812.123 }) + '\n';
    if (chunk.length > 1 << 20) { fs.writeSync(fd, chunk); chunk = ''; }
  }
  fs.writeSync(fd, chunk);
  fs.closeSync(fd);
  const c = await read('history', big);
  bounded(c, 200, 60, `dashboard history of a ${(fs.statSync(path.join(big, 'metrics.jsonl')).size / 1e6).toFixed(0)} MB metrics.jsonl`);
  const h = JSON.parse(c.stdout);
  assert.equal(h.step, steps, c.stdout);
  assert.ok(h.events > 100 && h.events <= 4000, `${h.events} step events kept for the chart`);
});

test('finding 8: a checkpoint whose weights.bin is padded past its declared tensors is refused before it is read', { timeout: 120_000 }, async () => {
  const ckpt = path.join(dir, 'padded', 'checkpoints', 'step-000002');
  fs.mkdirSync(ckpt, { recursive: true });
  fs.copyFileSync(path.join(good.checkpoint, 'manifest.json'), path.join(ckpt, 'manifest.json'));
  fs.copyFileSync(path.join(good.checkpoint, 'weights.bin'), path.join(ckpt, 'weights.bin'));
  fs.truncateSync(path.join(ckpt, 'weights.bin'), 512 * 2 ** 20); // sparse: 512 MiB on paper, a few KB on disk
  const r = await runMeasured(['sample', '--checkpoint', ckpt, '--backend', 'wasm', '--out', path.join(dir, 'padded.png')], { timeoutMs: 60_000 });
  bounded(r, 200, 30, 'sample from a weights.bin padded to 512 MiB');
  assert.notEqual(r.code, 0, r.stderr);
  assert.ok(r.stderr.includes(path.join(ckpt, 'weights.bin')), r.stderr);
  // The real checkpoint still samples.
  const ok = await runMeasured(['sample', '--checkpoint', good.checkpoint, '--backend', 'wasm', '--out', path.join(dir, 'ok.png')], { timeoutMs: 60_000 });
  assert.equal(ok.code, 0, ok.stderr);
});
