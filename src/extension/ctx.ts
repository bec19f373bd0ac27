/**
 * The extension's context: what every command, provider and view needs, built once in activate().
 *
 * Two lifetimes, two stores of disposables (as rust-analyzer's ctx.ts does it):
 *   - `ctx.subscriptions`: things that live as long as the extension (commands, providers, the status bar);
 *   - each TrainingSession's own store: things that end with one training run (its worker, timers, listeners).
 * Everything subscribed goes into one of them.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ConfigDiagnostics } from './diagnostics';
import { escapingLog } from './escapingLog';
import { GPU_RUNTIME_KINDS, gpuRuntimeDirFor } from './gpuRuntime';
import { SweepRegistry } from './sweepRegistry';
import { SessionRegistry, type TrainingSession } from './session';
import { WorkerClient } from './jobWorkerClient';

/** What the views (src/extension/views) give the commands: set once in activate(). */
export interface ViewsHooks {
  /** Opens or reveals the dashboard of a live or recent session, or of a finished run by its run folder. */
  openDashboard(run: TrainingSession | string): void;
  /** Opens or reveals the Compare Runs panel with these run folders (2–6). */
  openCompare(runDirs: string[]): void;
  /** Opens or reveals the Compare Runs panel on a sweep folder: its ranking and one run per cell. */
  openCompareSweep(sweepDir: string): void;
}

/** A command is a factory `(ctx) => handler` in the table (commands.ts), as rust-analyzer's client does it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- handlers take what VS Code passes (a Uri, a string, options)
export type CommandFactory = (ctx: Ctx) => (...args: any[]) => unknown;

export class Ctx {
  /** Extension-long disposables; disposed by VS Code on deactivation (they are in extensionContext.subscriptions). */
  readonly subscriptions: vscode.Disposable[];
  readonly log: vscode.LogOutputChannel;
  readonly sessions: SessionRegistry;
  /** A worker thread for short jobs (dataset lint, sampling from a checkpoint), started on demand. */
  readonly jobs: WorkerClient;
  readonly diagnostics: ConfigDiagnostics;
  /** Sweeps this window started (their CLI processes), for the side view, Stop Sweep and deactivation. */
  readonly sweeps: SweepRegistry;
  /** The dashboard and side view, when this build has them. */
  views: ViewsHooks | undefined;

  constructor(readonly extensionContext: vscode.ExtensionContext) {
    this.subscriptions = extensionContext.subscriptions;
    // Every line escaped: log lines carry text from run folders, configs and file names (escapingLog.ts).
    this.log = this.push(escapingLog(vscode.window.createOutputChannel('DCGAN Studio', { log: true })));
    this.sessions = this.push(new SessionRegistry(this));
    this.jobs = this.push(new WorkerClient(this.workerScript, this.log));
    this.diagnostics = this.push(new ConfigDiagnostics(this));
    this.sweeps = this.push(new SweepRegistry({ distDir: this.distDir, log: this.log, openCompareSweep: (dir) => this.views?.openCompareSweep(dir) }));
  }

  push<T extends vscode.Disposable>(d: T): T {
    this.subscriptions.push(d);
    return d;
  }

  get extensionUri(): vscode.Uri {
    return this.extensionContext.extensionUri;
  }

  /** The bundle folder: worker.js, the wasm files, the webview scripts. */
  get distDir(): string {
    return vscode.Uri.joinPath(this.extensionUri, 'dist').fsPath;
  }

  get workerScript(): string {
    return path.join(this.distDir, 'worker.js');
  }

  /** Where "DCGAN: Install GPU Runtime" installs @tensorflow/tfjs-node-gpu (its own node_modules). */
  get gpuRuntimeDir(): string {
    return vscode.Uri.joinPath(this.extensionContext.globalStorageUri, 'gpu-runtime').fsPath;
  }

  /**
   * Folders whose node_modules selectBackend searches for Dawn and tfjs-node(-gpu): the user's setting first, then
   * each runtime's own folder, then gpu-runtime/ itself (where versions before the pinned installs put them).
   */
  backendSearchPaths(): string[] {
    const configured = vscode.workspace.getConfiguration('dcgan').get<string>('gpuRuntime.path')?.trim();
    return [...(configured ? [configured] : []), ...GPU_RUNTIME_KINDS.map((k) => gpuRuntimeDirFor(this.gpuRuntimeDir, k)), this.gpuRuntimeDir];
  }
}
