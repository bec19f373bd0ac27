/**
 * A real single-node Slurm cluster for the tests (Debian 12's slurmctld, slurmd, slurm-client and munge 22.05), in a
 * temp folder: its own munge key and socket, a slurm.conf with free ports, state, spool, logs and pid files, so it
 * needs nothing in /etc and does not meet another cluster on the machine. Root only (slurmd runs jobs as their
 * user). Clients find it through SLURM_CONF; stop() ends the three daemons by the pids in their pid files.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const DAEMONS = { munged: '/usr/sbin/munged', slurmctld: '/usr/sbin/slurmctld', slurmd: '/usr/sbin/slurmd' };

export interface SlurmCluster {
  dir: string;
  /** Environment for sbatch, squeue, scancel and for dcgan-studio: SLURM_CONF points at this cluster. */
  env: NodeJS.ProcessEnv;
  /** Stops the daemons (SIGTERM by pid), waits for them to exit, removes the folder. */
  stop(): Promise<void>;
}

/** Why a cluster cannot start here, or undefined when it can. */
export function slurmUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'Slurm runs on Linux only';
  if (process.getuid?.() !== 0) return 'the single-node Slurm cluster needs root (slurmd starts jobs as their user); .ci/run runs as root';
  const missing = [...Object.values(DAEMONS), '/usr/bin/sbatch', '/usr/bin/squeue', '/usr/bin/scancel'].filter((f) => !fs.existsSync(f));
  return missing.length ? `not installed: ${missing.join(', ')} (apt-get install slurmctld slurmd slurm-client munge; .ci/run does)` : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(what: string, ok: () => boolean, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not happen within ${timeoutMs / 1000} s.\n${log()}`);
}

export async function startSlurm(): Promise<SlurmCluster> {
  const why = slurmUnavailable();
  if (why) throw new Error(why);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcgan-slurm-'));
  fs.chmodSync(dir, 0o755); // munge wants the socket's folder searchable
  const started: string[] = [];
  const stop = async () => {
    // By pid, newest first; each pid file names exactly the daemon this test started.
    const pids: number[] = [];
    for (const name of started.slice().reverse()) {
      try {
        const pid = Number(fs.readFileSync(path.join(dir, `${name}.pid`), 'utf8').trim());
        if (Number.isInteger(pid) && pid > 1) {
          process.kill(pid, 'SIGTERM');
          pids.push(pid);
        }
      } catch { /* already gone */ }
    }
    started.length = 0;
    const alive = (pid: number) => { try { process.kill(pid, 0); return !/\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; } };
    for (const deadline = Date.now() + 20_000; pids.some(alive) && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 200));
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const key = path.join(dir, 'munge.key');
    fs.writeFileSync(key, crypto.randomBytes(1024), { mode: 0o400 });
    const socket = path.join(dir, 'munge.socket');
    execFileSync(DAEMONS.munged, ['--force', `--key-file=${key}`, `--socket=${socket}`, `--pid-file=${path.join(dir, 'munged.pid')}`, `--log-file=${path.join(dir, 'munged.log')}`, `--seed-file=${path.join(dir, 'munged.seed')}`]);
    started.push('munged');
    const host = os.hostname().split('.')[0];
    const [ctldPort, dPort] = [await freePort(), await freePort()];
    for (const sub of ['state', 'spool']) fs.mkdirSync(path.join(dir, sub));
    const conf = path.join(dir, 'slurm.conf');
    fs.writeFileSync(conf, [
      'ClusterName=dcgantest',
      `SlurmctldHost=${host}(127.0.0.1)`,
      'SlurmUser=root', 'SlurmdUser=root',
      'AuthType=auth/munge', 'CredType=cred/munge', `AuthInfo=socket=${socket}`,
      `SlurmctldPort=${ctldPort}`, `SlurmdPort=${dPort}`,
      `StateSaveLocation=${path.join(dir, 'state')}`, `SlurmdSpoolDir=${path.join(dir, 'spool')}`,
      `SlurmctldPidFile=${path.join(dir, 'slurmctld.pid')}`, `SlurmdPidFile=${path.join(dir, 'slurmd.pid')}`,
      `SlurmctldLogFile=${path.join(dir, 'slurmctld.log')}`, `SlurmdLogFile=${path.join(dir, 'slurmd.log')}`,
      // No cgroups here: processes are tracked by their parents, and tasks are not bound to cores.
      'ProctrackType=proctrack/linuxproc', 'TaskPlugin=task/none',
      'SelectType=select/cons_tres', 'SelectTypeParameters=CR_Core', 'ReturnToService=2',
      'MpiDefault=none', 'JobAcctGatherType=jobacct_gather/none', 'AccountingStorageType=accounting_storage/none',
      'SchedulerType=sched/backfill', 'MinJobAge=600',
      `NodeName=${host} NodeAddr=127.0.0.1 CPUs=${os.cpus().length} RealMemory=1000 State=UNKNOWN`,
      `PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'));
    const env = { ...process.env, SLURM_CONF: conf };
    execFileSync(DAEMONS.slurmctld, ['-f', conf], { env });
    started.push('slurmctld');
    execFileSync(DAEMONS.slurmd, ['-f', conf], { env });
    started.push('slurmd');
    const logs = () => ['slurmctld.log', 'slurmd.log'].map((f) => { try { return `${f}:\n${fs.readFileSync(path.join(dir, f), 'utf8').slice(-3000)}`; } catch { return ''; } }).join('\n');
    await waitFor('the node turned idle', () => /idle/.test(spawnSync('sinfo', ['--noheader', '--format=%T'], { env, encoding: 'utf8' }).stdout ?? ''), 60_000, logs);
    return { dir, env, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
