/**
 * `dcgan-studio sweep --runner slurm` on a real single-node Slurm cluster (slurm-cluster.ts: Debian's slurmctld,
 * slurmd and munge, started here in a temp folder and stopped by pid at the end). The sweep is submitted as one
 * sbatch --array job, waited for and ranked; a second sweep is cancelled with scancel while its runs train and
 * resumed from their checkpoints. Needs root and the Slurm packages, as .ci/run provides; elsewhere it is skipped
 * with the reason.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listCheckpoints } from '../../src/runtime/runs';
import { readSweep } from '../../src/runtime/sweep';
import { ensureBuilt, parseJsonLines, runCli, tempDir } from './cli-helpers';
import { slurmUnavailable, startSlurm, type SlurmCluster } from './slurm-cluster';
import { seedFailureData, startSteps, waitUntil, writeTinyConfig } from './sweep-fixtures';

const skip = slurmUnavailable();

describe('sweep on a real Slurm cluster', { skip: skip ?? false }, () => {
  let cluster: SlurmCluster;
  let dir: string;

  before(async () => {
    ensureBuilt();
    dir = tempDir('sweep-slurm');
    cluster = await startSlurm();
  });

  after(async () => {
    await cluster?.stop();
  });

  test(`an sbatch --array sweep of the seed's failure, waited for and ranked: data.scale auto first (${seedFailureData().name})`, { timeout: 400_000 }, async () => {
    const config = writeTinyConfig(dir, 'failure.dcgan.json');
    const out = path.join(dir, 'failure-sweep');
    const r = await runCli(['sweep', config, '--vary', 'data.scale=none,auto', '--seeds', '2', '--force', '--runner', 'slurm', '--wait', '--out', out, '--json'], { env: cluster.env, timeoutMs: 380_000 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const lines = parseJsonLines(r.stdout);
    const submitted = lines.find((l) => l.event === 'submitted') as { jobId: string; indices: number[] } | undefined;
    assert.ok(submitted && /^\d+$/.test(submitted.jobId), r.stdout);
    assert.deepEqual(submitted.indices, [0, 1, 2, 3]);
    const { sweep } = readSweep(out);
    assert.deepEqual(sweep.slurm?.jobs.map((j) => j.jobId), [submitted.jobId], 'sweep.json records the job id');
    // One array job, one log per task: Slurm ran the four tasks.
    for (let i = 0; i < 4; i++) assert.ok(fs.existsSync(path.join(out, 'slurm', `${submitted.jobId}_${i}.out`)), `slurm/${submitted.jobId}_${i}.out`);
    assert.match(fs.readFileSync(path.join(out, 'slurm', 'sweep.sbatch'), 'utf8'), /exec "\$NODE" "\$CLI" sweep task "\$SWEEP" "\$SLURM_ARRAY_TASK_ID"/);
    const ranking = lines.find((l) => l.event === 'ranking') as unknown as { verdict: string; cells: { label: string; mean: number }[] };
    console.log(`# ${ranking.cells.map((c) => `${c.label}: ${c.mean.toFixed(1)}`).join(' · ')} (${ranking.verdict})`);
    assert.equal(ranking.cells[0].label, 'data.scale=auto');
    assert.equal(ranking.verdict, 'clear');
    const status = lines.find((l) => l.event === 'sweep-status') as { runs: { state: string }[] };
    assert.deepEqual(status.runs.map((s) => s.state), ['scored', 'scored', 'scored', 'scored']);
  });

  test('scancel stops the running tasks with a checkpoint; sweep resume resubmits them and they continue from it', { timeout: 500_000 }, async () => {
    const config = writeTinyConfig(dir, 'resume.dcgan.json', { scale: 'auto', steps: 600, checkpointEvery: 25 });
    const out = path.join(dir, 'resume-sweep');
    const submit = await runCli(['sweep', config, '--vary', 'training.labelSmoothing=0,0.1', '--runner', 'slurm', '--out', out], { env: cluster.env });
    assert.equal(submit.code, 0, submit.stdout + submit.stderr);
    const runs = ['cell-01-seed-7', 'cell-02-seed-7'].map((n) => path.join(out, 'runs', n));
    await waitUntil('both runs have a checkpoint', () => runs.every((r) => listCheckpoints(r).length > 0), 240_000);
    const cancel = await runCli(['sweep', 'cancel', out], { env: cluster.env });
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.match(cancel.stdout, /scancel \d+/);
    let states: string[] = [];
    await waitUntil('the cancelled tasks left the queue and their runs stopped', async () => {
      const s = await runCli(['sweep', 'status', out, '--json'], { env: cluster.env });
      states = (JSON.parse(s.stdout) as { runs: { state: string }[] }).runs.map((r) => r.state);
      return states.every((st) => st === 'stopped');
    }, 90_000, 1000);
    const stoppedAt = runs.map((r) => JSON.parse(fs.readFileSync(path.join(r, 'run.json'), 'utf8')).step as number);
    assert.ok(stoppedAt.every((s) => s > 0 && s < 600), `each run wrote a checkpoint when it was stopped: ${stoppedAt}`);

    const resumed = await runCli(['sweep', 'resume', out, '--wait'], { env: cluster.env, timeoutMs: 450_000 });
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.match(resumed.stdout, /Resuming 2 of 2 runs \(2 stopped\)/);
    assert.equal(readSweep(out).sweep.slurm?.jobs.length, 2, 'the resume is a second array job');
    for (const [i, run] of runs.entries()) {
      const starts = startSteps(run);
      assert.deepEqual([starts.length, starts[0]], [2, 0], `${run}: a start and a resume`);
      assert.ok(starts[1] > 0 && starts[1] <= stoppedAt[i], `${run} resumed at ${starts[1]}, from the checkpoint written when it stopped at ${stoppedAt[i]}`);
    }
    assert.match(resumed.stdout, /cell-02-seed-7 .* scored +600\/600/);
  });
});

if (skip) test(`sweep on a real Slurm cluster: skipped (${skip})`, { skip });
