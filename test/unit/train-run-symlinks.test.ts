/**
 * Hostile run folders: a run folder that came with a cloned repository may hold
 * symlinks where DCGAN Studio writes (metrics.jsonl, samples/, checkpoints/, run.json). `train --resume` into
 * it must refuse with a message naming the link, and the files the links point at must stay as they were.
 * One tiny real run makes the checkpoint each hostile copy resumes from.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureBuilt, runCli, tempDir } from './cli-helpers';
import { tinyRun } from './hostile-fixtures';

let dir: string;
let config: string;
let goodRun: string;

before(async () => {
  ensureBuilt();
  dir = tempDir('run-links');
  ({ run: goodRun, config } = await tinyRun(dir));
});

/** A copy of the good run with `name` replaced by a symlink to `target`; returns the copy. */
function hostileCopy(label: string, name: string, target: string): string {
  const run = path.join(dir, `hostile-${label}`);
  fs.cpSync(goodRun, run, { recursive: true });
  fs.rmSync(path.join(run, name), { recursive: true, force: true });
  fs.symlinkSync(target, path.join(run, name));
  return run;
}

function snapshot(p: string): string {
  if (!fs.existsSync(p)) return '(missing)';
  if (fs.statSync(p).isDirectory()) return fs.readdirSync(p).sort().map((n) => `${n}:${snapshot(path.join(p, n))}`).join('|');
  return fs.readFileSync(p).toString('base64');
}

async function assertRefused(run: string, link: string, outside: string): Promise<void> {
  const before = snapshot(outside);
  const r = await runCli(['train', config, '--resume', '--run', run, '--steps', '4'], { timeoutMs: 120_000 });
  assert.notEqual(r.code, 0, `resume into a run folder with a symlinked ${link} must refuse\n${r.stdout}\n${r.stderr}`);
  assert.ok((r.stdout + r.stderr).includes(path.join(run, link)), `the message names ${path.join(run, link)}:\n${r.stdout}\n${r.stderr}`);
  assert.equal(snapshot(outside), before, `${outside} changed`);
}

test('metrics.jsonl linked to a file outside the run', async () => {
  const outside = path.join(dir, 'precious.txt');
  fs.writeFileSync(outside, 'do not append to me\n');
  await assertRefused(hostileCopy('metrics', 'metrics.jsonl', outside), 'metrics.jsonl', outside);
});

test('run.json linked to a file outside the run', async () => {
  const outside = path.join(dir, 'settings.json');
  fs.writeFileSync(outside, '{"editor.fontSize": 14}\n');
  await assertRefused(hostileCopy('runjson', 'run.json', outside), 'run.json', outside);
});

test('samples/ linked to a folder outside the run', async () => {
  const outside = path.join(dir, 'outside-samples');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'keep.txt'), 'mine');
  await assertRefused(hostileCopy('samples', 'samples', outside), 'samples', outside);
});

test('checkpoints/ linked to a folder outside the run', async () => {
  const outside = path.join(dir, 'outside-checkpoints');
  fs.cpSync(path.join(goodRun, 'checkpoints'), outside, { recursive: true });
  await assertRefused(hostileCopy('checkpoints', 'checkpoints', outside), 'checkpoints', outside);
});
