/**
 * Chooses the TensorFlow.js backend once, says which one ran and why, and hands it down.
 *
 * - tensorflow: @tensorflow/tfjs-node-gpu (or tfjs-node) when it resolves *and* loads. Those packages carry
 *   their own copy of tfjs, so the `tf` namespace handed down is theirs, not the bundled tfjs-core.
 *   tfjs-node-gpu silently falls back to the CPU when CUDA/cuDNN are missing; we check and say so.
 * - wasm: the embedded backend that ships with the extension, patched so that it can train (wasm-kernels.ts).
 * - cpu: pure JavaScript, only when asked (about 700× slower than PyTorch).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import * as tfCore from '@tensorflow/tfjs-core';
// Gradients are registered separately from the ops in tfjs-core; training needs them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import type { BackendInfo } from '../events';
import { checkCudaLibraries, cpuFallbackReason, type CudaCheck } from './cuda';
import { packageDirOf, withTfjsNodeUtilShim } from './tfjs-node-compat';
import { registerWasmTrainingKernels } from './wasm-kernels';
import { withFileBackedBlobs } from './wasm-threads';

export type TF = typeof tfCore;

export interface BackendHandle {
  tf: TF;
  info: BackendInfo;
}

export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

export interface SelectOptions {
  /** Folders whose node_modules may hold @tensorflow/tfjs-node-gpu (e.g. the extension's global storage). */
  searchPaths?: string[];
  /** wasm threads; 0 or undefined picks one per core. */
  threads?: number;
  /** Folder holding tfjs-backend-wasm*.wasm; found automatically when omitted. */
  wasmDir?: string;
}

export class BackendUnavailableError extends Error {}

const TENSORFLOW_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

interface NodeBackendLike {
  isGPUPackage?: boolean;
  isUsingGpuDevice?: boolean;
}

/** Tries to load a tfjs-node package. Returns the namespace, or why it could not be used. */
export function tryLoadTensorflow(searchPaths: string[] = []): { tf?: TF; pkg?: string; version?: string; reasons: string[]; cuda?: CudaCheck } {
  const reasons: string[] = [];
  const roots = [...searchPaths, __dirname, process.cwd()];
  for (const pkg of TENSORFLOW_PACKAGES) {
    let resolved: string | undefined;
    for (const root of roots) {
      try {
        resolved = createRequire(path.join(root, 'noop.js')).resolve(pkg);
        break;
      } catch {
        /* not under this root */
      }
    }
    if (!resolved) {
      reasons.push(`${pkg} is not installed`);
      continue;
    }
    // Checked before loading: tfjs-node-gpu itself only warns on stderr and runs on the CPU (tfjs#8509).
    const cuda = pkg === '@tensorflow/tfjs-node-gpu' ? checkCudaLibraries() : undefined;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const tf = withTfjsNodeUtilShim(packageDirOf(resolved), () => require(resolved) as TF);
      const version = readVersion(resolved);
      return { tf, pkg, version, reasons, cuda };
    } catch (err) {
      reasons.push(`${pkg} is installed but did not load (${firstLine((err as Error).message)})`);
    }
  }
  return { reasons };
}

export async function selectBackend(preference: BackendPreference, options: SelectOptions = {}): Promise<BackendHandle> {
  if (preference === 'auto' || preference === 'tensorflow') {
    const loaded = tryLoadTensorflow(options.searchPaths);
    if (loaded.tf) {
      const tf = loaded.tf;
      await tf.setBackend('tensorflow');
      await tf.ready();
      const backend = tf.backend() as unknown as NodeBackendLike;
      const gpu = Boolean(backend.isUsingGpuDevice);
      const pkgDesc = `${loaded.pkg}@${loaded.version ?? '?'}`;
      let reason: string;
      if (gpu) reason = `${pkgDesc} loaded and found a CUDA GPU`;
      else if (loaded.pkg === '@tensorflow/tfjs-node-gpu') reason = `${pkgDesc} loaded, but ${cpuFallbackReason(loaded.cuda)}`;
      else reason = `${pkgDesc} loaded (TensorFlow on the CPU)`;
      return { tf, info: { name: 'tensorflow', gpu, reason, package: pkgDesc } };
    }
    if (preference === 'tensorflow') {
      throw new BackendUnavailableError(`runtime.backend is "tensorflow", but ${loaded.reasons.join('; ')}. Install it ("DCGAN: Install GPU Runtime", or npm install @tensorflow/tfjs-node-gpu), or set runtime.backend to "auto".`);
    }
    const threads = await setupWasm(options);
    return { tf: tfCore, info: { name: 'wasm', gpu: false, threads, reason: `${loaded.reasons.join('; ')}; using the embedded wasm backend`, package: '@tensorflow/tfjs-backend-wasm' } };
  }
  if (preference === 'wasm') {
    const threads = await setupWasm(options);
    return { tf: tfCore, info: { name: 'wasm', gpu: false, threads, reason: 'runtime.backend is "wasm"', package: '@tensorflow/tfjs-backend-wasm' } };
  }
  await import('@tensorflow/tfjs-backend-cpu');
  await tfCore.setBackend('cpu');
  await tfCore.ready();
  return { tf: tfCore, info: { name: 'cpu', gpu: false, reason: 'runtime.backend is "cpu" (pure JavaScript, for debugging: very slow)', package: '@tensorflow/tfjs-backend-cpu' } };
}

let wasmReady: Promise<number> | undefined;

/** Registers the wasm backend once per process (tfjs keeps one engine per process), then makes it current. */
async function setupWasm(options: SelectOptions): Promise<number> {
  const threads = await registerWasm(options);
  if (!(await tfCore.setBackend('wasm'))) throw new BackendUnavailableError('The embedded wasm backend failed to initialise.');
  return threads;
}

function registerWasm(options: SelectOptions): Promise<number> {
  wasmReady ??= (async () => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const dir = options.wasmDir ?? findWasmDir();
    wasm.setWasmPaths(dir.endsWith(path.sep) ? dir : dir + path.sep);
    const threads = options.threads && options.threads > 0 ? options.threads : Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
    registerWasmTrainingKernels(tfCore);
    let ok: boolean;
    if (threads > 1) {
      // tfjs disables wasm threads in Node; wasm-threads.ts makes its pthread workers start (see there).
      tfCore.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
      wasm.setThreadsCount(threads);
      ok = await withFileBackedBlobs(findThreadedGlue(dir), threads, () => tfCore.setBackend('wasm'));
    } else {
      ok = await tfCore.setBackend('wasm');
    }
    if (!ok) throw new BackendUnavailableError(`The embedded wasm backend failed to initialise (looked for its .wasm files in ${dir}).`);
    await tfCore.ready();
    return wasm.getThreadsCount();
  })();
  return wasmReady;
}

function findWasmDir(): string {
  const candidates = [__dirname, path.join(__dirname, '..'), path.join(__dirname, 'wasm')];
  for (const c of candidates) if (fs.existsSync(path.join(c, 'tfjs-backend-wasm-simd.wasm'))) return c;
  try {
    return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
  } catch {
    throw new BackendUnavailableError(`The embedded wasm backend's files (tfjs-backend-wasm-simd.wasm) are missing next to ${__dirname}. Reinstall the extension or run "npm run build".`);
  }
}

const THREADED_GLUE = 'tfjs-backend-wasm-threaded-simd.js';

function findThreadedGlue(wasmDir: string): string {
  const beside = path.join(wasmDir, THREADED_GLUE);
  if (fs.existsSync(beside)) return beside;
  try {
    return require.resolve(`@tensorflow/tfjs-backend-wasm/wasm-out/${THREADED_GLUE}`);
  } catch {
    throw new BackendUnavailableError(`${THREADED_GLUE} is missing next to ${wasmDir}; set runtime.threads to 1, or reinstall.`);
  }
}

function readVersion(resolvedMain: string): string | undefined {
  let dir = path.dirname(resolvedMain);
  for (let i = 0; i < 5; i++) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        return JSON.parse(fs.readFileSync(pj, 'utf8')).version;
      } catch {
        return undefined;
      }
    }
    dir = path.dirname(dir);
  }
  return undefined;
}

function firstLine(s: string): string {
  return s.split('\n')[0].slice(0, 200);
}
