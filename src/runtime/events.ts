/**
 * The training event stream. The trainer emits these; the CLI prints them (or writes them as JSON lines),
 * the worker forwards them to the extension host, and the dashboard draws them.
 * Field names are the CLI's `--json` contract: add fields, never rename.
 */
import type { Problem } from './problem';

export const BACKEND_NAMES = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** The GPU adapter the webgpu backend runs on, as Dawn reports it. */
export interface GpuAdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  device?: string;
  /** A software rasteriser (SwiftShader, llvmpipe, WARP) or an adapter flagged isFallbackAdapter: no GPU. */
  software: boolean;
}

export interface BackendInfo {
  name: BackendName;
  /** True when the backend runs on a GPU: tensorflow on a CUDA device, or webgpu on a hardware adapter. */
  gpu: boolean;
  /** Why this backend ran, in the user's words, e.g. "@tensorflow/tfjs-node-gpu is not installed; using wasm". */
  reason: string;
  /** Threads used by the wasm backend. */
  threads?: number;
  /** Package that provided the backend, with its version. */
  package?: string;
  /** webgpu only: the adapter it runs on. */
  adapter?: GpuAdapterInfo;
}

export interface DatasetSummary {
  source: string;
  format: string;
  dtype: string;
  count: number;
  height: number;
  width: number;
  channels: number;
  min?: number;
  max?: number;
  /** The affine map applied per batch: fed = raw * scale + offset. */
  scale: number;
  offset: number;
  /** Range of the data as fed to the discriminator, after scaling. */
  fedMin?: number;
  fedMax?: number;
}

export interface StartEvent {
  event: 'start';
  backend: BackendInfo;
  runId: string;
  /** The step training starts from: 0, or the checkpoint's step on resume. */
  step: number;
  steps: number;
  batchSize: number;
  imageSize: number;
  channels: number;
  seed: number;
  outputDir: string;
  configFile?: string;
  dataset: DatasetSummary;
  /** The resolved config, defaults filled in. */
  config: unknown;
}

export interface StepEvent {
  event: 'step';
  step: number;
  lossD: number;
  lossG: number;
  /** Mean D(x) on the real batch, as a probability. */
  dReal: number;
  /** Mean D(G(z)) on the fake batch, as a probability. */
  dFake: number;
  /** Wall time of this iteration in milliseconds. */
  ms: number;
  /** Steps per second by wall clock over the last steps, sample grids and checkpoints included (progress.ts). */
  itPerSecond?: number;
  /** Global L2 norm of the generator's gradients (last G update). */
  gradNormG?: number;
  gradNormD?: number;
  /** Instance-noise standard deviation used this step. */
  instanceNoise?: number;
  /** True when adaptive balance skipped the D update this step. */
  dSkipped?: boolean;
}

export interface SamplesEvent {
  event: 'samples';
  step: number;
  /** Absolute path of the PNG grid. */
  file: string;
  /** Grid pixels for live views (not in --json output). */
  grid?: GridImage;
  /** Diversity of the fixed-noise batch: mean pairwise L2 distance, per pixel. */
  diversity?: number;
}

export interface GridImage {
  width: number;
  height: number;
  /** 1 (gray) or 3 (RGB), uint8, row-major. */
  channels: number;
  data: Uint8Array;
}

export interface CheckpointEvent {
  event: 'checkpoint';
  step: number;
  dir: string;
}

export type ProblemEvent = { event: 'problem'; step?: number } & Problem;

/** An adaptive-balance intervention, visible as a marker on the dashboard's charts. */
export interface BalanceEvent {
  event: 'balance';
  step: number;
  action: 'skip-discriminator' | 'raise-instance-noise' | 'resume-discriminator' | 'lower-instance-noise';
  /** The new instance-noise level, or the number of D updates skipped so far. */
  value: number;
  message: string;
}

export interface EvalEvent {
  event: 'eval';
  step: number;
  /** Mean top-class confidence of the MNIST classifier on generated digits (MNIST-like data only). */
  classifierScore?: number;
  /** Number of digit classes that take at least 5% of generated samples. */
  classCoverage?: number;
  /** Fréchet distance in the classifier's penultimate features to held-out real digits. */
  frechetDistance?: number;
  diversity: number;
  count: number;
}

export type EndReason = 'completed' | 'stopped' | 'error' | 'non-finite';

/** A run's state as its folder or session tells it: running, how it ended, or unknown (it never said). */
export type RunStatus = 'running' | EndReason | 'unknown';
export const RUN_STATUSES: readonly RunStatus[] = ['running', 'completed', 'stopped', 'error', 'non-finite', 'unknown'];
export function isRunStatus(x: unknown): x is RunStatus {
  return typeof x === 'string' && (RUN_STATUSES as readonly string[]).includes(x);
}

export interface EndEvent {
  event: 'end';
  reason: EndReason;
  step: number;
  message?: string;
  /** Last checkpoint written, if any. */
  checkpoint?: string;
}

export type TrainEvent =
  | StartEvent
  | StepEvent
  | SamplesEvent
  | CheckpointEvent
  | ProblemEvent
  | BalanceEvent
  | EvalEvent
  | EndEvent;

export type TrainEventName = TrainEvent['event'];

const EVENT_NAMES: ReadonlySet<string> = new Set<TrainEventName>([
  'start', 'step', 'samples', 'checkpoint', 'problem', 'balance', 'eval', 'end',
]);

// ─── the guard ───────────────────────────────────────────────────────────────────────────────────────
// Events arrive from a worker and from metrics.jsonl files, which may come from a cloned repository: the guard
// checks every field the extension host, the views and the dashboard read (issue 12, finding 7), not just the tag.

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStr = (x: unknown): x is string => typeof x === 'string';
const isOptStr = (x: unknown) => x === undefined || isStr(x);
/** A step counter, a size or a count: a finite number. */
const isFinite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isOptFinite = (x: unknown) => x === undefined || isFinite(x);
/** A measurement: may be NaN or ±Inf (written as null in JSON lines), which the charts show as gaps. */
const isMetric = (x: unknown) => typeof x === 'number' || x === null;
const isOptMetric = (x: unknown) => x === undefined || isMetric(x);
const isOneOf = <T extends string>(values: readonly T[]) => (x: unknown): x is T => typeof x === 'string' && (values as readonly string[]).includes(x);

const isBackendName = isOneOf<BackendName>(BACKEND_NAMES);
const isEndReason = isOneOf<EndReason>(['completed', 'stopped', 'error', 'non-finite']);
const isBalanceAction = isOneOf<BalanceEvent['action']>(['skip-discriminator', 'raise-instance-noise', 'resume-discriminator', 'lower-instance-noise']);
const isSeverity = isOneOf(['error', 'warning', 'info'] as const);

function isAdapterInfo(x: unknown): x is GpuAdapterInfo {
  return isObj(x) && isStr(x.vendor) && isStr(x.architecture) && isStr(x.description) && isOptStr(x.device) && typeof x.software === 'boolean';
}

function isBackendInfo(x: unknown): x is BackendInfo {
  return isObj(x) && isBackendName(x.name) && typeof x.gpu === 'boolean' && isStr(x.reason) && isOptFinite(x.threads) && isOptStr(x.package)
    && (x.adapter === undefined || isAdapterInfo(x.adapter));
}

function isDatasetSummary(x: unknown): x is DatasetSummary {
  return isObj(x) && isStr(x.source) && isStr(x.format) && isStr(x.dtype)
    && [x.count, x.height, x.width, x.channels].every(isFinite)
    && [x.scale, x.offset].every(isMetric) && [x.min, x.max, x.fedMin, x.fedMax].every(isOptMetric);
}

function isGridImage(x: unknown): x is GridImage {
  return isObj(x) && [x.width, x.height, x.channels].every(isFinite) && x.data instanceof Uint8Array;
}

/** The Problem shape, for problem events; protocol.ts's isProblem is the same check on problems sent alone. */
export function isProblemShape(x: unknown): x is Problem {
  if (!isObj(x) || !isStr(x.code) || !isSeverity(x.severity) || !isStr(x.message) || !isOptStr(x.file) || !isOptFinite(x.step)) return false;
  if (x.causes !== undefined && !(Array.isArray(x.causes) && x.causes.every(isStr))) return false;
  if (x.location !== undefined && !(isObj(x.location) && isOptFinite(x.location.line) && isOptFinite(x.location.column)
    && (x.location.path === undefined || isConfigPath(x.location.path)))) return false;
  return x.fixes === undefined || (Array.isArray(x.fixes) && x.fixes.every((f) => isObj(f) && isStr(f.title)
    && (f.isPreferred === undefined || typeof f.isPreferred === 'boolean')
    && Array.isArray(f.edits) && f.edits.every((e) => isObj(e) && isConfigPath(e.path))));
}

function isConfigPath(x: unknown): boolean {
  return Array.isArray(x) && x.every((k) => isStr(k) || isFinite(k));
}

export function isTrainEvent(x: unknown): x is TrainEvent {
  if (!isObj(x) || !EVENT_NAMES.has(x.event as string)) return false;
  switch (x.event as TrainEventName) {
    case 'start':
      return isBackendInfo(x.backend) && isStr(x.runId) && [x.step, x.steps, x.batchSize, x.imageSize, x.channels, x.seed].every(isFinite)
        && isStr(x.outputDir) && isOptStr(x.configFile) && isDatasetSummary(x.dataset);
    case 'step':
      return isFinite(x.step) && [x.lossD, x.lossG, x.dReal, x.dFake, x.ms].every(isMetric)
        && [x.gradNormG, x.gradNormD, x.instanceNoise].every(isOptMetric) && isOptFinite(x.itPerSecond) && (x.dSkipped === undefined || typeof x.dSkipped === 'boolean');
    case 'samples':
      return isFinite(x.step) && isStr(x.file) && (x.grid === undefined || isGridImage(x.grid)) && isOptMetric(x.diversity);
    case 'checkpoint':
      return isFinite(x.step) && isStr(x.dir);
    case 'problem':
      return isProblemShape(x);
    case 'balance':
      return isFinite(x.step) && isBalanceAction(x.action) && isMetric(x.value) && isStr(x.message);
    case 'eval':
      return isFinite(x.step) && isMetric(x.diversity) && isFinite(x.count)
        && [x.classifierScore, x.frechetDistance].every(isOptMetric) && isOptFinite(x.classCoverage);
    case 'end':
      return isEndReason(x.reason) && isFinite(x.step) && isOptStr(x.message) && isOptStr(x.checkpoint);
  }
}
