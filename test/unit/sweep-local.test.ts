/**
 * `dcgan-studio sweep` with the local runner, end to end as a user runs it: the seed's failure ranked (data.scale
 * "auto" first, clearly), a failing cell that does not stop the others, and Ctrl-C then `sweep resume` continuing
 * the runs from their checkpoints. Tiny models and few steps: seconds per run on 2 cores.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listCheckpoints } from '../../src/runtime/runs';
import { CLI, ensureBuilt, parseJsonLines, runCli, tempDir } from './cli-helpers';
import { seedFailureData, startSteps, waitUntil, writeTinyConfig } from './sweep-fixtures';

let dir: string;

before(() => {
  ensureBuilt();
  dir = tempDir('sweep-local');
});

describe('local sweep', () => {
  test(`the seed's failure: [0,255] into tanh; "data.scale auto" ranks first by a clear margin (${seedFailureData().name})`, { timeout: 300_000 }, async () => {
    const config = writeTinyConfig(dir, 'failure.dcgan.json');
    const out = path.join(dir, 'failure-sweep');
    const r = await runCli(['sweep', config, '--vary', 'data.scale=none,auto', '--seeds', '2', '--force', '--out', out, '--json'], { timeoutMs: 280_000 });
    assert.equal(r.code, 0, r.stderr);
    const lines = parseJsonLines(r.stdout);
    const ranking = lines.find((l) => l.event === 'ranking') as unknown as { verdict: string; cells: { label: string; mean: number; scores: number[] }[]; measure: string; gap: number; spread: number };
    assert.ok(ranking, r.stdout);
    console.log(`# ${ranking.cells.map((c) => `${c.label}: ${c.mean.toFixed(1)} (${c.scores.map((s) => s.toFixed(1)).join(', ')})`).join(' · ')}; gap ${ranking.gap.toFixed(1)}, spread ${ranking.spread.toFixed(1)}`);
    assert.equal(ranking.measure, 'classifier-frechet');
    assert.equal(ranking.cells[0].label, 'data.scale=auto');
    assert.equal(ranking.verdict, 'clear', JSON.stringify(ranking));
    assert.equal(lines.filter((l) => l.event === 'run-ended' && l.exitCode === 0).length, 4);
    // The runs are ordinary run folders, and the scores name how they were measured.
    for (const name of fs.readdirSync(path.join(out, 'runs'))) assert.ok(fs.existsSync(path.join(out, 'runs', name, 'metrics.jsonl')));
    const score = JSON.parse(fs.readFileSync(path.join(out, 'scores', 'cell-02-seed-7.json'), 'utf8'));
    assert.equal(score.referenceImages, 512, 'scored against its own 512 training images');
    assert.match(score.reference, /uint8 data mapped from \[0, 255\] onto \[0, 1\]/);
  });

  test('a run that fails does not stop the others; the sweep exits 1 and says which and why', { timeout: 180_000 }, async () => {
    const config = writeTinyConfig(dir, 'sizes.dcgan.json', { scale: 'auto', steps: 5 });
    const out = path.join(dir, 'sizes-sweep');
    // 64×64 passes the schema, but the data is 28×28 array data (never resized): that run fails when it starts.
    const r = await runCli(['sweep', config, '--vary', 'model.imageSize=64,28', '--out', out], { timeoutMs: 170_000 });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /cell-01-seed-7 +model\.imageSize=64 +7 +failed .*holds 28×28 images and arrays are not resized/);
    assert.match(r.stdout, /cell-02-seed-7 +model\.imageSize=28 +7 +scored/);
    assert.match(r.stdout, /1 run not scored \(1 failed\)/);
  });

  test('Ctrl-C stops the runs with a checkpoint; sweep resume continues them from it', { timeout: 300_000 }, async () => {
    const config = writeTinyConfig(dir, 'resume.dcgan.json', { scale: 'auto', steps: 600, checkpointEvery: 25 });
    const out = path.join(dir, 'resume-sweep');
    const child = spawn(process.execPath, [CLI, 'sweep', config, '--vary', 'training.labelSmoothing=0,0.1', '--out', out], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const runs = ['cell-01-seed-7', 'cell-02-seed-7'].map((n) => path.join(out, 'runs', n));
    await waitUntil('both runs have a checkpoint', () => runs.every((r) => listCheckpoints(r).length > 0), 180_000);
    child.kill('SIGINT');
    assert.equal(await exited, 0, stdout);
    assert.match(stdout, /Stopping the sweep's runs after their current step/);
    const stopped = await runCli(['sweep', 'status', out, '--json']);
    const before = JSON.parse(stopped.stdout) as { runs: { state: string; step: number }[] };
    assert.deepEqual(before.runs.map((r) => r.state), ['stopped', 'stopped'], stopped.stdout);
    const stoppedAt = before.runs.map((r) => r.step);
    assert.ok(stoppedAt.every((s) => s > 0 && s < 600), `stopped between the first checkpoint and the end: ${stoppedAt}`);

    const resumed = await runCli(['sweep', 'resume', out], { timeoutMs: 280_000 });
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.match(resumed.stdout, /Resuming 2 of 2 runs \(2 stopped\)/);
    for (const [i, run] of runs.entries()) {
      const starts = startSteps(run);
      assert.equal(starts.length, 2, `${run}: one start, one resume`);
      assert.equal(starts[0], 0);
      assert.ok(starts[1] > 0 && starts[1] <= stoppedAt[i], `${run} resumed from its checkpoint at ${starts[1]} (stopped at ${stoppedAt[i]})`);
      assert.equal(JSON.parse(fs.readFileSync(path.join(out, 'tasks', `${path.basename(run)}.json`), 'utf8')).resumed, true);
    }
    assert.match(resumed.stdout, /cell-01-seed-7 .* scored +600\/600/);
  });
});
