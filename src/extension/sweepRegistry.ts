/**
 * The sweeps this window started. The extension plans a sweep with the runtime's planner (every cell validated by the
 * config loader) and then runs it the one way there is: the CLI, `dcgan-studio sweep resume DIR --json` (with --wait
 * for Slurm), as a child process of the extension host. That process starts the runs as CLI train runs (or submits
 * them to Slurm); the extension only follows the sweep folder and opens the Compare panel on it when the sweep ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { nodeEnv, planSweep, type CellRequest, type Runner } from '../runtime/sweep';

export interface SweepStartOptions {
  seeds?: number;
  steps?: number;
  runner?: Runner;
  force?: boolean;
  /** Open the Compare panel on the sweep when it ends (default true). */
  openCompare?: boolean;
  origin?: { kind: 'remedies'; code: string; configFile: string };
}

/** A sweep this window started: its CLI process, until it exits. */
export class LiveSweep implements vscode.Disposable {
  readonly done: Promise<number | null>;
  private readonly child: ChildProcess;
  private stops = 0;

  constructor(readonly dir: string, readonly runner: Runner, cliScript: string, log: vscode.LogOutputChannel) {
    const args = [cliScript, 'sweep', 'resume', dir, '--json', ...(runner === 'slurm' ? ['--wait'] : [])];
    this.child = spawn(process.execPath, args, { env: nodeEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const name = path.basename(dir);
    this.child.stdout?.on('data', (d: Buffer) => log.info(`[${name}] ${d.toString('utf8').trimEnd().slice(0, 4000)}`));
    this.child.stderr?.on('data', (d: Buffer) => log.warn(`[${name}] ${d.toString('utf8').trimEnd().slice(0, 4000)}`));
    this.done = new Promise((resolve) => {
      this.child.on('error', (err) => { log.error(`[${name}] could not start dcgan-studio sweep: ${err.message}`); resolve(null); });
      this.child.on('close', (code) => resolve(code));
    });
  }

  get live(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Local: the runner stops its runs after their step, with a checkpoint (a second call kills them). Slurm: scancel. */
  async stop(cliScript: string): Promise<void> {
    this.stops++;
    if (this.runner === 'slurm') {
      await new Promise<void>((resolve) => spawn(process.execPath, [cliScript, 'sweep', 'cancel', this.dir], { env: nodeEnv(), stdio: 'ignore' }).on('close', () => resolve()));
      return;
    }
    this.child.kill(this.stops === 1 ? 'SIGTERM' : 'SIGKILL');
  }

  dispose(): void {
    if (this.live) this.child.kill('SIGTERM');
  }
}

/** What the registry needs from the extension: where the CLI is, the log, and what to open when a sweep ends. */
export interface SweepHost {
  readonly distDir: string;
  readonly log: vscode.LogOutputChannel;
  /** Opens the Compare panel on a sweep folder (the views, once they exist). */
  openCompareSweep(dir: string): void;
}

export class SweepRegistry implements vscode.Disposable {
  private readonly sweeps = new Map<string, LiveSweep>();
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the sweep folder when a sweep starts or ends. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly host: SweepHost) {}

  get cliScript(): string {
    return path.join(this.host.distDir, 'cli.js');
  }

  isLive(dir: string): boolean {
    return this.sweeps.get(path.resolve(dir))?.live ?? false;
  }

  live(): LiveSweep[] {
    return [...this.sweeps.values()].filter((s) => s.live);
  }

  /** Plans the sweep (throws SweepInputError naming the key and value) and starts it. */
  start(configFile: string, cells: CellRequest[], options: SweepStartOptions = {}): { dir: string; sweep: LiveSweep } {
    const { dir, sweep } = planSweep({ configFile, cells, seeds: options.seeds, steps: options.steps, runner: options.runner, force: options.force, origin: options.origin });
    const live = new LiveSweep(dir, sweep.runner, this.cliScript, this.host.log);
    this.sweeps.set(path.resolve(dir), live);
    this.changed.fire(dir);
    this.host.log.info(`Sweep ${sweep.sweepId}: ${sweep.cells.length} cells × ${sweep.seeds.length} seeds, ${sweep.runner}, in ${dir}`);
    void live.done.then((code) => {
      this.changed.fire(dir);
      this.host.log.info(`Sweep ${sweep.sweepId} ended (exit code ${code}).`);
      if (options.openCompare !== false) this.host.openCompareSweep(dir);
    });
    return { dir, sweep: live };
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.live().map((s) => s.stop(this.cliScript)));
  }

  dispose(): void {
    for (const s of this.sweeps.values()) s.dispose();
    this.changed.dispose();
  }
}
