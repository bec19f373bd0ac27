/**
 * The Slurm runner: one `sbatch --array` job per submission, whose task i runs `dcgan-studio sweep task DIR i`
 * (the same task the local runner starts). The script is static: the paths it needs are single-quoted, and
 * everything about a run travels through the sweep folder's files, so nothing from a config or a run folder is
 * ever interpolated into shell. sbatch options come only from an allow-list with plain values (the config's
 * "slurm" section or --sbatch), and are passed to sbatch as arguments, never written as shell.
 *
 * Slurm commands run as child processes without a shell; SLURM_CONF in the environment chooses the cluster.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import type { SlurmOptions } from '../config/types';
import type { CliCommand } from './task';
import type { QueueStates } from './status';
import { writeSweepFile, type Sweep } from './sweepFile';

export const SCRIPT = path.join('slurm', 'sweep.sbatch');

/** The allowed options, their sbatch flag and the values they accept (the schema's patterns). */
export const SBATCH_OPTIONS: Record<keyof SlurmOptions, { flag: string; pattern: RegExp; example: string }> = {
  partition: { flag: '--partition', pattern: /^[A-Za-z0-9_.,-]+$/, example: 'gpu' },
  time: { flag: '--time', pattern: /^[0-9:-]+$/, example: '01:00:00' },
  gres: { flag: '--gres', pattern: /^[A-Za-z0-9_.:,-]+$/, example: 'gpu:1' },
  cpusPerTask: { flag: '--cpus-per-task', pattern: /^[1-9][0-9]{0,3}$/, example: '4' },
  mem: { flag: '--mem', pattern: /^[0-9]+[KMGT]?$/, example: '8G' },
  account: { flag: '--account', pattern: /^[A-Za-z0-9_.-]+$/, example: 'my-lab' },
  qos: { flag: '--qos', pattern: /^[A-Za-z0-9_.-]+$/, example: 'normal' },
  constraint: { flag: '--constraint', pattern: /^[A-Za-z0-9_.&|,:-]+$/, example: 'a100' },
};

/** "--sbatch gres=gpu:1" → {gres: "gpu:1"}; also accepts the sbatch spelling (cpus-per-task=4). Throws with what is allowed. */
export function parseSbatchOption(text: string): Partial<SlurmOptions> {
  const eq = text.indexOf('=');
  const rawKey = (eq > 0 ? text.slice(0, eq) : text).replace(/^--/, '');
  const key = (Object.keys(SBATCH_OPTIONS) as (keyof SlurmOptions)[]).find((k) => k === rawKey || SBATCH_OPTIONS[k].flag === `--${rawKey}`);
  const allowed = Object.entries(SBATCH_OPTIONS).map(([k, o]) => `${k}=${o.example}`).join(', ');
  if (!key || eq <= 0) throw new Error(`--sbatch ${JSON.stringify(text)}: give one of ${allowed}. Other sbatch options are not passed, because they can name files and environment.`);
  const value = text.slice(eq + 1);
  if (!SBATCH_OPTIONS[key].pattern.test(value)) throw new Error(`--sbatch ${key}=${JSON.stringify(value)}: not a plain value for ${SBATCH_OPTIONS[key].flag} (e.g. ${key}=${SBATCH_OPTIONS[key].example}).`);
  return key === 'cpusPerTask' ? { cpusPerTask: Number(value) } : { [key]: value };
}

/** sbatch arguments for the options, each checked again (they may come from a sweep.json someone else wrote). */
export function sbatchArgs(options: SlurmOptions): string[] {
  const out: string[] = [];
  for (const [key, spec] of Object.entries(SBATCH_OPTIONS) as [keyof SlurmOptions, (typeof SBATCH_OPTIONS)[keyof SlurmOptions]][]) {
    const v = options[key];
    if (v === undefined) continue;
    if (!spec.pattern.test(String(v))) throw new Error(`sbatch option ${key}=${JSON.stringify(v)} is not a plain value; it is not passed to sbatch.`);
    out.push(`${spec.flag}=${v}`);
  }
  return out;
}

/** A single-quoted shell word: nothing inside is expanded. */
export function shellQuote(s: string): string {
  if (/[\u0000\n\r]/.test(s)) throw new Error(`${JSON.stringify(s)} holds a control character; it cannot go into the batch script.`);
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function batchScript(sweepDir: string, cli: CliCommand): string {
  return [
    '#!/bin/bash',
    '# Written by "dcgan-studio sweep --runner slurm". Array task i runs run i of sweep.json: its train, then its score.',
    '# Every run setting is in the sweep folder; nothing here depends on a config. Resubmit with "dcgan-studio sweep resume".',
    '#SBATCH --job-name=dcgan-sweep',
    '#SBATCH --output=slurm/%A_%a.out',
    'set -eu',
    '# VS Code\'s own binary runs as Node with this; harmless for node itself.',
    'export ELECTRON_RUN_AS_NODE=1',
    `NODE=${shellQuote(cli.node)}`,
    `CLI=${shellQuote(cli.script)}`,
    `SWEEP=${shellQuote(sweepDir)}`,
    'exec "$NODE" "$CLI" sweep task "$SWEEP" "$SLURM_ARRAY_TASK_ID"',
    '',
  ].join('\n');
}

export function writeBatchScript(sweepDir: string, cli: CliCommand): string {
  return writeSweepFile(sweepDir, path.dirname(SCRIPT), path.basename(SCRIPT), batchScript(sweepDir, cli));
}

/** "0-3,7" style list for --array, compressed into ranges. */
export function arraySpec(indices: readonly number[], parallel?: number): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return `${parts.join(',')}${parallel && parallel < sorted.length ? `%${parallel}` : ''}`;
}

function run(cmd: string, args: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout: 60_000, maxBuffer: 16 * 2 ** 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? ((err as unknown as { code: number }).code) : 127) : 0;
      resolve({ code, stdout: String(stdout), stderr: err && !stderr ? err.message : String(stderr) });
    });
  });
}

/** Submits the runs `indices` as one array job; returns its job id. */
export async function submit(sweepDir: string, sweep: Sweep, indices: number[], cli: CliCommand): Promise<string> {
  const script = writeBatchScript(sweepDir, cli);
  const args = ['--parsable', `--array=${arraySpec(indices, sweep.parallel)}`, ...sbatchArgs(sweep.slurm?.options ?? {}), script];
  const r = await run('sbatch', args, sweepDir);
  const jobId = /^(\d+)/.exec(r.stdout.trim())?.[1];
  if (r.code !== 0 || !jobId) {
    throw new Error(`sbatch ${args.join(' ')} failed${r.code === 127 ? ' (is Slurm installed, and sbatch on PATH?)' : ''}: ${(r.stderr || r.stdout).trim().slice(0, 2000)}`);
  }
  return jobId;
}

/**
 * What squeue (and sacct, where accounting is on) says about the sweep's tasks, by run index. Tasks that left the
 * queue are in sacct only; without accounting the run folders tell the rest.
 */
export async function queueStates(sweep: Sweep): Promise<{ states: QueueStates; notes: string[] }> {
  const states: QueueStates = new Map();
  const notes: string[] = [];
  const jobs = sweep.slurm?.jobs ?? [];
  if (jobs.length === 0) return { states, notes };
  const ids = jobs.map((j) => j.jobId).join(',');
  const acct = await run('sacct', ['--noheader', '--parsable2', '--allocations', `--jobs=${ids}`, '--format=JobID,State']);
  if (acct.code === 0) {
    for (const line of acct.stdout.split('\n')) {
      const m = /^(\d+)_(\d+)\|([A-Z_]+)/.exec(line.trim());
      if (m) states.set(Number(m[2]), { jobId: m[1], state: m[3] });
    }
  } else notes.push(`sacct: ${(acct.stderr || acct.stdout).trim().split('\n')[0] ?? 'not available'} (the run folders tell how finished tasks ended)`);
  // squeue is current; it wins over sacct for tasks still in the queue. --array lists pending tasks one per line.
  const q = await run('squeue', ['--noheader', '--array', `--jobs=${ids}`, '--format=%i|%T']);
  if (q.code !== 0) {
    // squeue refuses ids it no longer knows ("Invalid job id"): nothing of this sweep is queued.
    if (!/invalid job id/i.test(q.stderr)) notes.push(`squeue: ${q.stderr.trim().split('\n')[0]}`);
    return { states, notes };
  }
  for (const line of q.stdout.split('\n')) {
    const m = /^(\d+)_(\d+)\|([A-Z_]+)/.exec(line.trim());
    if (m) states.set(Number(m[2]), { jobId: m[1], state: m[3] });
  }
  return { states, notes };
}

/** True while any task of the sweep's jobs is in squeue. */
export async function anyQueued(sweep: Sweep): Promise<boolean> {
  const { states } = await queueStates(sweep);
  return [...states.values()].some((s) => ['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'REQUEUED', 'SUSPENDED', 'RESIZING'].includes(s.state));
}

/** scancel of every job of the sweep: running tasks get SIGTERM, so each run stops after its step and keeps a checkpoint. */
export async function cancel(sweep: Sweep): Promise<string[]> {
  const ids = (sweep.slurm?.jobs ?? []).map((j) => j.jobId);
  if (ids.length === 0) return [];
  const r = await run('scancel', ids);
  if (r.code !== 0) throw new Error(`scancel ${ids.join(' ')} failed: ${(r.stderr || r.stdout).trim().slice(0, 1000)}`);
  return ids;
}
