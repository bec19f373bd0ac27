/**
 * Issue 15, findings 1 and 6: what a cloned repository can make DCGAN Studio overwrite. Each case runs the built
 * CLI (or the job worker the extension uses) on a real run folder spoiled with links, and checks the file or folder
 * the links aim at byte for byte afterwards.
 *   1. Writers that named their temp file `<file>.tmp-<pid>` wrote through a symlink planted at every pid.
 *   6. A link on the way to the output (a `runs` folder, `<run>/generated`, an export folder) and an output.dir
 *      that leaves the config's folder.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkerClient } from '../../src/extension/jobWorkerClient';
import { gifFileName } from '../../src/runtime/runs';
import { ensureBuilt, ROOT, runCli, tempDir } from './cli-helpers';
import { plantPidTempLinks, snapshot, tinyRun } from './hostile-fixtures';

let dir: string;
let good: { run: string; config: string; checkpoint: string };

before(async () => {
  ensureBuilt();
  dir = tempDir('hostile-writes');
  good = await tinyRun(dir);
});

function copyRun(name: string): string {
  const run = path.join(dir, name);
  fs.cpSync(good.run, run, { recursive: true });
  return run;
}

function victim(name: string, text: string): { file: string; before: string } {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return { file, before: snapshot(file) };
}

test('finding 1: animate, export and eval never write through a planted <file>.tmp-<pid> link', { timeout: 240_000 }, async () => {
  const run = copyRun('pid-links');
  const ckpt = path.join(run, 'checkpoints', 'step-000002');
  const targets = {
    gif: path.join(run, 'timeline.gif'),
    model: path.join(run, 'model.json'),
    shard: path.join(run, 'group1-shard1of1.bin'),
    eval: path.join(ckpt, 'eval.json'),
  };
  const victims = Object.fromEntries(Object.keys(targets).map((k) => [k, victim(`victim-${k}.txt`, `precious ${k}\n`)])) as Record<keyof typeof targets, { file: string; before: string }>;
  for (const k of Object.keys(targets) as (keyof typeof targets)[]) plantPidTempLinks(targets[k], victims[k].file);

  const anim = await runCli(['animate', run, '--out', targets.gif], { cwd: dir });
  assert.equal(anim.code, 0, anim.stderr);
  const exp = await runCli(['export', '--checkpoint', ckpt, '--out', run], { cwd: dir });
  assert.equal(exp.code, 0, exp.stderr);
  const ev = await runCli(['eval', '--checkpoint', ckpt, '--count', '64', '--backend', 'wasm'], { cwd: dir, timeoutMs: 120_000 });
  assert.equal(ev.code, 0, ev.stderr);

  for (const k of Object.keys(victims) as (keyof typeof victims)[]) assert.equal(snapshot(victims[k].file), victims[k].before, `${victims[k].file} (aimed at by ${targets[k]}.tmp-<pid>) changed`);
  // The writes happened, at the names asked for, as regular files.
  assert.equal(fs.readFileSync(targets.gif).subarray(0, 6).toString('latin1'), 'GIF89a');
  assert.ok(fs.lstatSync(targets.model).isFile() && fs.lstatSync(targets.shard).isFile());
  assert.equal(JSON.parse(fs.readFileSync(targets.eval, 'utf8')).step, 2);
});

test('finding 6: train refuses a runs folder that is a symlink, naming it, and writes nothing through it', { timeout: 120_000 }, async () => {
  const work = path.join(dir, 'linked-runs');
  fs.mkdirSync(work);
  fs.copyFileSync(path.join(dir, 'data.npy'), path.join(work, 'data.npy'));
  fs.copyFileSync(good.config, path.join(work, 'dcgan.json'));
  const outside = path.join(dir, 'outside-runs');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'keep.txt'), 'mine');
  fs.symlinkSync(outside, path.join(work, 'runs'));
  const before = snapshot(outside);
  const r = await runCli(['train', path.join(work, 'dcgan.json')], { cwd: work, timeoutMs: 120_000 });
  assert.notEqual(r.code, 0, `training through a symlinked runs folder must refuse\n${r.stdout}\n${r.stderr}`);
  assert.ok((r.stdout + r.stderr).includes(path.join(work, 'runs')), `the message names the link:\n${r.stdout}\n${r.stderr}`);
  assert.equal(snapshot(outside), before);
});

test('finding 6: output.dir that climbs out of the config\'s folder is refused; --out typed by the user is not', { timeout: 180_000 }, async () => {
  const work = path.join(dir, 'climbing', 'repo');
  fs.mkdirSync(work, { recursive: true });
  fs.copyFileSync(path.join(dir, 'data.npy'), path.join(work, 'data.npy'));
  const cfg = JSON.parse(fs.readFileSync(good.config, 'utf8'));
  for (const [name, outDir] of [['dotdot', '../escaped'], ['absolute', path.join(dir, 'climbing', 'absolute')]] as const) {
    const file = path.join(work, `${name}.dcgan.json`);
    fs.writeFileSync(file, JSON.stringify({ ...cfg, output: { ...cfg.output, dir: outDir } }));
    const r = await runCli(['train', file], { cwd: work, timeoutMs: 120_000 });
    assert.equal(r.code, 2, `output.dir ${outDir}\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout + r.stderr, /output\.dir/);
    assert.ok((r.stdout + r.stderr).includes(file), 'the message names the config');
  }
  assert.deepEqual(fs.readdirSync(path.join(dir, 'climbing')).sort(), ['repo'], 'nothing was written outside the config\'s folder');
  // The same place, named by the user on the command line, is theirs to choose.
  const chosen = path.join(dir, 'climbing', 'chosen');
  const ok = await runCli(['train', path.join(work, 'dotdot.dcgan.json'), '--out', chosen], { cwd: work, timeoutMs: 120_000 });
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.equal(fs.readdirSync(chosen).length, 1);
  // So is a run folder named with --run, under folders that do not exist yet.
  const named = path.join(dir, 'climbing', 'new', 'runs', 'r1');
  const run = await runCli(['train', path.join(work, 'dotdot.dcgan.json'), '--run', named], { cwd: work, timeoutMs: 120_000 });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.ok(fs.existsSync(path.join(named, 'metrics.jsonl')));
});

test('finding 6: export refuses an output folder that is a symlink and deletes nothing behind it', { timeout: 120_000 }, async () => {
  const outside = path.join(dir, 'someone-elses-model');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'group1-shard1of3.bin'), 'weights I trained for a week');
  fs.writeFileSync(path.join(outside, 'model.json'), '{"mine": true}');
  const before = snapshot(outside);
  const cwd = path.join(dir, 'export-cwd');
  fs.mkdirSync(cwd);
  fs.symlinkSync(outside, path.join(cwd, 'export'));
  const r = await runCli(['export', '--checkpoint', good.checkpoint, '--out', 'export'], { cwd });
  assert.notEqual(r.code, 0, r.stdout + r.stderr);
  assert.ok(r.stderr.includes(path.join(cwd, 'export')), `the message names the link:\n${r.stderr}`);
  assert.equal(snapshot(outside), before);
});

test('finding 6: Generate Samples (the job worker) refuses <run>/generated when it is a symlink', { timeout: 120_000 }, async () => {
  const run = copyRun('generated-link');
  const outside = path.join(dir, 'outside-generated');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'keep.txt'), 'mine');
  fs.symlinkSync(outside, path.join(run, 'generated'));
  const before = snapshot(outside);
  const log = { info() {}, warn() {}, error() {}, debug() {}, trace() {} } as unknown as import('vscode').LogOutputChannel;
  const client = new WorkerClient(path.join(ROOT, 'dist', 'worker.js'), log);
  try {
    const ckpt = path.join(run, 'checkpoints', 'step-000002');
    const job = { checkpoint: ckpt, count: 4, seed: 1, out: path.join(run, 'generated', 'step-000002-x.png'), outRoot: run, searchPaths: [], wasmDir: path.join(ROOT, 'dist') };
    await assert.rejects(client.sample(job), (err: Error) => err.message.includes(path.join(run, 'generated')));
    assert.equal(snapshot(outside), before);
    // Without the link the same job writes its grid.
    fs.unlinkSync(path.join(run, 'generated'));
    assert.equal(await client.sample(job), job.out);
    assert.ok(fs.lstatSync(job.out).isFile());
  } finally {
    client.dispose();
  }
});

test('also: a run id from run.json becomes a safe base name before it names a file (Save as GIF\'s default)', () => {
  const runDir = path.join(dir, 'runs', 'r1');
  for (const runId of ['../../../../home/u/.config/autostart/evil', '..', '/', '', '.bashrc', 'a\x1b]0;x\x07b', 'C:\\Users\\u\\evil', 'x/..']) {
    const name = gifFileName(runId);
    assert.equal(path.dirname(path.join(runDir, name)), runDir, JSON.stringify(runId));
    assert.match(name, /^[\p{L}\p{N}][\p{L}\p{N}._-]*-timeline\.gif$/u, JSON.stringify(runId));
  }
  assert.equal(gifFileName('../../../../home/u/.config/autostart/evil'), 'evil-timeline.gif');
  assert.equal(gifFileName('tiny-2026-12-05-17-56-59'), 'tiny-2026-12-05-17-56-59-timeline.gif', 'a run id the trainer made is kept');
});

after(() => fs.rmSync(dir, { recursive: true, force: true }));
