/**
 * The webgpu backend: @tensorflow/tfjs-backend-webgpu (bundled) on Dawn's Node binding (npm `webgpu`, whose
 * native dawn.node is found at run time, never bundled: 21 MB per platform).
 *
 * tfjs has never enabled webgpu in Node (tfjs PR #7595), so this file does what a browser would:
 * - Dawn's GPU* globals (GPUBufferUsage, GPUMapMode, …) and `navigator.gpu` exist before the backend module is
 *   imported; it registers itself only when `navigator.gpu` is there.
 * - It registers its own factory for the 'webgpu' backend, on the adapter probed here, with the device's
 *   requiredFeatures as strings (tfjs 4.22 pushes `['bgra8unorm-storage']`, an array, which strict WebIDL
 *   bindings reject) and only the features the trainer needs.
 * - Kernels that are missing, wrong or slow on webgpu are replaced in webgpu-kernels.ts (tested against cpu).
 * - At the end of a run the backend is removed and the device destroyed (releaseWebgpu), so GPU memory is freed.
 *
 * A software adapter (SwiftShader, llvmpipe, WARP, or one flagged isFallbackAdapter) is reported as such; select.ts
 * uses one only when runtime.backend is "webgpu".
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import type * as tfc from '@tensorflow/tfjs-core';
import type { GpuAdapterInfo } from '../events';
export { adapterLabel } from './adapter-label';
import { registerWebgpuTrainingKernels } from './webgpu-kernels';

type TF = typeof tfc;

/** What dawn.node exports: `create(flags)` gives a GPU (navigator.gpu); `globals` are the GPU* constructors/enums. */
interface DawnModule {
  create(flags: string[]): GPULike;
  globals: Record<string, unknown>;
}
interface GPULike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power'; forceFallbackAdapter?: boolean }): Promise<AdapterLike | null>;
}
interface AdapterLike {
  info?: Record<string, unknown>;
  features: { has(name: string): boolean };
  limits: Record<string, number>;
  isFallbackAdapter?: boolean;
  requestDevice(descriptor?: unknown): Promise<DeviceLike>;
}
interface DeviceLike {
  destroy(): void;
  lost?: Promise<unknown>;
}

export const WEBGPU_PACKAGE = 'webgpu';

export type WebgpuProbe =
  | { ok: true; adapter: GpuAdapterInfo; dawnPath: string; version?: string }
  | { ok: false; reason: string };

/** dawn.node's folder for this platform, as the `webgpu` package lays it out (dist/<platform>-<arch>/). */
function platformDir(): string {
  return process.platform === 'darwin' ? 'darwin-universal' : `${process.platform}-${process.arch}`;
}

/**
 * Finds dawn.node under the roots' node_modules: the bundle's own folder (dist/, which resolves the repo's or a
 * global install's node_modules) and the folders given (the extension's GPU runtime in its global storage).
 */
export function findDawn(searchPaths: string[] = []): { path: string; version?: string } | { reason: string } {
  const roots = [...searchPaths, __dirname];
  for (const root of roots) {
    // As for tfjs-node (select.ts): a search path's own node_modules only, never its parents (issue 12, finding 3).
    if (root !== __dirname && !fs.existsSync(path.join(root, 'node_modules', WEBGPU_PACKAGE, 'package.json'))) continue;
    let pkgJson: string;
    try {
      pkgJson = createRequire(path.join(root, 'noop.js')).resolve(`${WEBGPU_PACKAGE}/package.json`);
    } catch {
      continue;
    }
    const dir = path.dirname(pkgJson);
    const addon = path.join(dir, 'dist', platformDir(), 'dawn.node');
    let version: string | undefined;
    try {
      version = JSON.parse(fs.readFileSync(pkgJson, 'utf8')).version;
    } catch {
      /* version is informational */
    }
    if (fs.existsSync(addon)) return { path: addon, version };
    return { reason: `the ${WEBGPU_PACKAGE} package (${dir}) has no Dawn binary for ${platformDir()}` };
  }
  return { reason: `webgpu is not installed (npm package "${WEBGPU_PACKAGE}", Dawn's Node binding)` };
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render|\bwarp\b/i;

export function describeAdapter(adapter: AdapterLike): GpuAdapterInfo {
  const info = adapter.info ?? {};
  const str = (k: string) => (typeof info[k] === 'string' ? (info[k] as string) : '');
  const out: GpuAdapterInfo = { vendor: str('vendor'), architecture: str('architecture'), description: str('description'), device: str('device'), software: false };
  const flagged = info.isFallbackAdapter === true || adapter.isFallbackAdapter === true;
  const named = [out.vendor, out.architecture, out.description, out.device ?? ''].some((s) => SOFTWARE.test(s));
  out.software = flagged || named;
  return out;
}

interface DawnState {
  dawn: DawnModule;
  gpu: GPULike;
  dawnPath: string;
  version?: string;
}

// One Dawn instance per thread: dawn.node is loaded once per thread (it is context-aware), and its GPU object
// holds the Vulkan/Metal/D3D12 instance.
let dawnState: DawnState | undefined;
let adapterCache: Promise<{ adapter: AdapterLike | null; state: DawnState }> | undefined;

function loadDawn(searchPaths: string[]): DawnState | { reason: string } {
  if (dawnState) return dawnState;
  const found = findDawn(searchPaths);
  if ('reason' in found) return found;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const dawn = require(found.path) as DawnModule;
    dawnState = { dawn, gpu: dawn.create([]), dawnPath: found.path, version: found.version };
    return dawnState;
  } catch (err) {
    return { reason: `webgpu is installed but Dawn's addon (${found.path}) did not load: ${firstLine((err as Error).message)}` };
  }
}

function requestAdapter(state: DawnState) {
  adapterCache ??= state.gpu.requestAdapter({ powerPreference: 'high-performance' }).then((adapter) => ({ adapter, state }));
  return adapterCache;
}

/**
 * Asks for an adapter without touching tfjs. Dawn's first look at the system prints native warnings straight to
 * the process's stderr ("Couldn't load Vulkan: libvulkan.so.1 … at operator() (…/BackendVk.cpp:368)",
 * "vkCreateInstance: Found no drivers!", lavapipe's "max…BuffersPerPipelineLayout artificially reduced"), which
 * Node cannot intercept. So the first probe runs in a child process whose stderr is captured: the user's terminal,
 * the --json stream and the output channel never see it, and its first line becomes part of the reason. Dawn is
 * loaded into this process only when the backend is used (setupWebgpu). Cached per thread.
 */
export async function probeWebgpu(searchPaths: string[] = []): Promise<WebgpuProbe> {
  if (dawnState) {
    // Already loaded here (a run used webgpu before): asking again prints nothing new.
    const { adapter } = await requestAdapter(dawnState);
    if (!adapter) return { ok: false, reason: `webgpu found no GPU adapter (${noAdapterHint()})` };
    return { ok: true, adapter: describeAdapter(adapter), dawnPath: dawnState.dawnPath, version: dawnState.version };
  }
  const found = findDawn(searchPaths);
  if ('reason' in found) return { ok: false, reason: found.reason };
  probeCache ??= probeInChild(found.path).then((r) => {
    if ('error' in r) return { ok: false, reason: `webgpu is installed but Dawn's addon (${found.path}) did not load: ${r.error}` };
    if (!r.adapter) return { ok: false, reason: `webgpu found no GPU adapter (${noAdapterHint()}${r.dawnSays ? `; Dawn: ${r.dawnSays}` : ''})` };
    return { ok: true, adapter: describeAdapter(r.adapter), dawnPath: found.path, version: found.version };
  });
  return probeCache;
}

let probeCache: Promise<WebgpuProbe> | undefined;

const PROBE_TIMEOUT_MS = 20_000;
const PROBE_OUTPUT_LIMIT = 64 * 1024;
// Runs in the child: loads dawn.node, asks for an adapter, prints what it is as one JSON line. The adapter's info
// is a native object whose fields are getters, so they are copied by name.
const PROBE_SCRIPT = `
const dawn = require(process.argv[1]);
dawn.create([]).requestAdapter({ powerPreference: 'high-performance' }).then((a) => {
  const info = {};
  if (a && a.info) for (const k of ['vendor', 'architecture', 'device', 'description', 'isFallbackAdapter']) info[k] = a.info[k];
  process.stdout.write(JSON.stringify(a ? { adapter: { info, isFallbackAdapter: a.isFallbackAdapter === true } } : { adapter: null }) + '\\n');
  process.exit(0);
}, (e) => { process.stdout.write(JSON.stringify({ error: String(e && e.message || e) }) + '\\n'); process.exit(0); });
`;

type ChildProbe = { adapter: AdapterLike | null; dawnSays?: string } | { error: string };

function probeInChild(dawnPath: string): Promise<ChildProbe> {
  return new Promise((resolve) => {
    // In VS Code's Electron extension host process.execPath is Electron: ELECTRON_RUN_AS_NODE makes it Node.
    const child = spawn(process.execPath, ['-e', PROBE_SCRIPT, dawnPath], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { if (out.length < PROBE_OUTPUT_LIMIT) out += d.toString('utf8'); });
    child.stderr.on('data', (d: Buffer) => { if (err.length < PROBE_OUTPUT_LIMIT) err += d.toString('utf8'); });
    const timer = setTimeout(() => child.kill('SIGKILL'), PROBE_TIMEOUT_MS);
    child.on('error', (e) => { clearTimeout(timer); resolve({ error: firstLine(e.message) }); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').at(-1) ?? '';
      let parsed: { adapter?: { info: Record<string, unknown>; isFallbackAdapter: boolean } | null; error?: string } | undefined;
      try {
        parsed = JSON.parse(line);
      } catch {
        parsed = undefined;
      }
      if (parsed?.error !== undefined) return resolve({ error: firstLine(parsed.error) });
      if (parsed && 'adapter' in parsed) {
        const a = parsed.adapter;
        const adapter = a ? ({ info: a.info, isFallbackAdapter: a.isFallbackAdapter } as unknown as AdapterLike) : null;
        return resolve({ adapter, dawnSays: a ? undefined : dawnMessage(err) });
      }
      const how = signal ? `was killed (${signal}${signal === 'SIGKILL' ? `, no answer in ${PROBE_TIMEOUT_MS / 1000} s` : ''})` : `exited with code ${code}`;
      resolve({ error: `the adapter probe ${how}${dawnMessage(err) ? `: ${dawnMessage(err)}` : ''}` });
    });
  });
}

/** Dawn's most telling line from the probe's stderr, without its "Warning: " prefix or control characters. */
function dawnMessage(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((l) => l.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').replace(/^Warning:\s*/, '').trim()).filter((l) => l && !l.startsWith('at '));
  // "Found no drivers!" and "Couldn't load Vulkan" say what is missing; the loader's file-by-file lines do not.
  const telling = lines.find((l) => /found no drivers|couldn't load|no .*adapter/i.test(l)) ?? lines.find((l) => /vulkan|driver|D3D|Metal/i.test(l)) ?? lines[0];
  return telling ? telling.slice(0, 200) : undefined;
}

function noAdapterHint(): string {
  if (process.platform === 'linux') {
    const icd = process.env.VK_ICD_FILENAMES ?? process.env.VK_DRIVER_FILES;
    const base = icd ? `VK_ICD_FILENAMES is ${icd}` : 'Dawn uses Vulkan here: it needs the Vulkan loader (libvulkan1) and a GPU driver that installs a Vulkan ICD';
    const swiftshader = findSwiftShaderIcd();
    return swiftshader && !icd ? `${base}; for a software adapter, set VK_ICD_FILENAMES=${swiftshader}` : base;
  }
  if (process.platform === 'darwin') return 'Dawn uses Metal here';
  return 'Dawn uses D3D12 here; update the GPU driver';
}

/**
 * The SwiftShader Vulkan ICD that Debian's chromium package (and Chrome) install: a software Vulkan that lets
 * webgpu run, slowly, on a machine without a GPU (tests and CI use it).
 */
export function findSwiftShaderIcd(): string | undefined {
  const candidates = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib/chromium-browser/vk_swiftshader_icd.json', '/opt/google/chrome/vk_swiftshader_icd.json'];
  return candidates.find((c) => fs.existsSync(c));
}

export interface WebgpuSetup {
  adapter: GpuAdapterInfo;
  package: string;
}

let backendRegistered = false;
let device: DeviceLike | undefined;

/**
 * Makes 'webgpu' the current tfjs backend on the probed adapter. The caller has probed (probeWebgpu) and decided
 * the adapter is acceptable.
 */
export async function setupWebgpu(tf: TF, searchPaths: string[] = [], opts: { timestampQuery?: boolean } = {}): Promise<WebgpuSetup> {
  const state = loadDawn(searchPaths);
  if ('reason' in state) throw new Error(state.reason);
  const { adapter } = await requestAdapter(state);
  if (!adapter) throw new Error(`webgpu found no GPU adapter (${noAdapterHint()})`);
  installGlobals(state);
  // Imported only now: the module reads navigator.gpu when it loads.
  const mod = await import('@tensorflow/tfjs-backend-webgpu');
  if (!backendRegistered) {
    // Replace the module's own factory (it requests features by array, see the header) with one on our adapter.
    if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
    tf.registerBackend('webgpu', async () => {
      device = await adapter.requestDevice(deviceDescriptor(adapter, opts.timestampQuery === true));
      type Args = ConstructorParameters<typeof mod.WebGPUBackend>;
      return new mod.WebGPUBackend(device as unknown as Args[0], adapter.info as unknown as Args[1]);
    }, 3);
    registerWebgpuTrainingKernels(tf);
    backendRegistered = true;
  }
  if (!(await tf.setBackend('webgpu'))) throw new Error('the webgpu backend failed to initialise (see the log above)');
  await tf.ready();
  return { adapter: describeAdapter(adapter), package: `@tensorflow/tfjs-backend-webgpu + ${WEBGPU_PACKAGE}@${state.version ?? '?'}` };
}

function deviceDescriptor(adapter: AdapterLike, timestampQuery: boolean) {
  const limits = adapter.limits;
  // The limits tfjs relies on for large buffers and big dispatches: ask for what the adapter offers.
  const keys = ['maxComputeWorkgroupStorageSize', 'maxComputeWorkgroupsPerDimension', 'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupSizeX', 'maxComputeInvocationsPerWorkgroup'];
  const requiredLimits: Record<string, number> = {};
  for (const k of keys) if (typeof limits[k] === 'number') requiredLimits[k] = limits[k];
  // timestamp-query is only for tfjs' profiler (GPU time per kernel in tf.profile); training never asks for it.
  const requiredFeatures = timestampQuery && adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  return { requiredFeatures, requiredLimits };
}

function installGlobals(state: DawnState): void {
  const g = globalThis as Record<string, unknown>;
  for (const [k, v] of Object.entries(state.dawn.globals)) if (!(k in g)) g[k] = v;
  const nav = g.navigator as Record<string, unknown> | undefined;
  if (nav === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: state.gpu }, configurable: true, writable: true });
  } else if (!nav.gpu) {
    // Node ≥ 21 has a navigator without gpu.
    Object.defineProperty(nav, 'gpu', { value: state.gpu, configurable: true });
  }
}

/**
 * Frees the GPU: removes the 'webgpu' backend (its buffers) and destroys the device. A later setupWebgpu makes a
 * new device on the same adapter.
 */
export function releaseWebgpu(tf: TF): void {
  if (tf.findBackend('webgpu')) {
    tf.removeBackend('webgpu');
    backendRegistered = false;
  }
  device?.destroy();
  device = undefined;
  // An adapter that gave a device is spent (WebGPU spec): the next setup asks for a new one.
  adapterCache = undefined;
}

function firstLine(s: string): string {
  return s.split('\n')[0].slice(0, 200);
}
