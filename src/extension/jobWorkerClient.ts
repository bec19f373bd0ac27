/**
 * Short jobs off the extension host's thread: dataset lint and sampling from a checkpoint run in a worker
 * thread (the same dist/worker.js as training), answered by request id. The worker starts on the first job and
 * ends after a quiet minute, so an idle VS Code holds no thread and no wasm heap.
 */
import { Worker } from 'node:worker_threads';
import type * as vscode from 'vscode';
import { isWorkerToHost, type LintRequest, type LintResult, type SampleRequest, type WorkerToHost } from '../protocol';

type Answer = Extract<WorkerToHost, { type: 'lintResult' | 'sampleResult' }>;
type Job = Omit<LintRequest, 'id'> | Omit<SampleRequest, 'id'>;

const IDLE_MS = 60_000;

export class WorkerClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (a: Answer) => void; reject: (e: Error) => void }>();
  private idleTimer: NodeJS.Timeout | undefined;
  /** The newest lint request per config file: the worker aborts an older one and never answers it. */
  private readonly newestLint = new Map<string, number>();

  constructor(private readonly script: string, private readonly log: vscode.LogOutputChannel) {}

  async lint(configFile: string, configText: string): Promise<LintResult> {
    const answer = await this.request({ type: 'lint', configFile, configText });
    if (answer.type !== 'lintResult') throw new Error(`lint of ${configFile}: unexpected answer ${answer.type}`);
    if (answer.error !== undefined || !answer.result) throw new Error(`Linting the data of ${configFile} failed: ${answer.error}`);
    return answer.result;
  }

  async sample(job: Omit<SampleRequest, 'id' | 'type'>): Promise<string> {
    const answer = await this.request({ type: 'sample', ...job });
    if (answer.type !== 'sampleResult' || !answer.file) throw new Error(`Sampling from ${job.checkpoint} failed: ${answer.type === 'sampleResult' ? answer.error : answer.type}`);
    return answer.file;
  }

  private request(job: Job): Promise<Answer> {
    const id = this.nextId++;
    const worker = this.ensureWorker();
    clearTimeout(this.idleTimer);
    const answer = new Promise<Answer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...job, id });
    });
    if (job.type === 'lint') this.supersedeLint(job.configFile, id, answer);
    return answer.finally(() => this.scheduleIdleExit());
  }

  /**
   * A newer lint of the same config aborts the older one in the worker (workerMain.ts runLint), which then never
   * answers it: the older request takes the newer one's answer, so that nobody awaits it forever.
   */
  private supersedeLint(configFile: string, id: number, answer: Promise<Answer>): void {
    const older = this.newestLint.get(configFile);
    this.newestLint.set(configFile, id);
    const waiting = older !== undefined ? this.pending.get(older) : undefined;
    if (waiting) {
      this.pending.delete(older!);
      answer.then((a) => waiting.resolve({ ...a, id: older! }), waiting.reject);
    }
    void answer.then(() => { if (this.newestLint.get(configFile) === id) this.newestLint.delete(configFile); }, () => this.newestLint.delete(configFile));
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script);
    worker.on('message', (msg: unknown) => {
      if (!isWorkerToHost(msg)) { this.log.warn(`job worker: ignored an unknown message ${JSON.stringify(msg)?.slice(0, 200)}`); return; }
      switch (msg.type) {
        case 'lintResult':
        case 'sampleResult': {
          const p = this.pending.get(msg.id);
          this.pending.delete(msg.id);
          p?.resolve(msg);
          return;
        }
        case 'log': this.log[msg.level](`job worker: ${msg.message}`); return;
        case 'fatal': this.log.error(`job worker crashed: ${msg.message}\n${msg.stack ?? ''}`); return;
        case 'event': return;
      }
    });
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(new Error(`the job worker exited (code ${code}) before answering`));
    });
    this.worker = worker;
    return worker;
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private scheduleIdleExit(): void {
    clearTimeout(this.idleTimer);
    if (this.pending.size > 0) return;
    this.idleTimer = setTimeout(() => { void this.worker?.terminate(); this.worker = undefined; }, IDLE_MS);
    this.idleTimer.unref();
  }

  dispose(): void {
    clearTimeout(this.idleTimer);
    this.failAll(new Error('DCGAN Studio is shutting down'));
    void this.worker?.terminate();
    this.worker = undefined;
  }
}
