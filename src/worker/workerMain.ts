/**
 * The training worker: runs in a worker_threads Worker started by the extension host (dist/worker.js), so that
 * training and reading large datasets never block the host's thread, which serves every other extension.
 *
 * It speaks only the typed protocol (src/protocol.ts): `start` runs one training run and then the worker exits;
 * `stop` aborts it (the trainer finishes the current step and writes its last checkpoint); `lint` and `sample`
 * are answered by id and the worker stays up for more of them.
 */
import { parentPort, type TransferListItem } from 'node:worker_threads';
import * as tfCore from '@tensorflow/tfjs-core';
import * as path from 'node:path';
import { isHostToWorker, type HostToWorker, type LintDatasetRequest, type LintRequest, type SampleRequest, type StartRequest, type WorkerToHost } from '../protocol';
import { selectBackend } from '../runtime/backend/select';
import { backendHeadline } from '../runtime/backend/adapter-label';
import { formatProblem } from '../runtime/problem';
import type { TrainEvent } from '../runtime/events';
import { runTrainingRequest } from '../runtime/train/request';
import { sampleFromCheckpoint } from '../runtime/train/checkpoint';
import { writePng } from '../runtime/train/grid';
import { lintInWorker } from './lintWorkerClient';
import { WORKER_CRASH_ENV, workerCrashSeam } from '../testSeams';

if (!parentPort) throw new Error('workerMain.ts runs inside a worker thread (dist/worker.js), not as a script.');
const port = parentPort;

function post(msg: WorkerToHost, transfer: TransferListItem[] = []): void {
  port.postMessage(msg, transfer);
}

const log = (level: 'info' | 'warn' | 'error', message: string) => post({ type: 'log', level, message });

let training: AbortController | undefined;
/** One lint at a time per config file: a newer request aborts the older one. */
const lints = new Map<string, AbortController>();

port.on('message', (raw: unknown) => {
  if (!isHostToWorker(raw)) {
    log('warn', `Ignored a message the worker does not understand: ${JSON.stringify(raw)?.slice(0, 200)}`);
    return;
  }
  const msg: HostToWorker = raw;
  switch (msg.type) {
    case 'start':
      if (training) { log('warn', 'A training run is already going in this worker; ignored the second start.'); return; }
      training = new AbortController();
      void runTraining(msg, training.signal);
      return;
    case 'stop':
      if (training) { log('info', 'Stop requested: finishing the current step and writing a checkpoint.'); training.abort(); }
      return;
    case 'lint':
    case 'lintDataset':
      void runLint(msg);
      return;
    case 'sample':
      void runSample(msg);
      return;
    case 'probe':
      post({ type: 'probeResult', id: msg.id, tensors: tfCore.memory().numTensors, rssBytes: process.memoryUsage.rss() });
      return;
  }
});

function fatal(err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err));
  post({ type: 'fatal', message: e.message, stack: e.stack });
}

process.on('uncaughtException', (err) => { fatal(err); process.exit(1); });
process.on('unhandledRejection', (err) => { fatal(err); process.exit(1); });

async function runTraining(msg: StartRequest, signal: AbortSignal): Promise<void> {
  try {
    // The same entry as `dcgan-studio train`: the overrides are validated with the config, as the CLI's are.
    const outcome = await runTrainingRequest({
      configFile: msg.configFile,
      configText: msg.configText,
      overrides: msg.overrides,
      runDir: msg.runDir,
      outputRoots: msg.outputRoots,
      resume: msg.resume,
      force: msg.force,
      searchPaths: msg.searchPaths,
      wasmDir: msg.wasmDir,
      emitGridPixels: msg.emitGridPixels ?? true,
      signal,
      onEvent: forwardEvent,
      onBackend: (backend) => log('info', `Backend: ${backendHeadline(backend.info)}: ${backend.info.reason}`),
    });
    if (outcome.kind === 'invalid') throw new Error(`The config cannot be used:\n${outcome.problems.map(formatProblem).join('\n')}`);
    if (outcome.kind === 'stopped-before-start') {
      forwardEvent({ event: 'end', reason: 'stopped', step: 0, message: 'Stopped while checking the data; nothing was trained.' });
      return;
    }
    const { end } = outcome;
    log('info', `Training ended (${end.reason}) at step ${end.step}${end.checkpoint ? `; last checkpoint ${end.checkpoint}` : ''}.`);
  } catch (err) {
    fatal(err);
    process.exitCode = 1;
  } finally {
    training = undefined;
    // The wasm backend keeps no handles that would end the thread by themselves; leave once the
    // messages above are queued (they are delivered after exit).
    setImmediate(() => process.exit());
  }
}

const crashSeam = workerCrashSeam(process.env[WORKER_CRASH_ENV]);

function forwardEvent(event: TrainEvent): void {
  if (crashSeam && event.event === 'step') crashSeam(event.step);
  if (event.event === 'samples' && event.grid) {
    const data = event.grid.data;
    // Transfer the pixels instead of copying them. Only a view that owns its whole buffer can be moved
    // without taking other data with it; anything else is copied into one that does.
    const own = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer ? data : data.slice();
    post({ type: 'event', event: { ...event, grid: { ...event.grid, data: own } } }, [own.buffer as ArrayBuffer]);
    return;
  }
  post({ type: 'event', event });
}

/** Each lint runs in its own bounded worker (lintWorkerClient.ts); a newer request for a file aborts the older one. */
async function runLint(msg: LintRequest | LintDatasetRequest): Promise<void> {
  const key = msg.type === 'lint' ? msg.configFile : msg.datasetPath;
  lints.get(key)?.abort();
  const abort = new AbortController();
  lints.set(key, abort);
  try {
    const job = msg.type === 'lint' ? { configFile: msg.configFile, configText: msg.configText } : { datasetPath: msg.datasetPath };
    const result = await lintInWorker(job, { signal: abort.signal });
    if (abort.signal.aborted) return;
    post({ type: 'lintResult', id: msg.id, result });
  } catch (err) {
    if (!abort.signal.aborted) post({ type: 'lintResult', id: msg.id, error: err instanceof Error ? err.message : String(err) });
  } finally {
    if (lints.get(key) === abort) lints.delete(key);
  }
}

async function runSample(msg: SampleRequest): Promise<void> {
  try {
    const backend = await selectBackend('auto', { searchPaths: msg.searchPaths, wasmDir: msg.wasmDir });
    const grid = await sampleFromCheckpoint(msg.checkpoint, msg.count, backend, msg.seed);
    backend.release?.();
    // From the run folder down (the host names it): a link planted at <run>/generated is refused, not written through.
    writePng(msg.outRoot ?? path.dirname(msg.out), msg.out, grid);
    post({ type: 'sampleResult', id: msg.id, file: path.resolve(msg.out), backend: backend.info });
  } catch (err) {
    post({ type: 'sampleResult', id: msg.id, error: err instanceof Error ? err.message : String(err) });
  }
}
