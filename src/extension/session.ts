/**
 * One training run: a worker thread running dist/worker.js, its progress notification and its log, and the
 * event stream the dashboard and the status bar subscribe to. Everything the run creates (the worker, timers,
 * listeners, the notification) lives in the session's own store and is disposed when the run ends.
 *
 * Stopping is clean: the host posts {type:'stop'}, the trainer aborts through its AbortSignal after the current
 * step and writes its last checkpoint, and the worker exits by itself. terminate() is only the last resort
 * after STOP_TIMEOUT_MS.
 */
import * as path from 'node:path';
import type { ResourceLimits } from 'node:worker_threads';
import * as vscode from 'vscode';
import type { ConfigOverrides, RunStatus, RunSummary } from '../protocol';
import type { EndEvent, TrainEvent } from '../runtime/events';
import { formatProblem, type Problem } from '../runtime/problem';
import { etaSeconds, formatDuration, formatRate } from '../runtime/progress';
import { RunHistory } from './runHistory';
import { TrainingWorker } from './trainingWorkerClient';

/** A wasm step at batch 64 takes about 2 s and a checkpoint a fraction of that; 30 s is far past both. */
export const STOP_TIMEOUT_MS = 30_000;

export interface SessionOptions {
  /** Absolute path of the config file. */
  configFile: string;
  /** Unsaved editor text of the config, which wins over the file on disk. */
  configText?: string;
  /** Run folder; the runId is its name. */
  runDir: string;
  /** Folders besides the config's own the run may write into: the workspace folders. */
  outputRoots?: string[];
  overrides?: ConfigOverrides;
  resume?: boolean;
  /** Train even when the data check finds errors. */
  force?: boolean;
  /** Show the progress notification (on by default; tests and headless callers may turn it off). */
  notify?: boolean;
  /** Heap limits of the training worker (tests use small ones to crash it of OOM for real). */
  resourceLimits?: ResourceLimits;
}

/** What a training session needs of the extension (ctx.ts's Ctx has it): narrow, so the session does not import ctx. */
export interface SessionHost {
  readonly log: vscode.LogOutputChannel;
  /** dist/worker.js */
  readonly workerScript: string;
  /** The bundle folder (the wasm backend's files). */
  readonly distDir: string;
  backendSearchPaths(): string[];
}

export class TrainingSession implements vscode.Disposable {
  readonly configFile: string;
  readonly runDir: string;
  /** The run folder's name; the trainer's start event confirms it. */
  runId: string;
  readonly startedAt = new Date();
  status: RunStatus = 'running';
  readonly history = new RunHistory();
  /** Problems the trainer reported (backend fallback, health alerts). */
  readonly problems: Problem[] = [];
  end: EndEvent | undefined;
  /** Resolves when the worker has exited, with the run's end (synthesised when the worker died without one). */
  readonly done: Promise<EndEvent>;

  private readonly disposables: vscode.Disposable[] = [];
  private readonly eventEmitter = new vscode.EventEmitter<TrainEvent>();
  /** Every training event, in order. Samples events carry grid pixels while the run is live. */
  readonly onEvent: vscode.Event<TrainEvent> = this.eventEmitter.event;
  private readonly worker: TrainingWorker;
  private stopping: Promise<EndEvent> | undefined;

  constructor(private readonly ctx: SessionHost, options: SessionOptions) {
    this.configFile = options.configFile;
    this.runDir = options.runDir;
    this.runId = path.basename(options.runDir);
    this.disposables.push(this.eventEmitter);

    // The worker reports every event, and on a crash or OOM an end event of its own (trainingWorkerClient.ts): the
    // extension host stays up, and the run ends as "error" with the reason and its last checkpoint.
    this.worker = new TrainingWorker({
      script: ctx.workerScript,
      name: `dcgan-train-${this.runId}`,
      resourceLimits: options.resourceLimits,
      start: {
        type: 'start',
        configFile: options.configFile,
        configText: options.configText,
        overrides: options.overrides,
        runDir: options.runDir,
        outputRoots: options.outputRoots,
        resume: options.resume,
        searchPaths: ctx.backendSearchPaths(),
        wasmDir: ctx.distDir,
        emitGridPixels: true,
        force: options.force,
      },
      onEvent: (e) => this.onTrainEvent(e),
      onLog: (level, message) => ctx.log[level](`[${this.runId}] ${message}`),
    });
    this.done = this.worker.done.then((end) => this.finish(end));
    ctx.log.info(`[${this.runId}] training ${options.configFile} → ${options.runDir}`);
    if (options.notify !== false) this.showProgress();
  }

  get live(): boolean {
    return this.status === 'running';
  }

  get step(): number {
    return this.history.lastStep?.step ?? this.history.start?.step ?? 0;
  }

  get steps(): number | undefined {
    return this.history.start?.steps;
  }

  /** The trainer's own measure (runtime/progress.ts), as the dashboard and the CLI show it. */
  get itPerSecond(): number | undefined {
    return this.history.lastStep?.itPerSecond;
  }

  /** Seconds left at the current rate, when known. */
  get etaSeconds(): number | undefined {
    return this.steps === undefined ? undefined : etaSeconds(this.step, this.steps, this.itPerSecond);
  }

  summary(): RunSummary {
    return {
      runId: this.runId,
      runDir: this.runDir,
      configFile: this.configFile,
      status: this.status,
      live: this.live,
      startedAt: this.startedAt.toISOString(),
      backend: this.history.start?.backend,
      step: this.step,
      steps: this.steps,
      grids: this.history.samples.map((s) => ({ step: s.step, file: s.file })),
    };
  }

  showLog(): void {
    this.ctx.log.show(true);
  }

  /** Asks the trainer to stop after the current step and keep its checkpoint; resolves when the worker is gone. */
  stop(): Promise<EndEvent> {
    if (!this.live) return this.done;
    if (!this.stopping) {
      this.ctx.log.info(`[${this.runId}] stopping: the trainer finishes its step and writes a checkpoint`);
      this.worker.stop();
      const timer = setTimeout(() => {
        this.ctx.log.warn(`[${this.runId}] the worker did not stop within ${STOP_TIMEOUT_MS / 1000} s; terminating it (the last checkpoint may be older)`);
        void this.worker.terminate();
      }, STOP_TIMEOUT_MS);
      this.disposables.push({ dispose: () => clearTimeout(timer) });
      this.stopping = this.done;
    }
    return this.stopping;
  }

  private onTrainEvent(event: TrainEvent): void {
    switch (event.event) {
      case 'start':
        this.runId = event.runId;
        this.ctx.log.info(`[${this.runId}] started at step ${event.step} of ${event.steps}, batch ${event.batchSize}, ${event.imageSize}×${event.imageSize}×${event.channels}, seed ${event.seed}; backend ${event.backend.name}: ${event.backend.reason}`);
        this.ctx.log.info(`[${this.runId}] data ${event.dataset.source} (${event.dataset.format} ${event.dataset.dtype}, ${event.dataset.count} images), fed range [${event.dataset.fedMin}, ${event.dataset.fedMax}]`);
        break;
      case 'problem':
        this.problems.push(event);
        this.ctx.log[event.severity === 'error' ? 'error' : event.severity === 'warning' ? 'warn' : 'info'](`[${this.runId}] ${formatProblem(event)}`);
        break;
      case 'checkpoint':
        this.ctx.log.info(`[${this.runId}] checkpoint at step ${event.step}: ${event.dir}`);
        break;
      case 'samples':
        this.ctx.log.debug(`[${this.runId}] samples at step ${event.step}: ${event.file}`);
        break;
      case 'end':
        this.end = event;
        // Before the listeners hear of it: the dashboard's runUpdated reads summary() in its 'end' listener, and a
        // status still 'running' there left its badge saying "running" beside "completed".
        this.status = event.reason;
        this.ctx.log.info(`[${this.runId}] ended (${event.reason}) at step ${event.step}${event.message ? `: ${event.message}` : ''}`);
        break;
      default:
        break;
    }
    this.history.add(event);
    this.eventEmitter.fire(event);
  }

  private finish(end: EndEvent): EndEvent {
    this.status = end.reason;
    this.dispose();
    return end;
  }

  private showProgress(): void {
    const name = path.basename(this.configFile);
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `DCGAN: training ${name}`, cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => void this.stop());
        let reported = 0;
        const sub = this.onEvent((e) => {
          if (e.event !== 'step') return;
          const steps = this.steps ?? 1;
          const pct = (100 * e.step) / steps;
          progress.report({ increment: pct - reported, message: formatProgress(this) });
          reported = pct;
        });
        this.disposables.push(sub);
        return this.done;
      },
    );
  }

  dispose(): void {
    if (this.live) void this.worker.terminate();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** "step 120/2000 · 1.35 it/s · ETA 24m 10s" */
export function formatProgress(s: TrainingSession): string {
  const parts = [`step ${s.step}${s.steps !== undefined ? `/${s.steps}` : ''}`];
  const rate = s.itPerSecond;
  if (rate !== undefined) parts.push(formatRate(rate));
  const eta = s.etaSeconds;
  if (eta !== undefined) parts.push(`ETA ${formatDuration(eta)}`);
  return parts.join(' · ');
}

export class AlreadyTrainingError extends Error {
  constructor(readonly session: TrainingSession) {
    super(`${path.basename(session.configFile)} is already training (run ${session.runId}, step ${session.step}). Stop it first, or open its dashboard.`);
  }
}

/** The runs of this window: at most one live run per config, plus the recently ended ones for the views. */
export class SessionRegistry implements vscode.Disposable {
  private readonly sessions: TrainingSession[] = [];
  private readonly startEmitter = new vscode.EventEmitter<TrainingSession>();
  private readonly endEmitter = new vscode.EventEmitter<TrainingSession>();
  readonly onDidStart = this.startEmitter.event;
  readonly onDidEnd = this.endEmitter.event;

  constructor(private readonly ctx: SessionHost) {
    // Menus show Train or Stop by this context key.
    const update = () => void vscode.commands.executeCommand('setContext', 'dcgan.training', this.live().length > 0);
    this.onDidStart(update);
    this.onDidEnd(update);
  }

  /** Starts a run; throws AlreadyTrainingError when the config is training already. */
  start(options: SessionOptions): TrainingSession {
    const running = this.forConfig(options.configFile);
    if (running) throw new AlreadyTrainingError(running);
    const session = new TrainingSession(this.ctx, options);
    this.sessions.push(session);
    // Keep a few ended runs so their dashboards can still be opened; drop the oldest ones.
    const ended = this.sessions.filter((s) => !s.live);
    for (const old of ended.slice(0, Math.max(0, ended.length - 10))) this.sessions.splice(this.sessions.indexOf(old), 1);
    void session.done.then(() => this.endEmitter.fire(session));
    this.startEmitter.fire(session);
    return session;
  }

  /** The live run of a config file, if any. */
  forConfig(configFile: string): TrainingSession | undefined {
    const key = path.resolve(configFile);
    return this.sessions.find((s) => s.live && path.resolve(s.configFile) === key);
  }

  get(runId: string): TrainingSession | undefined {
    return [...this.sessions].reverse().find((s) => s.runId === runId);
  }

  all(): readonly TrainingSession[] {
    return this.sessions;
  }

  live(): TrainingSession[] {
    return this.sessions.filter((s) => s.live);
  }

  /** The most recently started live run, else the most recent run. */
  get current(): TrainingSession | undefined {
    const live = this.live();
    return live[live.length - 1] ?? this.sessions[this.sessions.length - 1];
  }

  /** Clean stop of every live run (on deactivate). */
  async stopAll(): Promise<void> {
    await Promise.all(this.live().map((s) => s.stop()));
  }

  dispose(): void {
    for (const s of this.sessions) s.dispose();
    this.startEmitter.dispose();
    this.endEmitter.dispose();
  }
}
