/**
 * Decoding off the training thread: a pool of worker threads (dist/decode-worker.js) that read, decode, resize and
 * crop image files into uint8 samples, so the trainer's thread only copies finished batches.
 *
 * Sized to the cores training leaves over (at least one, so decoding never runs on the training thread; with the
 * wasm backend on every core the pool shares them with it). Idle workers are unref'd, and all are ended by close(), which the
 * dataset calls when the run ends however it ends; a worker that dies (a decoder crash, its heap limit) is replaced,
 * and the files of its job are decoded again one by one so that only the file that kills a worker is lost. Without
 * the worker script (tests run from sources, a broken install) the same function runs on the calling thread.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { Worker } from 'node:worker_threads';
import { decodeImageFile, type DecoderChoice } from './decode';
import { headerOrProblem } from './images';
import { resizeCrop } from './resize';

export interface DecodeJob {
  files: string[];
  size: number;
  channels: 1 | 3;
  decoder: DecoderChoice;
}

/** Reading headers (opening a folder: imageFolder.ts), spread over the threads like decoding. */
export interface HeaderJob {
  kind: 'headers';
  files: string[];
}

export type HeaderResult = ReturnType<typeof headerOrProblem>[];

export interface DecodeResult {
  /** files.length samples of size × size × channels, NHWC; a failed file's slot is zero. */
  pixels: Uint8Array;
  /** Files that could not be decoded: their index in the job and why (the message names the file). */
  failed: { index: number; message: string }[];
}

/** Heap of one decode worker: a decoded image's pixels live outside it; this bounds what a hostile file can pile up. */
const WORKER_HEAP_MB = 128;
/** Worker deaths a pool survives before it reports the failure instead of replacing the worker again. */
const MAX_RESTARTS = 16;

let scavenger: ((options: { type: 'minor' }) => void) | undefined;

/**
 * @napi-rs/image returns its pixels in buffers that V8 does not count, so nothing prompts a collection: a decode
 * thread's RSS passed 1 GB in bench:data. A scavenge after each job (young generation only, well under a
 * millisecond) lets their finalizers free them once the thread yields: about 85 MB over 1,500 images.
 */
function scavengeNativeBuffers(): void {
  if (!scavenger) {
    v8.setFlagsFromString('--expose-gc');
    scavenger = vm.runInNewContext('gc') as (options: { type: 'minor' }) => void;
  }
  scavenger({ type: 'minor' });
}

/** Decodes a job's files into one buffer. The unit of work of a decode worker, and the inline fallback. */
export function decodeBatch(job: DecodeJob): DecodeResult {
  const per = job.size * job.size * job.channels;
  const pixels = new Uint8Array(job.files.length * per);
  const failed: DecodeResult['failed'] = [];
  job.files.forEach((file, i) => {
    try {
      resizeCrop(decodeImageFile(file, job.decoder), job.size, job.channels, pixels, i * per);
    } catch (err) {
      failed.push({ index: i, message: (err as Error).message });
    }
  });
  if (job.decoder === 'auto') scavengeNativeBuffers();
  return { pixels, failed };
}

/** Decode workers for a run whose training uses `trainingThreads` CPU threads (a GPU backend: 1). */
export function decodeWorkerCount(trainingThreads = 1, cores = os.availableParallelism?.() ?? os.cpus().length): number {
  return Math.min(8, Math.max(1, cores - Math.max(1, trainingThreads)));
}

/** dist/decode-worker.js beside the running bundle, or the TypeScript source when running from sources under tsx. */
export function decodeWorkerScript(): string | undefined {
  const bundled = path.join(__dirname, 'decode-worker.js');
  if (fs.existsSync(bundled)) return bundled;
  const source = path.join(__dirname, '..', '..', 'worker', 'decodeWorkerMain.ts');
  return fs.existsSync(source) && process.execArgv.some((a) => a.includes('tsx')) ? source : undefined;
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

interface Pending {
  job: DecodeJob | HeaderJob;
  resolve: (r: DecodeResult | HeaderResult) => void;
  reject: (e: Error) => void;
}

/** A job's work, on whichever thread runs it. */
export function runJob(job: DecodeJob | HeaderJob): DecodeResult | HeaderResult {
  return 'kind' in job ? job.files.map(headerOrProblem) : decodeBatch(job);
}

export class DecodePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private readonly running = new Map<Worker, Pending>();
  private restarts = 0;
  private closed = false;

  /** `workers` threads running `script`; with no script, jobs run on the calling thread. */
  constructor(private readonly workers: number, private readonly script = decodeWorkerScript()) {}

  /** Decode threads running now (started on the first job, ended by close()). */
  get threads(): number {
    return this.slots.length;
  }

  /** Threads decoding off the calling thread (0: decoding inline). */
  get size(): number {
    return this.script ? this.workers : 0;
  }

  decode(job: DecodeJob): Promise<DecodeResult> {
    return this.submit(job) as Promise<DecodeResult>;
  }

  /** Each file's header (or why it is left out), read on the pool's threads. */
  headers(files: string[]): Promise<HeaderResult> {
    return this.submit({ kind: 'headers', files }) as Promise<HeaderResult>;
  }

  private submit(job: DecodeJob | HeaderJob): Promise<DecodeResult | HeaderResult> {
    if (this.closed) return Promise.reject(new Error('the decode pool was closed'));
    if (!this.script || this.workers <= 0) {
      // A macrotask per job: the finalizers of the previous job's native buffers run in between.
      return new Promise<DecodeResult | HeaderResult>((resolve, reject) => setImmediate(() => {
        try {
          resolve(runJob(job));
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      }));
    }
    return new Promise<DecodeResult | HeaderResult>((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.busy);
      if (!slot && this.slots.length < this.workers) slot = this.spawn();
      if (!slot) return;
      const p = this.queue.shift()!;
      slot.busy = true;
      this.running.set(slot.worker, p);
      // Held while it works (the caller awaits it), let go while idle (an idle pool never keeps a process alive).
      slot.worker.ref();
      slot.worker.postMessage(p.job);
    }
  }

  private spawn(): Slot {
    const options = { name: 'dcgan-decode', resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 } };
    // From sources (tests under tsx) the worker registers tsx itself: loader hooks do not reach worker threads.
    const worker = this.script!.endsWith('.ts')
      ? new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(this.script)});`, { ...options, eval: true })
      : new Worker(this.script!, options);
    worker.unref();
    const slot: Slot = { worker, busy: false };
    this.slots.push(slot);
    worker.on('message', (msg: DecodeResult | HeaderResult) => {
      const p = this.running.get(worker);
      this.running.delete(worker);
      slot.busy = false;
      worker.unref();
      p?.resolve(msg);
      this.pump();
    });
    // 'error' (an uncaught exception, the heap limit) is followed by 'exit'; the job is settled once, on exit.
    worker.on('error', () => undefined);
    worker.on('exit', () => {
      this.slots.splice(this.slots.indexOf(slot), 1);
      const p = this.running.get(worker);
      this.running.delete(worker);
      if (!p || this.closed) {
        p?.reject(new Error('the decode pool was closed'));
        return;
      }
      this.restarts++;
      if (this.restarts > MAX_RESTARTS) {
        p.reject(new Error(`decode workers died ${this.restarts} times; the last job held ${p.job.files[0]}${p.job.files.length > 1 ? ` and ${p.job.files.length - 1} more` : ''}`));
        return;
      }
      this.retryOneByOne(p);
      this.pump();
    });
    return slot;
  }

  /** A worker died on this job: each file again on its own, so that only the one that kills a worker fails. */
  private retryOneByOne(p: Pending): void {
    const { job } = p;
    if ('kind' in job) {
      // Headers are read with bounded reads and no decoder: a thread that dies there is not the file's doing.
      p.reject(new Error(`a decode thread died while reading the headers of ${job.files[0]} and ${job.files.length - 1} more`));
      return;
    }
    if (job.files.length === 1) {
      const per = job.size * job.size * job.channels;
      p.resolve({ pixels: new Uint8Array(per), failed: [{ index: 0, message: `${job.files[0]} made its decoder thread fail (out of memory, or a decoder crash); it is skipped. Delete or replace the file.` }] });
      return;
    }
    const per = job.size * job.size * job.channels;
    Promise.all(job.files.map((f) => this.decode({ ...job, files: [f] }))).then((parts) => {
      const pixels = new Uint8Array(job.files.length * per);
      const failed: DecodeResult['failed'] = [];
      parts.forEach((r, i) => {
        pixels.set(r.pixels, i * per);
        for (const f of r.failed) failed.push({ index: i, message: f.message });
      });
      p.resolve({ pixels, failed });
    }, p.reject);
  }

  /** Ends every worker; jobs still queued or running are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('the decode pool was closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
