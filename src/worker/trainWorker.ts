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
import { defaultConfig, loadConfigFile, parseConfig, setAtPath, type LoadedConfig } from '../runtime/config/load';
import type { DcganConfig } from '../runtime/config/types';
import { selectBackend } from '../runtime/backend/select';
import { backendHeadline } from '../runtime/backend/adapter-label';
import { formatProblem, hasErrors } from '../runtime/problem';
import type { TrainEvent } from '../runtime/events';
import { train } from '../runtime/train/trainer';
import { sampleFromCheckpoint } from '../runtime/train/checkpoint';
import { writePng } from '../runtime/train/grid';
import { lintInWorker } from './lintInWorker';

if (!parentPort) throw new Error('trainWorker.ts runs inside a worker thread (dist/worker.js), not as a script.');
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

function loadConfig(configFile: string | undefined, configText: string | undefined): LoadedConfig {
  if (configText !== undefined) return parseConfig(configText, configFile);
  if (configFile) return loadConfigFile(configFile);
  return { config: defaultConfig(), problems: [], baseDir: process.cwd() };
}

function applyOverrides(config: DcganConfig, overrides: Record<string, unknown> | undefined): void {
  for (const [key, value] of Object.entries(overrides ?? {})) {
    setAtPath(config as unknown as Record<string, unknown>, key.split('.'), value);
  }
}

async function runTraining(msg: StartRequest, signal: AbortSignal): Promise<void> {
  try {
    const loaded = loadConfig(msg.configFile, msg.configText);
    if (!loaded.config || hasErrors(loaded.problems)) {
      throw new Error(`The config cannot be used:\n${loaded.problems.map(formatProblem).join('\n')}`);
    }
    const config = loaded.config;
    applyOverrides(config, msg.overrides);
    const backend = await selectBackend(config.runtime.backend, { searchPaths: msg.searchPaths, wasmDir: msg.wasmDir, threads: config.runtime.threads });
    log('info', `Backend: ${backendHeadline(backend.info)}: ${backend.info.reason}`);
    const end = await train({
      config,
      baseDir: loaded.baseDir,
      configFile: loaded.file,
      backend,
      resume: msg.resume,
      runDir: msg.runDir,
      outputRoots: msg.outputRoots,
      signal,
      emitGridPixels: msg.emitGridPixels ?? true,
      force: msg.force,
      onEvent: forwardEvent,
    });
    backend.release?.();
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

/**
 * Test hook, for the crash tests only (test/unit/extension-worker-crash.test.ts): DCGAN_TEST_WORKER_CRASH="oom@N"
 * or "throw@N" makes this worker die for real once training passes step N (after that step's checkpoint): "oom"
 * allocates until the worker's heap limit ends it, "throw" throws outside the trainer. Unset, it does nothing.
 */
const crashHook = /^(oom|throw)@(\d+)$/.exec(process.env.DCGAN_TEST_WORKER_CRASH ?? '');
function maybeCrash(event: TrainEvent): void {
  if (!crashHook || event.event !== 'step' || event.step <= Number(crashHook[2])) return;
  setImmediate(() => {
    if (crashHook[1] === 'throw') throw new Error(`DCGAN_TEST_WORKER_CRASH: crashed on purpose at step ${event.step}`);
    const hog: number[][] = [];
    for (;;) hog.push(new Array(1 << 16).fill(event.step + hog.length));
  });
}

function forwardEvent(event: TrainEvent): void {
  maybeCrash(event);
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

/** Each lint runs in its own bounded worker (lintInWorker.ts); a newer request for a file aborts the older one. */
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
