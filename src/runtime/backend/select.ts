/**
 * Chooses the TensorFlow.js backend once, says which one ran and why, and hands it down.
 *
 * - tensorflow: @tensorflow/tfjs-node-gpu (or tfjs-node) when it resolves *and* loads. Those packages carry
 *   their own copy of tfjs, so the `tf` namespace handed down is theirs, not the bundled tfjs-core.
 *   tfjs-node-gpu silently falls back to the CPU when CUDA/cuDNN are missing; we check and say so.
 * - webgpu: Dawn's Node binding (npm `webgpu`, found at run time) under the bundled tfjs-backend-webgpu (webgpu.ts).
 * - wasm: the embedded backend that ships with the extension, patched so that it can train (wasm-kernels.ts).
 * - cpu: pure JavaScript, only when asked (about 700× slower than PyTorch).
 *
 * "auto" takes the first that works, in order: tensorflow on a CUDA GPU → webgpu on a hardware adapter →
 * tensorflow on the CPU → wasm. A software adapter (SwiftShader) is slower than wasm, so auto skips it and says
 * why; runtime.backend "webgpu" uses it anyway (tests and CI do, on machines without a GPU).
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
import { registerWasmBatchNormKernels } from './wasm-batchnorm';
import { registerWasmElementwiseKernels } from './wasm-elementwise';
import { withFileBackedBlobs } from './wasm-threads';
import { adapterLabel } from './adapter-label';
import { probeWebgpu, releaseWebgpu, setupWebgpu } from './webgpu';

export type TF = typeof tfCore;

export interface BackendHandle {
  tf: TF;
  info: BackendInfo;
  /** Frees what the backend holds outside tfjs' tensors (webgpu: the GPU device and its buffers). Call at the end. */
  release?: () => void;
}

export type BackendPreference = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

export interface SelectOptions {
  /** Folders whose node_modules may hold @tensorflow/tfjs-node-gpu or webgpu (e.g. the extension's global storage). */
  searchPaths?: string[];
  /** wasm threads; 0 or undefined picks one per core. */
  threads?: number;
  /** Folder holding tfjs-backend-wasm*.wasm; found automatically when omitted. */
  wasmDir?: string;
  /** webgpu: request timestamp-query so tf.profile reports GPU time per kernel (bench/profile.ts only). */
  timestampQuery?: boolean;
}

export class BackendUnavailableError extends Error {
  override name = 'BackendUnavailableError';
}

const TENSORFLOW_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

interface NodeBackendLike {
  isGPUPackage?: boolean;
  isUsingGpuDevice?: boolean;
}

/** Tries to load a tfjs-node package. Returns the namespace, or why it could not be used. */
export function tryLoadTensorflow(searchPaths: string[] = []): { tf?: TF; pkg?: string; version?: string; reasons: string[]; cuda?: CudaCheck } {
  const reasons: string[] = [];
  for (const pkg of TENSORFLOW_PACKAGES) {
    const resolved = resolveTensorflow(pkg, searchPaths);
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

/**
 * Where a tfjs-node package may come from (issue 12, finding 3): `<searchPath>/node_modules/<pkg>` exactly (the
 * extension's global storage, the user's machine-scoped setting), then this install's own dependencies (Node's
 * lookup from the bundle's folder). Never process.cwd(): the extension host's and a CLI user's current directory
 * is often a cloned repository, whose node_modules would run as code on load. A search path's parents are not
 * searched either, for the same reason.
 */
function resolveTensorflow(pkg: string, searchPaths: string[]): string | undefined {
  for (const root of searchPaths) {
    const dir = path.join(root, 'node_modules', pkg);
    if (!fs.existsSync(path.join(dir, 'package.json'))) continue;
    try {
      return createRequire(path.join(root, 'noop.js')).resolve(pkg);
    } catch {
      /* a broken install under this root: try the next one */
    }
  }
  try {
    return createRequire(path.join(__dirname, 'noop.js')).resolve(pkg);
  } catch {
    return undefined;
  }
}

export async function selectBackend(preference: BackendPreference, options: SelectOptions = {}): Promise<BackendHandle> {
  if (preference === 'webgpu') {
    const probe = await probeWebgpu(options.searchPaths);
    if (!probe.ok) {
      // Dawn there but no adapter: the driver is missing, not the package.
      const todo = /no GPU adapter/.test(probe.reason) ? 'Install a GPU driver that provides Vulkan (Linux), Metal (macOS) or D3D12 (Windows)' : 'Install it ("DCGAN: Install GPU Runtime", or npm install webgpu)';
      throw new BackendUnavailableError(`runtime.backend is "webgpu", but ${probe.reason}. ${todo}, or set runtime.backend to "auto".`);
    }
    return useWebgpu(`runtime.backend is "webgpu"${probe.adapter.software ? ` (a software adapter, ${adapterLabel(probe.adapter, false)}: expect it to be slower than wasm)` : ''}`, options);
  }
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
      if (!gpu && preference === 'auto') {
        // TensorFlow on the CPU: a hardware WebGPU adapter beats it.
        const webgpu = await autoWebgpu(options, reason);
        if (webgpu.handle) return webgpu.handle;
        reason = `${reason}; ${webgpu.why}`;
      }
      return { tf, info: { name: 'tensorflow', gpu, reason, package: pkgDesc } };
    }
    if (preference === 'tensorflow') {
      throw new BackendUnavailableError(`runtime.backend is "tensorflow", but ${loaded.reasons.join('; ')}. Install it ("DCGAN: Install GPU Runtime", or npm install @tensorflow/tfjs-node-gpu), or set runtime.backend to "auto".`);
    }
    const webgpu = await autoWebgpu(options, loaded.reasons.join('; '));
    if (webgpu.handle) return webgpu.handle;
    const threads = await setupWasm(options);
    return { tf: tfCore, info: { name: 'wasm', gpu: false, threads, reason: `${[...loaded.reasons, webgpu.why].join('; ')}; using the embedded wasm backend`, package: '@tensorflow/tfjs-backend-wasm' } };
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

/**
 * auto's webgpu step: the backend on a hardware adapter, or why it was skipped ("webgpu: only a software adapter
 * …"). A hardware adapter that fails to start falls through to the next backend, with the error in the reason.
 */
async function autoWebgpu(options: SelectOptions, before: string): Promise<{ handle?: BackendHandle; why: string }> {
  const probe = await probeWebgpu(options.searchPaths);
  if (!probe.ok) return { why: probe.reason };
  const label = adapterLabel(probe.adapter);
  if (probe.adapter.software) return { why: `webgpu: only a software adapter (${label}), slower than wasm; set runtime.backend to "webgpu" to use it anyway` };
  try {
    return { handle: await useWebgpu(`${before}; webgpu found a GPU adapter (${label})`, options), why: '' };
  } catch (err) {
    return { why: `webgpu found ${label} but did not start (${firstLine((err as Error).message)})` };
  }
}

async function useWebgpu(reason: string, options: SelectOptions): Promise<BackendHandle> {
  try {
    const setup = await setupWebgpu(tfCore, options.searchPaths, { timestampQuery: options.timestampQuery });
    return { tf: tfCore, info: { name: 'webgpu', gpu: !setup.adapter.software, reason, package: setup.package, adapter: setup.adapter }, release: () => releaseWebgpu(tfCore) };
  } catch (err) {
    throw new BackendUnavailableError(`The webgpu backend did not start: ${firstLine((err as Error).message)}. Set runtime.backend to "wasm" (or "auto") to train without it.`);
  }
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
    registerWasmBatchNormKernels(tfCore);
    registerWasmElementwiseKernels(tfCore);
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
