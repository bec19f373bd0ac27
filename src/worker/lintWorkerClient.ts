/**
 * Runs one dataset lint in a fresh worker thread (dist/lint-worker.js) under resourceLimits, so that a hostile
 * dataset that gets past the loaders' own caps (src/runtime/data/files.ts) costs one thread, not the extension
 * host or the CLI. Running out of heap, crashing or overrunning the time limit becomes a Problem naming the
 * dataset, like any other lint finding. Used by `dcgan-studio lint` and by the extension's job worker, which
 * answers the diagnostics' lint requests.
 *
 * resourceLimits bound the JavaScript heap; typed-array buffers live outside it, which is why the loaders
 * check every declared size before allocating.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { isWorkerToHost, type HostToWorker, type LintResult } from '../protocol';
import { parseConfig, resolveDataPath } from '../runtime/config/load';
import type { Problem } from '../runtime/problem';

/** `full`: decode every image of a folder (`lint --full`) instead of the sample. */
export type LintJob = ({ configFile: string; configText: string } | { datasetPath: string }) & { full?: boolean };

export interface LintInWorkerOptions {
  /** dist/lint-worker.js; by default the one beside the running bundle. */
  script?: string;
  signal?: AbortSignal;
  /** Past this, the worker is stopped and the lint reports it (a folder of a million images, a slow disk). */
  timeoutMs?: number;
  /** The worker's progress lines (`lint --full`). */
  onLog?: (message: string) => void;
}

/** Heap a lint may use: statistics stream in chunks, so real datasets need a small fraction of it. */
export const LINT_HEAP_MB = 256;
const DEFAULT_TIMEOUT_MS = 10 * 60_000;

export function lintWorkerScript(): string {
  return path.join(__dirname, 'lint-worker.js');
}

export function lintInWorker(job: LintJob, options: LintInWorkerOptions = {}): Promise<LintResult> {
  const script = options.script ?? lintWorkerScript();
  if (!fs.existsSync(script)) return Promise.reject(new Error(`The lint worker ${script} is missing; run npm run build (or reinstall the extension).`));
  const { file, dataset } = describeJob(job);
  const fail = (code: Problem['code'], message: string): LintResult => ({
    problems: [{ code, severity: 'error', message, file, ...('configFile' in job ? { location: { path: ['data', 'path'] } } : {}) }],
  });
  return new Promise<LintResult>((resolve, reject) => {
    const worker = new Worker(script, {
      name: 'dcgan-lint',
      resourceLimits: { maxOldGenerationSizeMb: LINT_HEAP_MB, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
    });
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      f();
    };
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timer = setTimeout(() => settle(() => resolve(fail('data/too-large', `Linting ${dataset} took longer than ${Math.round(timeoutMs / 1000)} s and was stopped. Lint a subset (data.limit) or check that the path points at the dataset you mean.`))), timeoutMs);
    const onAbort = () => settle(() => reject(options.signal?.reason instanceof Error ? options.signal.reason : new Error('aborted')));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (msg: unknown) => {
      if (isWorkerToHost(msg) && msg.type === 'log') options.onLog?.(msg.message);
      if (!isWorkerToHost(msg) || msg.type !== 'lintResult') return;
      if (msg.result) settle(() => resolve(msg.result!));
      else settle(() => reject(new Error(`Linting ${dataset} failed: ${msg.error}`)));
    });
    worker.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        settle(() => resolve(fail('data/too-large', `Linting ${dataset} needed more than ${LINT_HEAP_MB} MB of memory and was stopped. The dataset is larger or stranger than its size suggests; lint a subset (data.limit) or re-save it as a plain .npy.`)));
      } else settle(() => reject(new Error(`Linting ${dataset} failed: ${err.message}`)));
    });
    worker.on('exit', (code) => settle(() => reject(new Error(`Linting ${dataset} failed: the lint worker exited (code ${code}) before answering.`))));
    const request: HostToWorker = 'configFile' in job
      ? { type: 'lint', id: 1, configFile: job.configFile, configText: job.configText, ...(job.full ? { full: true } : {}) }
      : { type: 'lintDataset', id: 1, datasetPath: job.datasetPath, ...(job.full ? { full: true } : {}) };
    worker.postMessage(request);
  });
}

/** The file problems attach to, and the dataset named in messages. */
function describeJob(job: LintJob): { file: string; dataset: string } {
  if (!('configFile' in job)) return { file: job.datasetPath, dataset: job.datasetPath };
  const loaded = parseConfig(job.configText, job.configFile);
  return { file: job.configFile, dataset: loaded.config ? resolveDataPath(loaded.config, loaded.baseDir) : `the data of ${job.configFile}` };
}
