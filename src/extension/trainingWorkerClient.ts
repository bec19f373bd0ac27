/**
 * The worker thread of one training run, without VS Code: start it, pass its events on, stop it, and when it dies
 * without the trainer's end event (an exception, running out of memory, terminate()) say so with an end event of
 * its own. TrainingSession wraps it; the unit tests crash a real one.
 *
 * A crash keeps what the trainer wrote: the end event names the last checkpoint written, and the run folder is
 * told (an end line appended to metrics.jsonl, run.json's status set to "error"), so a dashboard restored later and
 * the side view show the run as crashed, with the reason, rather than as still running.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { isWorkerToHost, type HostToWorker, type LogLevel, type StartRequest } from '../protocol';
import type { EndEvent, TrainEvent } from '../runtime/events';
import { writeFileAtomic } from '../runtime/outputFiles';
import { isRecord, readJsonBounded } from '../runtime/safeFs';

export interface TrainingWorkerOptions {
  /** dist/worker.js */
  script: string;
  name: string;
  start: StartRequest;
  /** Heap limits of the worker; a worker past them dies alone (ERR_WORKER_OUT_OF_MEMORY), the host stays up. */
  resourceLimits?: ResourceLimits;
  onEvent(event: TrainEvent): void;
  onLog(level: LogLevel | 'debug', message: string): void;
}

export class TrainingWorker {
  /** Resolves when the worker has exited, with the run's end (its own, or the crash's). */
  readonly done: Promise<EndEvent>;
  private readonly worker: Worker;
  private end: EndEvent | undefined;
  private fatal: string | undefined;
  private lastStep = 0;
  private lastCheckpoint: { step: number; dir: string } | undefined;
  private stopRequested = false;
  private resolveDone!: (end: EndEvent) => void;

  constructor(private readonly opts: TrainingWorkerOptions) {
    this.done = new Promise((resolve) => { this.resolveDone = resolve; });
    this.worker = new Worker(opts.script, { name: opts.name, resourceLimits: opts.resourceLimits });
    this.worker.on('message', (msg: unknown) => this.onMessage(msg));
    this.worker.on('error', (err: Error & { code?: string }) => {
      this.fatal ??= err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `it ran out of memory (${err.message})` : err.message;
      opts.onLog('error', `worker error: ${err.stack ?? err.message}`);
    });
    this.worker.on('exit', (code) => this.onExit(code));
    this.post(opts.start);
  }

  /** Asks the trainer to stop after the current step (it writes a checkpoint); see TrainingSession.stop. */
  stop(): void {
    this.stopRequested = true;
    this.post({ type: 'stop' });
  }

  /** The last resort: ends the thread at once. */
  terminate(): Promise<number> {
    return this.worker.terminate();
  }

  private post(msg: HostToWorker): void {
    this.worker.postMessage(msg);
  }

  private onMessage(msg: unknown): void {
    if (!isWorkerToHost(msg)) {
      this.opts.onLog('warn', `ignored an unknown message from the worker: ${JSON.stringify(msg)?.slice(0, 200)}`);
      return;
    }
    switch (msg.type) {
      case 'event': {
        const e = msg.event;
        if (e.event === 'step') this.lastStep = e.step;
        else if (e.event === 'checkpoint') this.lastCheckpoint = { step: e.step, dir: e.dir };
        else if (e.event === 'end') this.end = e;
        this.opts.onEvent(e);
        return;
      }
      case 'log': this.opts.onLog(msg.level, msg.message); return;
      case 'fatal':
        this.fatal = msg.message;
        this.opts.onLog('error', `${msg.message}${msg.stack ? `\n${msg.stack}` : ''}`);
        return;
      case 'lintResult':
      case 'sampleResult':
        return;
    }
  }

  private onExit(exitCode: number): void {
    if (!this.end) {
      const stoppedByUs = this.stopRequested && !this.fatal;
      const ckpt = this.lastCheckpoint;
      const kept = ckpt ? ` The last checkpoint, step ${ckpt.step}, is kept: ${ckpt.dir} (train again with resume to continue from it).` : ' No checkpoint had been written yet.';
      const end: EndEvent = {
        event: 'end',
        reason: stoppedByUs ? 'stopped' : 'error',
        step: this.lastStep,
        message: stoppedByUs
          ? `stopped (the worker was terminated).${kept}`
          : `The training worker crashed: ${this.fatal ?? `it exited with code ${exitCode}`}.${kept}`,
        ...(ckpt ? { checkpoint: ckpt.dir } : {}),
      };
      this.end = end;
      this.recordInRunFolder(end);
      try {
        this.opts.onEvent(end);
      } catch (err) {
        // A listener's failure must not leave the run looking alive forever.
        this.opts.onLog('error', `a listener failed on the end of the run: ${(err as Error).stack ?? err}`);
      }
    }
    this.resolveDone(this.end);
  }

  /** Tells the run folder how the run ended, as the trainer would have. Never follows a link out of it. */
  private recordInRunFolder(end: EndEvent): void {
    const dir = this.opts.start.runDir;
    if (!dir) return;
    try {
      const metrics = path.join(dir, 'metrics.jsonl');
      if (!fs.existsSync(metrics)) return;
      const fd = fs.openSync(metrics, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_NOFOLLOW);
      try { fs.writeSync(fd, JSON.stringify(end) + '\n'); } finally { fs.closeSync(fd); }
      const runJson = path.join(dir, 'run.json');
      if (!fs.lstatSync(runJson).isFile()) return;
      const j = readJsonBounded(dir, 'run.json', 1 << 20);
      if (!isRecord(j)) return;
      writeFileAtomic(dir, runJson, JSON.stringify({ ...j, status: end.reason, endedAt: new Date().toISOString(), message: end.message }, null, 2));
    } catch (err) {
      this.opts.onLog('warn', `could not record the end of the run in ${dir}: ${(err as Error).message}`);
    }
  }
}
